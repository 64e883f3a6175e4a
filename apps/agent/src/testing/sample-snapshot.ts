import { SNAPSHOT_SCHEMA_VERSION, type Snapshot } from '@fleetmedic/protocol';
import { unsupportedSections } from '../collectors/section.js';

/** A small valid snapshot (a Linux host: every Mac section unsupported), `pad` bytes of hostname padding to control file size. */
export function sampleSnapshot(pad = 0): Snapshot {
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    collectedAt: '2026-01-02T03:04:05.000Z',
    agentVersion: '0.1.0',
    host: { hostname: `host${'x'.repeat(pad)}`, serialNumber: null, hardwareModel: null, architecture: 'x86_64', platform: 'linux', consoleUser: null },
    sections: unsupportedSections('not macOS (linux)'),
  };
}
