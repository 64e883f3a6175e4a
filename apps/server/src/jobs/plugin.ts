import type { FastifyPluginAsync } from 'fastify';
import { DEFAULT_AUDIT_RETENTION_DAYS, type AppConfig } from '../config.js';
import { commandExpiryJob } from './command-expiry.js';
import { fleetArrivalSampleJob, fleetSampleJob } from './fleet-sample.js';
import { offlineDetectionJob } from './offline-detection.js';
import { retentionJob } from './retention.js';
import { DEFAULT_AUTH_FAILURE_LIMIT } from '../auth/failure-limit.js';
import type { JobScheduler } from './scheduler.js';

/**
 * The server's scheduled jobs with their config: offline detection, command expiry, retention,
 * fleet samples (the overview's trend) on their schedule and as Macs arrive.
 */
export function addServerJobs(scheduler: JobScheduler, config: AppConfig): JobScheduler {
  return scheduler
    .add(offlineDetectionJob(config.offlineAfterSeconds, config.offlineSweepSeconds ?? 30))
    .add(commandExpiryJob(config.expirySweepSeconds ?? 60))
    .add(retentionJob({
      retentionDays: config.retentionDays ?? 90,
      auditRetentionDays: config.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS,
      intervalSeconds: config.retentionSweepSeconds ?? 3600,
      authFailureWindowSeconds: config.authFailureLimit?.windowSeconds ?? DEFAULT_AUTH_FAILURE_LIMIT.windowSeconds,
    }))
    .add(fleetSampleJob(config.offlineAfterSeconds, config.retentionDays ?? 90, config.fleetSampleSeconds ?? 900))
    .add(fleetArrivalSampleJob(config.offlineAfterSeconds, config.retentionDays ?? 90, config.fleetArrivalCheckSeconds ?? 15));
}

/**
 * Starts the scheduler when the app becomes ready — a first attempt at each job, awaited — unless
 * `config.jobs === false`, and stops it on close, waiting for a running job so it never outlives
 * the database.
 */
export const jobsPlugin: FastifyPluginAsync<{ scheduler: JobScheduler }> = async (app, { scheduler }) => {
  const { heartbeatSeconds = 30, offlineAfterSeconds } = app.appConfig;
  if (heartbeatSeconds + 10 >= offlineAfterSeconds) {
    // Pongs refresh lastSeenAt once per heartbeat (at most every 10 s): live devices would be marked offline.
    app.log.warn({ heartbeatSeconds, offlineAfterSeconds }, 'offlineAfterSeconds should exceed heartbeatSeconds + 10');
  }
  if (app.appConfig.jobs === false) return;
  // The first attempts run before the app is ready (as the old expiry sweep did), the next ones an interval later.
  app.addHook('onReady', async () => scheduler.start());
  app.addHook('onClose', async () => scheduler.stop());
};
