import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on Linux x86-64 and arm64). */
const USER_HZ = 100;

/** One process's resident memory (VmRSS, bytes) and CPU time (utime + stime, seconds), from /proc. */
export interface ProcSample {
  rssBytes: number;
  cpuSeconds: number;
  at: number;
}

/** Reads /proc/<pid>/status (VmRSS) and /proc/<pid>/stat (fields 14 utime, 15 stime). Throws when the process is gone. */
export function sampleProc(pid: number): ProcSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = /^VmRSS:\s+(\d+) kB/m.exec(status);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return { rssBytes: Number(rss?.[1] ?? 0) * 1024, cpuSeconds: (utime + stime) / USER_HZ, at: Date.now() };
}

/**
 * Times the process's threads went to sleep and were woken: the sum of voluntary_ctxt_switches
 * over /proc/<pid>/task/<tid>/status (the main thread, libuv's pool, V8's workers). Over an idle
 * stretch it counts wakeups: timers, the heartbeat, socket reads. Throws when the process is gone.
 */
export function voluntaryWakeups(pid: number): number {
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const m = /^voluntary_ctxt_switches:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'));
    total += Number(m?.[1] ?? 0);
  }
  return total;
}

/**
 * CPU seconds (utime + stime) used by every process of this machine whose command name is `comm`
 * (e.g. "postgres": the postmaster, its backends and workers), from /proc/<pid>/stat, counted from
 * the tracker's creation. Backends come and go (pools open and close connections), so each
 * `sample()` adds what every process used since the previous one; a process that started since
 * counts whole, and what one used between its last sample and its exit is lost: sample every second.
 */
export class CpuTracker {
  private last = new Map<number, number>();
  private used = 0;

  constructor(private readonly comm: string) {
    this.last = this.read();
  }

  /** Seconds used by the `comm` processes since the tracker was created, as of now. */
  sample(): number {
    const now = this.read();
    for (const [pid, cpu] of now) this.used += cpu - (this.last.get(pid) ?? 0);
    this.last = now;
    return this.used;
  }

  private read(): Map<number, number> {
    const out = new Map<number, number>();
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        continue; // exited meanwhile
      }
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== this.comm) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(pid), (Number(fields[11]) + Number(fields[12])) / USER_HZ);
    }
    return out;
  }
}

/** The soft and hard limits on open files of this process (/proc/self/limits). */
export function openFileLimits(): { soft: number; hard: number } {
  const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files')) ?? '';
  const [soft, hard] = line.replace('Max open files', '').trim().split(/\s+/).map(Number);
  return { soft: soft ?? 1024, hard: hard ?? 1024 };
}

/** Total memory and CPU count of the machine, from /proc/meminfo and nproc. */
export function machine(): { cpus: number; memoryBytes: number } {
  const mem = /^MemTotal:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  return { cpus: (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1, memoryBytes: Number(mem?.[1] ?? 0) * 1024 };
}
