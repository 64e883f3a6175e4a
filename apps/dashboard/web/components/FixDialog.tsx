import { useEffect, useRef, useState } from 'preact/hooks';
import type { Action } from '@fleetmedic/protocol';
import { ApiError } from '../api/client.js';
import type { CommandView } from '../api/types.js';
import { useApp } from '../app-context.js';
import { actionLabel, describeAction } from '../model/words.js';
import { CommandProgress } from './CommandProgress.js';

export interface FixTarget {
  deviceId: string;
  hostname: string;
  serialNumber: string | null;
  online: boolean;
  action: Action;
  /** What the fix is for, e.g. the finding's title. */
  why: string;
}

/**
 * Confirmation naming the target Mac and the exact action, then the command's live status and output.
 * A modal <dialog>: focus stays inside, Escape closes it.
 */
export function FixDialog({ target, onClose, onSent }: { target: FixTarget; onClose: () => void; onSent?: (c: CommandView) => void }) {
  const { api, learnedViewer } = useApp();
  const ref = useRef<HTMLDialogElement>(null);
  const [command, setCommand] = useState<CommandView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  const send = async () => {
    setBusy(true);
    setError(null);
    try {
      const c = await api.sendCommand(target.deviceId, target.action);
      setCommand(c);
      onSent?.(c);
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(0, 'client', String(err));
      if (e.forbidden) {
        learnedViewer();
        setError('Your token is a viewer token: it may look but not send commands. Ask for an operator token.');
      } else setError(`The command was not queued: ${e.message}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog ref={ref} class="fix-dialog" aria-labelledby="fix-title" onCancel={(e) => { e.preventDefault(); onClose(); }}>
      <h2 id="fix-title">{command ? `${actionLabel(target.action)} on ${target.hostname}` : `${actionLabel(target.action)} on ${target.hostname}?`}</h2>
      {!command && (
        <>
          <p>{describeAction(target.action, target.hostname)}</p>
          <dl class="facts">
            <div><dt>Mac</dt><dd><strong>{target.hostname}</strong>{target.serialNumber ? ` (serial ${target.serialNumber})` : ''}</dd></div>
            <div><dt>For</dt><dd>{target.why}</dd></div>
            <div><dt>Action</dt><dd><code>{target.action.type}</code> {Object.entries(target.action.params).map(([k, v]) => `${k}=${String(v)}`).join(' ')}</dd></div>
          </dl>
          {!target.online && <p class="note">This Mac is offline: the command waits in the queue until it connects.</p>}
          {error && <p class="error" role="alert">{error}</p>}
          <div class="dialog-buttons">
            <button type="button" onClick={onClose} autofocus>Cancel</button>
            <button type="button" class="primary" onClick={send} disabled={busy}>
              {busy ? 'Sending…' : `Send to ${target.hostname}`}
            </button>
          </div>
        </>
      )}
      {command && (
        <>
          <CommandProgress initial={command} />
          <div class="dialog-buttons">
            <button type="button" class="primary" onClick={onClose} autofocus>Close</button>
          </div>
        </>
      )}
    </dialog>
  );
}
