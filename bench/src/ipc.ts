import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A request to a child process and its answer, matched by `seq`. */
interface Envelope {
  seq: number;
  method: string;
  params?: unknown;
  result?: unknown;
  error?: string;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** A forked TypeScript child (run through tsx) answering `call(method, params)` over the IPC channel. */
export class Child {
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly exited: Promise<number | null>;

  constructor(readonly proc: ChildProcess) {
    proc.on('message', (m: Envelope) => {
      const w = this.waiting.get(m.seq);
      if (!w) return;
      this.waiting.delete(m.seq);
      if (m.error) w.reject(new Error(m.error));
      else w.resolve(m.result);
    });
    this.exited = new Promise((resolve) => proc.once('exit', (code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`child ${proc.pid} exited (${code})`));
      this.waiting.clear();
      resolve(code);
    }));
  }

  /** Forks `bench/src/<script>` under tsx with extra node flags (e.g. --max-old-space-size). */
  static fork(script: string, opts: { nodeArgs?: string[]; env?: NodeJS.ProcessEnv } = {}): Child {
    const proc = fork(path.join(HERE, script), [], {
      execArgv: ['--import', 'tsx', ...(opts.nodeArgs ?? [])],
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Child(proc);
  }

  get pid(): number {
    return this.proc.pid!;
  }

  call<T>(method: string, params?: unknown, timeoutMs = 900_000): Promise<T> {
    const seq = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(seq);
        reject(new Error(`${method}: no answer from child ${this.pid} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(seq, {
        resolve: (v) => { clearTimeout(timer); resolve(v as T); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.proc.send({ seq, method, params } satisfies Envelope);
    });
  }

  /** Asks the child to stop (method "stop"), then kills it if it has not exited after `graceMs`. */
  async stop(graceMs = 30_000): Promise<void> {
    if (this.proc.exitCode !== null) return;
    await this.call('stop', undefined, graceMs).catch(() => {});
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** In a child: answers the parent's calls with `handlers`; "stop" runs `handlers.stop` then exits. */
export function serve(handlers: Record<string, (params: never) => unknown>): void {
  process.on('message', async (m: Envelope) => {
    let reply: Envelope;
    try {
      const handler = handlers[m.method];
      if (!handler) throw new Error(`unknown method ${m.method}`);
      reply = { seq: m.seq, method: m.method, result: (await handler(m.params as never)) ?? null };
    } catch (err) {
      reply = { seq: m.seq, method: m.method, error: (err as Error).stack ?? String(err) };
    }
    process.send!(reply);
    if (m.method === 'stop') setTimeout(() => process.exit(0), 50);
  });
  // The parent went away: do not linger.
  process.on('disconnect', () => process.exit(0));
}
