import { ApiClient, ApiError } from './api/client.js';
import type { Role } from './api/types.js';

const TOKEN_KEY = 'fleetmedic.adminToken';

/** The token pasted at sign-in, kept for this browser tab only (sessionStorage). */
export const loadToken = (): string | null => sessionStorage.getItem(TOKEN_KEY);
export const saveToken = (token: string): void => sessionStorage.setItem(TOKEN_KEY, token);
export const clearToken = (): void => sessionStorage.removeItem(TOKEN_KEY);

/** Who is signed in. `role` is 'unknown' on servers without `GET /me` until a 403 teaches it. */
export interface Session {
  token: string;
  name: string | null;
  role: Role | 'unknown';
}

/**
 * Checks a token against the API: `GET /me` when the server has it, else `GET /fleet/summary`
 * (any valid token may read it). Rejects with the ApiError (401: token not accepted).
 */
export async function checkToken(token: string): Promise<Session> {
  const api = new ApiClient(token);
  try {
    const me = await api.me();
    return { token, name: me.name, role: me.role };
  } catch (error) {
    if (!(error instanceof ApiError) || !error.notFound) throw error;
  }
  await api.summary();
  return { token, name: null, role: await probeRole(api) };
}

/**
 * The role of a token on servers without `GET /me`, from answers that change nothing: cancelling
 * a command id that does not exist is refused with 403 below operator (404 otherwise), and the
 * admin token list answers 200 to admins only. 'unknown' when the answers say neither.
 */
export async function probeRole(api: ApiClient): Promise<Role | 'unknown'> {
  const status = (p: Promise<unknown>) => p.then(() => 200, (e: unknown) => (e instanceof ApiError ? e.status : 0));
  const cancel = await status(api.request('POST', '/commands/role-probe/cancel', {}));
  if (cancel === 403) return 'viewer';
  if (cancel !== 404 && cancel !== 409) return 'unknown';
  return (await status(api.request('GET', '/admin/tokens'))) === 200 ? 'admin' : 'operator';
}

/** Viewers read; operators and admins may also send commands. Unknown roles get the buttons and learn from a 403. */
export const canFix = (role: Session['role']): boolean => role !== 'viewer';
