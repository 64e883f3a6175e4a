import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import type { BatchView, RemediationAnswer, RemediationFilter } from '../api/types.js';
import { useApp, useLoad } from '../app-context.js';
import { batchCountWords, batchDone, macs } from '../model/bulk.js';
import { findingInfo } from '../model/findings.js';
import { COMMAND_STATUS_WORDS, actionLabel } from '../model/words.js';
import { ErrorBox } from './bits.js';

/** How often a running batch is polled besides the live events, in ms. */
const POLL_MS = 1_500;

const asApiError = (err: unknown): ApiError => (err instanceof ApiError ? err : new ApiError(0, 'client', String(err)));

/** The target and skipped Macs of a dry run, by hostname. */
function PlanList({ plan }: { plan: RemediationAnswer }) {
  return (
    <>
      {plan.targets.length > 0 && (
        <>
          <h3>{macs(plan.targets.length)} will get a command</h3>
          <ul class="bulk-targets">
            {plan.targets.map((t) => (
              <li key={`${t.deviceId}:${t.findingKey}`}><strong>{t.hostname}</strong>: {actionLabel(t.action)} <code>{t.action.type}</code></li>
            ))}
          </ul>
        </>
      )}
      {plan.skipped.length > 0 && (
        <>
          <h3>{macs(plan.skipped.length)} skipped</h3>
          <ul class="bulk-skipped">
            {plan.skipped.map((s) => <li key={`${s.deviceId}:${s.findingKey}`}><strong>{s.hostname}</strong>: {s.reason}</li>)}
          </ul>
        </>
      )}
      {plan.targets.length === 0 && <p class="note">No Mac in this list can be fixed automatically: nothing would be sent.</p>}
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
    () => api.batch(batchId),
    [api, batchId],
    (e) => (e.type === 'command.updated' && ids.current.has(e.commandId)) || e.type === 'resync',
  );
  const batch: BatchView | null = loaded.data;
  if (batch) ids.current = new Set(batch.commands.map((c) => c.id));
  const done = batch ? batchDone(batch.counts) : false;
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
      {loaded.error && <ErrorBox error={loaded.error} what="the batch" />}
      <table class="batch-commands">
        <caption class="sr-only">Command of each Mac</caption>
        <thead><tr><th scope="col">Mac</th><th scope="col">Action</th><th scope="col">Status</th></tr></thead>
        <tbody>
          {batch.commands.map((c) => (
            <tr key={c.id} data-command-id={c.id} data-status={c.status}>
              <th scope="row">{c.hostname}</th>
              <td>{actionLabel(c.action)}</td>
              <td>
                <span class={`cmd-badge status-${c.status}`}>{COMMAND_STATUS_WORDS[c.status] ?? c.status}</span>
                {c.reason && <span class={c.status === 'succeeded' ? 'muted' : 'bad-text'}> {c.reason}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
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

  const failed = (err: unknown, what: string) => {
    const e = asApiError(err);
    if (e.forbidden) {
      learnedViewer();
      setError('Your token is a viewer token: it may look but not send commands. Ask for an operator token.');
    } else setError(`${what}: ${e.message}`);
  };

  useEffect(() => {
    api.remediate(findingId, true, filter).then(setPlan, (err) => failed(err, 'Could not list the Macs to fix'));
  }, [api, findingId, JSON.stringify(filter)]);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      const created = await api.remediate(findingId, false, filter);
      setBatchId(created.batchId);
    } catch (err) {
      failed(err, 'Nothing was queued');
    } finally {
      setBusy(false);
    }
  };

  const n = plan?.targets.length ?? 0;
  return (
    <dialog ref={ref} class="fix-dialog" aria-labelledby="bulk-fix-title" onCancel={(e) => { e.preventDefault(); onClose(); }}>
      <h2 id="bulk-fix-title">{batchId ? `Fixing: ${title}` : `Fix “${title}” on ${plan ? macs(n) : 'every Mac in this list'}?`}</h2>
      {!batchId && (
        <>
          {!plan && !error && <p role="status">Listing the Macs…</p>}
          {plan && <PlanList plan={plan} />}
          {plan && n > 0 && <p class="note">Offline Macs get their command when they connect.</p>}
          {error && <p class="error" role="alert">{error}</p>}
          <div class="dialog-buttons">
            <button type="button" onClick={onClose} autofocus>Cancel</button>
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
