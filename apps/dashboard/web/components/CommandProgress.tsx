import { useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import type { CommandView } from '../api/types.js';
import { useApp, useLoad } from '../app-context.js';
import { COMMAND_STEPS, isCancellable, isTerminal } from '../model/commands.js';
import { COMMAND_STATUS_WORDS, actionLabel, dateTime } from '../model/words.js';
import { ErrorBox } from './bits.js';

/** Output the agent sent back: exit code, reason, stdout, stderr (a tail). */
export function CommandOutput({ c }: { c: CommandView }) {
  if (!isTerminal(c.status)) return null;
  const hasOutput = Boolean(c.stdout || c.stderr);
  return (
    <div class="cmd-output">
      <p>
        {c.exitCode != null && <>Exit code <code>{c.exitCode}</code>. </>}
        {c.durationMs != null && <>Took {Math.round(c.durationMs)} ms. </>}
        {c.reason && <span class={c.status === 'succeeded' ? undefined : 'bad-text'}>{c.reason}</span>}
      </p>
      {c.stdout && <><h4>Output</h4><pre>{c.stdout}</pre></>}
      {c.stderr && <><h4>Errors</h4><pre class="stderr">{c.stderr}</pre></>}
      {!hasOutput && !c.reason && <p class="muted">No output.</p>}
    </div>
  );
}

/** Where a command is: steps done so far and its status in words; the announcement is polite. */
export function CommandSteps({ c }: { c: CommandView }) {
  const reached = COMMAND_STEPS.indexOf(c.status);
  const done = isTerminal(c.status);
  return (
    <div class="cmd-steps">
      <ol aria-hidden="true">
        {COMMAND_STEPS.map((s, i) => (
          <li key={s} class={done || i <= reached ? 'step-done' : undefined}>{s}</li>
        ))}
        <li class={done ? `step-done step-${c.status}` : undefined}>{done ? c.status.replace('_', ' ') : 'result'}</li>
      </ol>
      <p class={`cmd-status status-${c.status}`} role="status" aria-live="polite">
        {COMMAND_STATUS_WORDS[c.status] ?? c.status}
      </p>
    </div>
  );
}

/**
 * Follows one command live (command.updated events, or the 5 s polling tick) until it ends,
 * with a Cancel button while it is still queued or sent.
 */
export function CommandProgress({ initial }: { initial: CommandView }) {
  const { api } = useApp();
  const [cancelError, setCancelError] = useState<string | null>(null);
  const loaded = useLoad(
    () => api.command(initial.id),
    [api, initial.id],
    (e) => (e.type === 'command.updated' && e.commandId === initial.id) || e.type === 'resync',
  );
  const c = loaded.data ?? initial;
  const cancel = async () => {
    setCancelError(null);
    try {
      await api.cancelCommand(c.id);
      loaded.reload();
    } catch (err) {
      setCancelError(err instanceof ApiError ? err.message : String(err));
    }
  };
  return (
    <div class="cmd" data-command-id={c.id} data-status={c.status}>
      <p class="cmd-title">
        <strong>{actionLabel(c.action)}</strong> <span class="muted">queued {dateTime(c.createdAt)}{c.createdBy ? ` by ${c.createdBy}` : ''}</span>
      </p>
      <CommandSteps c={c} />
      {loaded.error && <ErrorBox error={loaded.error} what="the command" />}
      <CommandOutput c={c} />
      {isCancellable(c.status) && <button type="button" onClick={cancel}>Cancel command</button>}
      {cancelError && <p class="error" role="alert">{cancelError}</p>}
    </div>
  );
}
