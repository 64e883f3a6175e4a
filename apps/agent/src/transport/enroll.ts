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
 * What enrollment gave this agent. `serverPublicKey`: the server's command-signing key (Ed25519,
 * raw 32 bytes, base64url) to pin, or null when the server sent none (a server from before
 * command signing: this agent then refuses every command, as it cannot check them).
 */
export interface EnrollAnswer {
  deviceId: string;
  deviceToken: string;
  serverPublicKey: string | null;
}

/**
 * `POST <server>/api/v1/enroll` with `{ enrollSecret, host }` -> `{ deviceId, deviceToken, serverPublicKey }`.
 * Throws EnrollError with the server's words on a non-2xx answer or a malformed body (including
 * a public key that is not 32 base64url bytes).
 */
export async function enroll(serverUrl: string, request: EnrollRequest, timeoutMs = 15_000): Promise<EnrollAnswer> {
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
  const { deviceId, deviceToken, serverPublicKey } = checked.value;
  return { deviceId, deviceToken, serverPublicKey: serverPublicKey ?? null };
}

/** ws:// or wss:// URL of the agent gateway for an http(s) server URL. */
export function agentSocketUrl(serverUrl: string): string {
  const url = new URL('/api/v1/agent/ws', serverUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}
