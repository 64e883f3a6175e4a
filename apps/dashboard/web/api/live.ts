import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { CommandStatus } from '@fleetmedic/protocol';
import type { Fetch } from './client.js';

/**
 * What the page hears about changes.
 * - `device.updated`: a device's state, findings or online flag changed (event of `GET /api/v1/events`).
 * - `command.updated`: a command changed status (event of `GET /api/v1/events`).
 * - `resync`: anything may have changed (a polling tick every 5 s, or the stream came back after
 *   a gap): refetch what is on screen.
 */
export type LiveEvent =
  | { type: 'device.updated'; deviceId: string }
  | { type: 'command.updated'; commandId: string; deviceId: string; status: CommandStatus }
  | { type: 'resync' };

/** `streaming` = server-sent events flow; `polling` = no stream (404 or broken), ticking every pollMs. */
export type LiveMode = 'connecting' | 'streaming' | 'polling';

export interface LiveOptions {
  /** e.g. `/api/v1/events` */
  url: string;
  /** Authorization header and friends; EventSource cannot send headers, so the stream is read with fetch. */
  headers: () => Record<string, string>;
  fetchImpl?: Fetch;
  /** Polling period when there is no stream, ms. */
  pollMs?: number;
  /** Delay before trying the stream again after it broke, ms (doubles up to maxRetryMs). */
  retryMs?: number;
  maxRetryMs?: number;
  /** Delay before asking again whether a server that answered 404 has gained the endpoint, ms. */
  reprobeMs?: number;
  /** Called once on 401/403: the token is no longer good. The feed stops. */
  onUnauthorized?: (status: number) => void;
}

/**
 * Parses one server-sent event into a LiveEvent, or null for events the page does not use
 * (comments, `ready`, unknown names) and for data that is not the agreed JSON.
 */
export function toLiveEvent(message: EventSourceMessage): LiveEvent | null {
  let data: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(message.data);
    if (typeof parsed !== 'object' || parsed === null) return null;
    data = parsed as Record<string, unknown>;
  } catch {
    return null;
  }
  if (message.event === 'device.updated' && typeof data.deviceId === 'string') {
    return { type: 'device.updated', deviceId: data.deviceId };
  }
  if (
    message.event === 'command.updated'
    && typeof data.commandId === 'string'
    && typeof data.deviceId === 'string'
    && typeof data.status === 'string'
  ) {
    return { type: 'command.updated', commandId: data.commandId, deviceId: data.deviceId, status: data.status as CommandStatus };
  }
  return null;
}

/**
 * Live updates: reads `GET /api/v1/events` (text/event-stream) with fetch; falls back to a
 * `resync` tick every 5 s when the server answers 404 (no endpoint yet) or the stream breaks,
 * and keeps trying the stream in the background. One instance per signed-in page.
 */
export class LiveFeed {
  private listeners = new Set<(event: LiveEvent) => void>();
  private modeListeners = new Set<(mode: LiveMode) => void>();
  private current: LiveMode = 'connecting';
  private abort: AbortController | null = null;
  private pollTimer: ReturnType<typeof setInterval> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retryDelay: number;
  private stopped = true;
  private readonly fetchImpl: Fetch;
  private readonly pollMs: number;
  private readonly retryMs: number;
  private readonly maxRetryMs: number;
  private readonly reprobeMs: number;

  constructor(private readonly options: LiveOptions) {
    this.fetchImpl = options.fetchImpl ?? ((...args) => fetch(...args));
    this.pollMs = options.pollMs ?? 5_000;
    this.retryMs = options.retryMs ?? 2_000;
    this.maxRetryMs = options.maxRetryMs ?? 30_000;
    this.reprobeMs = options.reprobeMs ?? 60_000;
    this.retryDelay = this.retryMs;
  }

  get mode(): LiveMode {
    return this.current;
  }

  /** Listens to events; returns the function that stops listening. */
  subscribe(listener: (event: LiveEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onMode(listener: (mode: LiveMode) => void): () => void {
    this.modeListeners.add(listener);
    return () => this.modeListeners.delete(listener);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
    this.abort = null;
    this.stopPolling();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private emit(event: LiveEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  private setMode(mode: LiveMode): void {
    if (mode === this.current) return;
    this.current = mode;
    for (const listener of [...this.modeListeners]) listener(mode);
  }

  private startPolling(): void {
    this.setMode('polling');
    if (this.pollTimer) return;
    this.pollTimer = setInterval(() => this.emit({ type: 'resync' }), this.pollMs);
  }

  private stopPolling(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  private scheduleReconnect(delay: number): void {
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const abort = new AbortController();
    this.abort = abort;
    let response: Response;
    try {
      response = await this.fetchImpl(this.options.url, {
        headers: { ...this.options.headers(), Accept: 'text/event-stream' },
        signal: abort.signal,
      });
    } catch {
      return this.broken();
    }
    if (this.stopped) return;
    if (response.status === 401 || response.status === 403) {
      this.stop();
      this.options.onUnauthorized?.(response.status);
      return;
    }
    const isStream = (response.headers.get('content-type') ?? '').includes('text/event-stream');
    if (response.status === 404 || response.status === 405 || response.status === 501 || (response.ok && !isStream)) {
      // No event endpoint on this server (yet): poll, and ask again now and then.
      void response.body?.cancel();
      this.startPolling();
      return this.scheduleReconnect(this.reprobeMs);
    }
    if (!response.ok || !response.body) {
      void response.body?.cancel();
      return this.broken();
    }
    await this.read(response.body, abort.signal);
  }

  private async read(body: ReadableStream<Uint8Array>, signal: AbortSignal): Promise<void> {
    const wasPolling = this.current === 'polling';
    this.stopPolling();
    this.setMode('streaming');
    this.retryDelay = this.retryMs;
    // Events may have been missed while there was no stream: refetch once.
    if (wasPolling) this.emit({ type: 'resync' });
    const parser = createParser({
      onEvent: (message) => {
        const event = toLiveEvent(message);
        if (event) this.emit(event);
      },
    });
    const reader = body.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } catch {
      // Network drop or abort: handled below.
    }
    if (signal.aborted || this.stopped) return;
    this.broken();
  }

  /** The stream failed or ended: poll meanwhile and try again later, backing off. */
  private broken(): void {
    if (this.stopped) return;
    this.startPolling();
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, this.maxRetryMs);
    this.scheduleReconnect(delay);
  }
}
