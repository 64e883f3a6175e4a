import type { ComponentChildren } from 'preact';
import type { Severity, TopReason } from '@fleetmedic/protocol';
import type { ApiError } from '../api/client.js';
import type { FindingState, Health } from '../api/types.js';
import { HEALTH_WORDS, ago, dateTime, errorHint } from '../model/words.js';

/** Health as a coloured badge with words (never colour alone). */
export function HealthBadge({ health }: { health: Health }) {
  return <span class={`badge health-${health}`}>{HEALTH_WORDS[health] ?? health}</span>;
}

export function SeverityBadge({ severity }: { severity: Severity }) {
  return <span class={`badge sev-${severity}`}>{severity}</span>;
}

/** The severity of a Mac's top reason; `unknown` when the reason is something that could not be checked. */
export function ReasonBadge({ reason }: { reason: TopReason }) {
  return <span class={`badge sev-${reason.severity}`}>{reason.severity === 'unknown' ? 'not checked' : reason.severity}</span>;
}

const STATE_WORDS: Record<FindingState, string> = {
  open: 'Open',
  'awaiting-consent': 'Fixed — waiting for the user to allow',
  resolved: 'Resolved',
};

export function FindingStateBadge({ state }: { state: FindingState }) {
  return <span class={`badge state-${state}`}>{STATE_WORDS[state] ?? state}</span>;
}

/** Online/offline with the last time the server heard from the Mac. */
export function Online({ online, lastSeenAt }: { online: boolean; lastSeenAt: string | null }) {
  return (
    <span class={online ? 'online' : 'offline'} title={lastSeenAt ? `Last seen ${dateTime(lastSeenAt)}` : 'Never seen'}>
      <span class="dot" aria-hidden="true" />
      {online ? 'Online' : `Offline, seen ${ago(lastSeenAt)}`}
    </span>
  );
}

/** An API error in words, with what to do about it (errorHint). */
export function ErrorBox({ error, what }: { error: ApiError; what: string }) {
  const hint = errorHint(error);
  return (
    <div class="error" role="alert">
      <strong>Could not load {what}.</strong> {error.message} {hint}
    </div>
  );
}

/** A titled block of the page with an id for in-page links. */
export function Panel({ id, title, extra, children }: { id?: string; title: string; extra?: ComponentChildren; children: ComponentChildren }) {
  return (
    <section class="panel" id={id} aria-labelledby={id ? `${id}-title` : undefined}>
      <div class="panel-head">
        <h2 id={id ? `${id}-title` : undefined}>{title}</h2>
        {extra}
      </div>
      {children}
    </section>
  );
}
