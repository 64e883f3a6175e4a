import type { Action } from '@fleetmedic/protocol';
import type { CommandStatus } from '@fleetmedic/protocol';
import type {
  BatchView, CommandView, DeviceDetail, DeviceHistory, DeviceListPage, DeviceSections, FleetChanges, FleetSample, FleetSummary, Me, RawDeviceDetail,
  RemediationAnswer, RemediationFilter,
} from './types.js';

/**
 * An HTTP error from the API, with the server's `{ error, message }` body when it sent one.
 * `status` 0 means the server could not be reached at all.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get unauthorized(): boolean {
    return this.status === 401;
  }

  get forbidden(): boolean {
    return this.status === 403;
  }

  get notFound(): boolean {
    return this.status === 404;
  }
}

/** Query of `GET /api/v1/devices`; empty values are left out of the URL. */
export interface DeviceQuery {
  search?: string;
  finding?: string;
  health?: string;
  online?: string;
  sort?: string;
  limit?: number;
  cursor?: string;
}

/** Query of `GET /api/v1/batches/:id`: page size (1..500, server default 50), the previous page's `nextCursor`, one command status. */
export interface BatchQuery {
  limit?: number;
  cursor?: string;
  status?: CommandStatus;
}

/**
 * The device detail as the page uses it: sections keyed by name (os, zoom, tcc, firewall, usb,
 * power; each the agent's Section with `updatedAt` added) and findings keyed by rule id.
 */
export function toDeviceDetail(raw: RawDeviceDetail): DeviceDetail {
  const sections: Record<string, unknown> = {};
  for (const s of raw.sections) sections[s.section] = { ...s.body, updatedAt: s.updatedAt };
  return {
    device: raw.device,
    sections: sections as DeviceSections,
    findings: raw.findings.map(({ id, ruleId, ...rest }) => ({ ...rest, id: ruleId, uid: id })),
    commands: raw.commands,
    restart: raw.restart,
  };
}

/** `fetch` as the browser and Node both provide it. */
export type Fetch = typeof fetch;

/** Builds `?a=1&b=2` from the non-empty values, or '' when there are none. */
export function queryString(query: object): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Turns a non-2xx response into an ApiError, reading `{ error, message }` when the body has it. */
export async function errorFrom(response: Response): Promise<ApiError> {
  let code = `http-${response.status}`;
  let message = `${response.status} ${response.statusText}`.trim();
  try {
    const body = (await response.json()) as { error?: unknown; message?: unknown };
    if (typeof body.error === 'string') code = body.error;
    if (typeof body.message === 'string') message = body.message;
  } catch {
    // Not JSON (a proxy's HTML page, an empty body): the status line is all there is.
  }
  return new ApiError(response.status, code, message);
}

/**
 * The public HTTP API under `/api/v1`, authenticated with an admin bearer token.
 * Every method resolves with the parsed JSON body or rejects with an ApiError.
 */
export class ApiClient {
  constructor(
    readonly token: string,
    readonly base = '/api/v1',
    private readonly fetchImpl: Fetch = (...args) => fetch(...args),
  ) {}

  /** Headers every call carries. */
  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { Authorization: `Bearer ${this.token}`, Accept: 'application/json', ...extra };
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.base}${path}`, {
        method,
        headers: this.headers(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new ApiError(0, 'unreachable', `The server could not be reached (${(error as Error).message}).`);
    }
    if (!response.ok) throw await errorFrom(response);
    return (await response.json()) as T;
  }

  /** `GET /me`: who the token belongs to. Rejects with 404 on servers that do not have it yet. */
  me(): Promise<Me> {
    return this.request('GET', '/me');
  }

  summary(): Promise<FleetSummary> {
    return this.request('GET', '/fleet/summary');
  }

  /** `GET /fleet/changes?hours=&finding=&limit=`: what changed on the Macs with each open finding just before it appeared. */
  changes(opts: { hours?: number; finding?: string; limit?: number } = {}): Promise<FleetChanges> {
    return this.request('GET', `/fleet/changes${queryString(opts)}`);
  }

  /** `GET /fleet/trend?hours=`: the fleet's samples of the last `hours` (1..2160, server default 168), oldest first. */
  trend(hours = 168): Promise<{ samples: FleetSample[] }> {
    return this.request('GET', `/fleet/trend${queryString({ hours })}`);
  }

  devices(query: DeviceQuery): Promise<DeviceListPage> {
    return this.request('GET', `/devices${queryString(query)}`);
  }

  async device(id: string): Promise<DeviceDetail> {
    return toDeviceDetail(await this.request<RawDeviceDetail>('GET', `/devices/${encodeURIComponent(id)}`));
  }

  history(id: string, limit = 20): Promise<DeviceHistory> {
    return this.request('GET', `/devices/${encodeURIComponent(id)}/history?limit=${limit}`);
  }

  /** Queues one typed action for one device; resolves with the new command (status `queued`). */
  sendCommand(deviceId: string, action: Action): Promise<CommandView> {
    return this.request('POST', `/devices/${encodeURIComponent(deviceId)}/commands`, { action });
  }

  command(id: string): Promise<CommandView> {
    return this.request('GET', `/commands/${encodeURIComponent(id)}`);
  }

  cancelCommand(id: string): Promise<CommandView> {
    return this.request('POST', `/commands/${encodeURIComponent(id)}/cancel`, {});
  }

  /**
   * `POST /remediations`: a bulk fix of `findingId` on the Macs matching `filter`. `dryRun` true
   * only lists the targets and the skipped Macs (200); false queues one command per target (201,
   * with the batchId). Operators and admins only (403 otherwise); 409 when no Mac would get a command.
   */
  remediate(findingId: string, dryRun: boolean, filter: RemediationFilter = {}): Promise<RemediationAnswer> {
    return this.request('POST', '/remediations', { findingId, dryRun, filter });
  }

  /**
   * `GET /batches/:id`: a batch's counts (all its commands, in every page) and one page of its
   * commands with their status, in command-id order (immutable, unlike hostnames, so a walk sees
   * each command once); `nextCursor` (null on the last page) as `query.cursor` gives the next page.
   */
  batch(id: string, query: BatchQuery = {}): Promise<BatchView> {
    return this.request('GET', `/batches/${encodeURIComponent(id)}${queryString(query)}`);
  }
}
