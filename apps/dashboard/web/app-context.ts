import { createContext } from 'preact';
import { useContext, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, type ApiClient } from './api/client.js';
import type { LiveEvent, LiveFeed } from './api/live.js';
import type { Session } from './session.js';
import { Reloader } from './model/reloader.js';

/** What every page needs: the API client, the live feed, the session and how to change it. */
export interface AppContext {
  api: ApiClient;
  live: LiveFeed;
  session: Session;
  /** The server said 403 to a command: the token is a viewer's. */
  learnedViewer: () => void;
  signOut: (message?: string) => void;
}

export const App = createContext<AppContext | null>(null);

export function useApp(): AppContext {
  const ctx = useContext(App);
  if (!ctx) throw new Error('useApp outside <App.Provider>');
  return ctx;
}

/** State of one loaded resource. `data` stays while a refetch runs, so the page does not flicker. */
export interface Loaded<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads `load()` now and again whenever `deps` change or a live event passes `relevant`.
 * Events within `foldMs` of the first are folded into one refetch (fleet-wide pages use a
 * longer window: a big fleet reports every second), and refetches asked for while one runs into
 * one after it (Reloader), so every load lands however busy the fleet. A 401 signs the admin out.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], relevant: (event: LiveEvent) => boolean, foldMs = 150): Loaded<T> {
  const { live, signOut } = useApp();
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const loadRef = useRef(load);
  loadRef.current = load;
  const relevantRef = useRef(relevant);
  relevantRef.current = relevant;
  const signOutRef = useRef(signOut);
  signOutRef.current = signOut;

  const reloader = useMemo(() => new Reloader<T>(() => loadRef.current(), {
    started: () => setLoading(true),
    loaded: (value) => {
      setData(value);
      setError(null);
      setLoading(false);
    },
    failed: (err) => {
      const apiError = err instanceof ApiError ? err : new ApiError(0, 'client', String(err));
      if (apiError.unauthorized) return signOutRef.current('The server no longer accepts this token. Sign in again.');
      setError(apiError);
      setLoading(false);
    },
  }), []);

  useEffect(() => {
    setData(null);
    reloader.restart();
  }, deps);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const off = live.subscribe((event) => {
      if (!relevantRef.current(event) || timer) return;
      timer = setTimeout(() => {
        timer = null;
        reloader.refresh();
      }, foldMs);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [live, reloader, foldMs]);

  return { data, error, loading, reload: () => reloader.refresh() };
}
