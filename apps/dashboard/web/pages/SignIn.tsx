import { useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import { checkToken, type Session } from '../session.js';

/** Paste an API token (admin, operator or viewer); it is checked against the API before the page opens. */
export function SignIn({ message, onSignedIn }: { message: string | null; onSignedIn: (session: Session) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    const trimmed = token.trim();
    if (!trimmed) return setError('Paste an API token first.');
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await checkToken(trimmed));
    } catch (err) {
      const apiError = err instanceof ApiError ? err : new ApiError(0, 'client', String(err));
      setError(
        apiError.unauthorized
          ? 'The server does not accept this token. Check that you copied all of it and that it was not revoked.'
          : apiError.forbidden
            ? 'This token may not read the fleet.'
            : `Could not check the token: ${apiError.message}`,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="signin" id="main">
      <h1>FleetMedic</h1>
      <p>Which Macs cannot join a call, and why.</p>
      {message && <p class="notice" role="status">{message}</p>}
      <form onSubmit={submit}>
        <label for="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellcheck={false}
          value={token}
          onInput={(e) => setToken((e.target as HTMLInputElement).value)}
          aria-describedby="token-help"
          aria-invalid={error ? true : undefined}
        />
        <p id="token-help" class="help">An admin, operator or viewer token (<code>fm_admin_…</code>, <code>fm_operator_…</code>, <code>fm_viewer_…</code>). Kept in this browser tab only, until you sign out or close the tab.</p>
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Checking…' : 'Sign in'}</button>
      </form>
    </main>
  );
}
