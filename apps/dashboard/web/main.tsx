import { render } from 'preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { ApiClient } from './api/client.js';
import { LiveFeed } from './api/live.js';
import { App, type AppContext } from './app-context.js';
import { Layout } from './components/Layout.js';
import { parseRoute, type Route } from './model/route.js';
import { DeviceList } from './pages/DeviceList.js';
import { DevicePage } from './pages/DevicePage.js';
import { Overview } from './pages/Overview.js';
import { SignIn } from './pages/SignIn.js';
import { checkToken, clearToken, loadToken, saveToken, type Session } from './session.js';

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onHash = () => {
      setRoute(parseRoute(location.hash));
      window.scrollTo(0, 0);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return route;
}

const TITLES: Record<Route['page'], string> = {
  overview: 'Overview',
  devices: 'Devices',
  device: 'Device',
  'not-found': 'Not found',
};

function Signed({ session, setSession, signOut }: { session: Session; setSession: (s: Session) => void; signOut: AppContext['signOut'] }) {
  const route = useRoute();
  const api = useMemo(() => new ApiClient(session.token), [session.token]);
  const live = useMemo(
    () => new LiveFeed({
      url: `${api.base}/events`,
      headers: () => api.headers(),
      onUnauthorized: () => signOut('The server no longer accepts this token. Sign in again.'),
    }),
    [api],
  );
  useEffect(() => {
    live.start();
    return () => live.stop();
  }, [live]);
  useEffect(() => {
    document.title = `${TITLES[route.page]} · FleetMedic`;
  }, [route.page]);
  const learnedViewer = useCallback(() => setSession({ ...session, role: 'viewer' }), [session]);
  const ctx = useMemo<AppContext>(() => ({ api, live, session, learnedViewer, signOut }), [api, live, session, learnedViewer, signOut]);

  return (
    <App.Provider value={ctx}>
      <Layout route={route}>
        {route.page === 'overview' && <Overview />}
        {route.page === 'devices' && <DeviceList filters={route.filters} />}
        {route.page === 'device' && <DevicePage id={route.id} />}
        {route.page === 'not-found' && (
          <div class="page">
            <h1>Not found</h1>
            <p>
              Nothing lives at <code>{route.path}</code>. <a href="#/">Go to the overview</a>.
            </p>
          </div>
        )}
      </Layout>
    </App.Provider>
  );
}

/** Signs in (token from this tab's sessionStorage, checked again on load), then shows the pages. */
function Root() {
  const [session, setSession] = useState<Session | null>(null);
  const [checking, setChecking] = useState(() => loadToken() !== null);
  const [message, setMessage] = useState<string | null>(null);

  useEffect(() => {
    const token = loadToken();
    if (!token) return;
    checkToken(token).then(
      (s) => setSession(s),
      () => {
        clearToken();
        setMessage('Your saved token is no longer accepted. Sign in again.');
      },
    ).finally(() => setChecking(false));
  }, []);

  const signOut = useCallback((why?: string) => {
    clearToken();
    setSession(null);
    setMessage(why ?? null);
  }, []);

  if (checking) return <p class="page" role="status">Checking your token…</p>;
  if (!session) {
    return (
      <SignIn
        message={message}
        onSignedIn={(s) => {
          saveToken(s.token);
          setMessage(null);
          setSession(s);
        }}
      />
    );
  }
  return <Signed session={session} setSession={setSession} signOut={signOut} />;
}

render(<Root />, document.getElementById('app')!);
