/** One parsed server-sent event. */
export interface SseEvent { event: string; data: unknown }

/**
 * A real server-sent events client over fetch (what a browser's EventSource does, minus
 * reconnects): parses `event:` / `data:` blocks as they arrive, and waits for the ones asked for.
 */
export class SseClient {
  readonly events: SseEvent[] = [];
  private waiters: Array<() => void> = [];
  private ended = false;

  private constructor(readonly status: number, readonly contentType: string | null, private readonly abort: AbortController) {}

  /** GETs `url`; resolves once the response headers arrived (for a non-200, with the body as `error`). */
  static async open(url: string, headers: Record<string, string> = {}): Promise<SseClient & { error?: unknown }> {
    const abort = new AbortController();
    const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
    const client = new SseClient(res.status, res.headers.get('content-type'), abort);
    if (res.status !== 200) return Object.assign(client, { error: await res.json() });
    void client.read(res.body!);
    return client;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length > 0) this.events.push({ event, data: JSON.parse(data.join('\n')) });
          this.wake();
        }
      }
    } catch {
      // aborted by close()
    }
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** The first received event (not taken yet) matching `match`; rejects after `timeoutMs` or when the stream ended. */
  async next(match: (e: SseEvent) => boolean, timeoutMs = 10_000): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.events.findIndex(match);
      if (index >= 0) return this.events.splice(index, 1)[0]!;
      if (this.ended) throw new Error(`event stream ended; received: ${JSON.stringify(this.events)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; received: ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  /** Resolves when the server ended the stream. */
  async waitEnded(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error('event stream still open');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  close(): void {
    this.abort.abort();
  }
}
