import { EnrollResponse, validator, type EnrollRequest } from '@fleetmedic/protocol';

const checkResponse = validator(EnrollResponse);

/** Enrollment refused or impossible: `status` is the HTTP status when the server answered. */
export class EnrollError extends Error {
  override name = 'EnrollError';
  constructor(message: string, readonly status: number | null) {
    super(message);
  }
}

/**
 * `POST <server>/api/v1/enroll` with `{ enrollSecret, host }` -> `{ deviceId, deviceToken }`.
 * Throws EnrollError with the server's words on a non-2xx answer or a malformed body.
 */
export async function enroll(serverUrl: string, request: EnrollRequest, timeoutMs = 15_000): Promise<EnrollResponse> {
  const url = new URL('/api/v1/enroll', serverUrl);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new EnrollError(`cannot reach ${url.href}: ${(error as Error).message}`, null);
  }
  const text = await res.text();
  if (!res.ok) throw new EnrollError(`enrollment refused by ${url.href}: HTTP ${res.status} ${text.slice(0, 500)}`, res.status);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new EnrollError(`enrollment answer from ${url.href} is not JSON: ${text.slice(0, 200)}`, res.status);
  }
  const checked = checkResponse(body);
  if (!checked.ok) throw new EnrollError(`enrollment answer from ${url.href} is malformed: ${checked.errors.join('; ')}`, res.status);
  return checked.value;
}

/** ws:// or wss:// URL of the agent gateway for an http(s) server URL. */
export function agentSocketUrl(serverUrl: string): string {
  const url = new URL('/api/v1/agent/ws', serverUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}
