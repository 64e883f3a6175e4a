import http from 'node:http';
import https from 'node:https';
import { EnrollResponse, validator, type EnrollRequest } from '@fleetmedic/protocol';

const checkResponse = validator(EnrollResponse);

/**
 * Enrollment refused or impossible: `status` is the HTTP status when the server answered;
 * `retryAfterMs` the wait its `Retry-After` header asked for (ms), null when it sent none usable.
 */
export class EnrollError extends Error {
  override name = 'EnrollError';
  constructor(message: string, readonly status: number | null, readonly retryAfterMs: number | null = null) {
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
  let res: Answer;
  try {
    res = await postJson(url, JSON.stringify(request), timeoutMs);
  } catch (error) {
    throw new EnrollError(`cannot reach ${url.href}: ${(error as Error).message}`, null);
  }
  const { text } = res;
  if (res.status < 200 || res.status > 299) {
    throw new EnrollError(`enrollment refused by ${url.href}: HTTP ${res.status} ${text.slice(0, 500)}`, res.status, parseRetryAfter(res.retryAfter));
  }
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

/**
 * A `Retry-After` header value (RFC 9110 §10.2.3: delay-seconds, or an HTTP-date) as milliseconds
 * from `now` (0 for a date already past); null when absent or neither form.
 */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only a date with a weekday and GMT, as HTTP sends it: Date.parse alone takes "1" or "soon-ish".
  if (!/^[A-Za-z]{3}, .* GMT$/.test(text)) return null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** An HTTP answer: status, body as text, and the Retry-After header when sent. */
interface Answer {
  status: number;
  text: string;
  retryAfter?: string;
}

/** Largest enrollment answer read, bytes: a few hundred are expected. */
const MAX_ANSWER_BYTES = 1024 * 1024;

/**
 * POSTs a JSON body with node:http(s) (already loaded for the WebSocket; global fetch would load
 * undici for this one request, about 9 MB that stay resident) and resolves with the status, the
 * body as text and any Retry-After header. Rejects on a network error, after `timeoutMs` in all, or past MAX_ANSWER_BYTES.
 * Redirects are not followed (nor are they by the WebSocket).
 */
function postJson(url: URL, body: string, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const req = (url.protocol === 'https:' ? https : http).request(url, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) req.destroy(new Error(`answer larger than ${MAX_ANSWER_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => {
        clearTimeout(timer);
        const retryAfter = res.headers['retry-after'];
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), ...(retryAfter === undefined ? {} : { retryAfter }) });
      });
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(body);
  });
}

/** ws:// or wss:// URL of the agent gateway for an http(s) server URL. */
export function agentSocketUrl(serverUrl: string): string {
  const url = new URL('/api/v1/agent/ws', serverUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}
