import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useApp } from '../app-context.js';
import type { LiveMode } from '../api/live.js';
import type { Route } from '../model/route.js';

const MODE_WORDS: Record<LiveMode, string> = {
  connecting: 'Connecting…',
  streaming: 'Live',
  polling: 'Refreshing every 5 s',
};

/** Header (name, navigation, live state, who is signed in) around a page. */
export function Layout({ route, children }: { route: Route; children: ComponentChildren }) {
  const { live, session, signOut } = useApp();
  const [mode, setMode] = useState<LiveMode>(live.mode);
  useEffect(() => live.onMode(setMode), [live]);
  const current = (page: Route['page']) => (route.page === page ? { 'aria-current': 'page' as const } : {});
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="#/">FleetMedic</a>
        <nav aria-label="Main">
          <a href="#/" {...current('overview')}>Overview</a>
          <a href="#/devices" {...current('devices')}>Devices</a>
        </nav>
        <span class={`live live-${mode}`} role="status" title="How this page learns about changes">
          <span class="dot" aria-hidden="true" />
          {MODE_WORDS[mode]}
        </span>
        <span class="who">
          {session.name ?? 'Signed in'}
          {session.role !== 'unknown' ? ` (${session.role})` : ''}
        </span>
        <button type="button" class="link-button" onClick={() => signOut()}>Sign out</button>
      </header>
      <main id="main" tabIndex={-1}>{children}</main>
    </>
  );
}
