import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ConnectAnswer, LookupAnswer, NoAnswer, Prober, ProbeTarget } from './answers.js';

/**
 * Answers probes from a recorded Mac's `net/` folder (docs/recorded-mac.md):
 * `net/dns/<host>.json` holds a LookupAnswer, `net/connect/<host>-<port>.json` a ConnectAnswer.
 * The FleetMedic server's name differs per deployment, so its answers are kept as
 * `net/dns/server.json` and `net/connect/server.json`. A missing file answers `notRecorded`.
 */
export class ReplayProber implements Prober {
  constructor(private readonly dir: string) {}

  async lookup(target: ProbeTarget): Promise<LookupAnswer> {
    const rel = `net/dns/${target.role === 'server' ? 'server' : target.host}.json`;
    const answer = await this.read<LookupAnswer>(rel);
    const shaped = 'addresses' in answer ? Array.isArray(answer.addresses) : 'error' in answer ? typeof answer.error?.code === 'string' : 'timedOut' in answer || 'notRecorded' in answer;
    return shaped ? answer : { notRecorded: `${rel}: not a lookup answer` };
  }

  async connect(target: ProbeTarget & { port: number }): Promise<ConnectAnswer> {
    const rel = `net/connect/${target.role === 'server' ? 'server' : `${target.host}-${target.port}`}.json`;
    const answer = await this.read<ConnectAnswer>(rel);
    if ('notRecorded' in answer || 'timedOut' in answer) return { tcp: answer };
    return typeof answer.tcp === 'object' && answer.tcp !== null ? answer : { tcp: { notRecorded: `${rel}: not a connect answer` } };
  }

  private async read<T>(rel: string): Promise<T | NoAnswer> {
    if (rel.includes('..') || rel.includes('\0')) return { notRecorded: `not a recording name: ${rel}` };
    try {
      const value: unknown = JSON.parse(await readFile(path.join(this.dir, rel), 'utf8'));
      return typeof value === 'object' && value !== null ? (value as T) : { notRecorded: `${rel}: not a JSON object` };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return { notRecorded: code === 'ENOENT' ? `no ${rel}` : `${rel}: ${(error as Error).message}` };
    }
  }
}
