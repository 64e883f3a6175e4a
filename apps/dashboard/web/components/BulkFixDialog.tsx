import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import type { BatchView, RemediationAnswer, RemediationFilter } from '../api/types.js';
import { useApp, useLoad } from '../app-context.js';
import { batchCountWords, batchDone, batchNextStep, bulkErrorWords, groupSkipped, macs, summarizePlan, type PlanSummary, type SkipGroup } from '../model/bulk.js';
import { findingInfo } from '../model/findings.js';
import { href } from '../model/route.js';
import { COMMAND_STATUS_WORDS, actionLabel } from '../model/words.js';
import { ErrorBox } from './bits.js';

/** How often a running batch is polled besides the live events, in ms. */
const POLL_MS = 1_500;
/** Macs listed in the progress table (the counts cover the whole batch). */
const LISTED = 200;

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const asApiError = (err: unknown): ApiError => (err instanceof ApiError ? err : new ApiError(0, 'client', String(err)));

/** Skipped findings, one line per reason naming its Macs (one long remedy text, not one per Mac). */
function SkippedList({ groups }: { groups: SkipGroup[] }) {
  return (
    <ul class="bulk-skipped">
      {groups.map((g) => (
        <li key={g.reason}>
          {g.hostnames.map((h, i) => <span key={h}>{i > 0 && ', '}<strong>{h}</strong></span>)}: {g.reason}
        </li>
      ))}
    </ul>
  );
}

/** A dry run: what runs, on which Macs (by hostname), and the Macs skipped with the reason. */
function PlanList({ plan, summary }: { plan: RemediationAnswer; summary: PlanSummary }) {
  return (
    <>
      {summary.actions.map((a) => <p class="bulk-action" key={JSON.stringify(a.action)}>{a.words}</p>)}
      {plan.targets.length > 0 && (
        <>
          <h3>{macs(summary.targetMacs)} will get a command</h3>
          <ul class="bulk-targets">
            {plan.targets.map((t) => (
              <li key={`${t.deviceId}:${t.findingKey}`}><strong>{t.hostname}</strong>: {actionLabel(t.action)} <code>{t.action.type}</code></li>
            ))}
          </ul>
        </>
      )}
      {summary.skipped.length > 0 && (
        <>
          <h3>{summary.targetMacs > 0 ? `${macs(summary.skippedMacs)} skipped` : `Why ${summary.skippedMacs === 1 ? 'it' : 'they'} cannot be fixed from here`}</h3>
          <SkippedList groups={summary.skipped} />
        </>
      )}
      {plan.targets.length === 0 && plan.skipped.length === 0 && (
        <p class="note">No Mac in this list has this problem open any more: nothing would be sent.</p>
      )}
    </>
  );
}

/**
 * Follows a batch until nothing is pending: live `command.updated` events of its commands, and a
 * poll every 1.5 s while any is pending (events can be missed while the feed reconnects).
 */
function BatchProgress({ batchId }: { batchId: string }) {
  const { api } = useApp();
  const ids = useRef(new Set<string>());
  const loaded = useLoad(
    () => api.batch(batchId, { limit: LISTED }),
    [api, batchId],
    (e) => (e.type === 'command.updated' && ids.current.has(e.commandId)) || e.type === 'resync',
  );
  const batch: BatchView | null = loaded.data;
  if (batch) ids.current = new Set(batch.commands.map((c) => c.id));
  // The server pages in command-id order (hostnames change mid-walk); the table reads by hostname,
  // code-point order as the plan's (Postgres C collation), then device id as the plan breaks ties.
  const rows = batch ? [...batch.commands].sort((a, b) => cmp(a.hostname, b.hostname) || cmp(a.deviceId, b.deviceId)) : [];
  const done = batch ? batchDone(batch.counts) : false;
  const next = batch ? batchNextStep(batch) : null;
  useEffect(() => {
    if (done) return;
    const timer = setInterval(loaded.reload, POLL_MS);
    return () => clearInterval(timer);
  }, [done, loaded.reload]);

  if (!batch) return loaded.error ? <ErrorBox error={loaded.error} what="the batch" /> : <p role="status">Loading the batch…</p>;
  return (
    <div class="batch" data-batch-id={batch.id} data-done={String(done)}>
      <p class={`cmd-status ${done ? (batch.counts.succeeded === batch.counts.total ? 'status-succeeded' : 'status-failed') : ''}`} role="status" aria-live="polite">
        {done ? 'Done: ' : 'Running: '}{batchCountWords(batch.counts)}
      </p>
      <progress class="batch-progress" max={batch.counts.total} value={batch.counts.total - batch.counts.pending} aria-label="Commands with a result" />
      {next && <p class="note batch-next">{next}</p>}
      {loaded.error && <ErrorBox error={loaded.error} what="the batch" />}
      <table class="batch-commands">
        <caption class="sr-only">Command of each Mac</caption>
        <thead><tr><th scope="col">Mac</th><th scope="col">Action</th><th scope="col">Status</th></tr></thead>
        <tbody>
          {rows.map((c) => (
            <tr key={c.id} data-command-id={c.id} data-status={c.status}>
              <th scope="row"><a href={href({ page: 'device', id: c.deviceId })}>{c.hostname}</a></th>
              <td>{actionLabel(c.action)}</td>
              <td>
                <span class={`cmd-badge status-${c.status}`}>{COMMAND_STATUS_WORDS[c.status] ?? c.status}</span>
                {c.reason && <span class={c.status === 'succeeded' ? 'muted' : 'bad-text'}> {c.reason}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {batch.nextCursor && <p class="note">The first {batch.commands.length} of {macs(batch.counts.total)} are listed; the counts above cover them all.</p>}
      {batch.skipped.length > 0 && (
        <details class="batch-skipped">
          <summary>{macs(new Set(batch.skipped.map((x) => x.deviceId)).size)} skipped</summary>
          <SkippedList groups={groupSkipped(batch.skipped)} />
        </details>
      )}
    </div>
  );
}

/**
 * Bulk fix of one finding on the Macs of a filtered device list: a dry run names the target Macs
 * and the skipped ones with the reason (Cancel focused), Confirm queues the batch, then each
 * Mac's command is followed live until none is pending. A modal <dialog>: Escape closes it.
 */
export function BulkFixDialog({ findingId, filter, onClose }: { findingId: string; filter: RemediationFilter; onClose: () => void }) {
  const { api, learnedViewer } = useApp();
  const ref = useRef<HTMLDialogElement>(null);
  const [plan, setPlan] = useState<RemediationAnswer | null>(null);
  const [batchId, setBatchId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const title = findingInfo(findingId).title;
  const closeRef = useRef<HTMLButtonElement>(null);
  // The Send button goes away once the batch exists: move focus to Close rather than the page.
  useEffect(() => closeRef.current?.focus(), [batchId]);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  const failed = (err: unknown, stage: 'list' | 'send') => {
    const e = asApiError(err);
    if (e.forbidden) learnedViewer();
    setError(bulkErrorWords(e, stage));
  };
  const listMacs = () => api.remediate(findingId, true, filter).then(setPlan, (err) => failed(err, 'list'));

  useEffect(() => {
    listMacs();
  }, [api, findingId, JSON.stringify(filter)]);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      const created = await api.remediate(findingId, false, filter);
      // The real run's own plan: Macs may have changed since the dry run.
      setPlan(created);
      setBatchId(created.batchId);
    } catch (err) {
      failed(err, 'send');
      // A 409 means the dry run is stale: show the Macs as they are now.
      if (asApiError(err).status === 409) listMacs();
    } finally {
      setBusy(false);
    }
  };

  const summary = plan ? summarizePlan(plan) : null;
  const n = summary?.targetMacs ?? 0;
  const heading = batchId
    ? `Fixing “${title}” on ${macs(n)}`
    : !summary
      ? `Fix “${title}” on every Mac in this list?`
      : n > 0
        ? `Fix “${title}” on ${macs(n)}?`
        : `Nothing to fix automatically: “${title}”`;
  return (
    <dialog ref={ref} class="fix-dialog" aria-labelledby="bulk-fix-title" onCancel={(e) => { e.preventDefault(); onClose(); }}>
      <h2 id="bulk-fix-title">{heading}</h2>
      {!batchId && (
        <>
          {!plan && !error && <p role="status">Listing the Macs…</p>}
          {plan && summary && <PlanList plan={plan} summary={summary} />}
          {n > 0 && <p class="muted small">A Mac that is offline now gets its command when it connects.</p>}
          {error && <p class="error" role="alert">{error}</p>}
          <div class="dialog-buttons">
            <button type="button" onClick={onClose} autofocus>{plan && n === 0 ? 'Close' : 'Cancel'}</button>
            {plan && n > 0 && (
              <button type="button" class="primary" onClick={confirm} disabled={busy}>
                {busy ? 'Sending…' : `Send to ${macs(n)}`}
              </button>
            )}
          </div>
        </>
      )}
      {batchId && (
        <>
          <BatchProgress batchId={batchId} />
          <div class="dialog-buttons">
            <button type="button" class="primary" onClick={onClose} ref={closeRef}>Close</button>
          </div>
        </>
      )}
    </dialog>
  );
}
