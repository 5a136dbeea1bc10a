/**
 * "Rename chat": a small modal (native <dialog>: focus trap, Escape) that sets a session's
 * title with `sessions.patch`. It stays open with the gateway's message when refused.
 */
import type { FormEvent, ReactElement } from 'react';
import { useEffect, useId, useRef, useState } from 'react';
import type { SessionSummary } from '../../shared/protocol.js';
import { ErrorNote, Field } from '../components/ui.js';
import { asGatewayError, useConnection } from '../hooks/connection-context.js';
import { chatTitle } from './chat-sessions.js';

/** The gateway's limit on a title (SESSION_DEFAULTS.maxTitleChars). */
const MAX_TITLE_CHARS = 200;

export function RenameChatDialog(props: {
  /** The chat to rename; undefined keeps the dialog closed. */
  session: SessionSummary | undefined;
  onClose: () => void;
  onRenamed: (session: SessionSummary) => void;
}): ReactElement {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.session && !dialog.open) dialog.showModal();
    if (!props.session && dialog.open) dialog.close();
  }, [props.session]);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={titleId} onClose={props.onClose}>
      {props.session ? (
        <RenameForm
          key={props.session.sessionId}
          session={props.session}
          titleId={titleId}
          onClose={props.onClose}
          onRenamed={props.onRenamed}
        />
      ) : null}
    </dialog>
  );
}

function RenameForm(props: {
  session: SessionSummary;
  titleId: string;
  onClose: () => void;
  onRenamed: (session: SessionSummary) => void;
}): ReactElement {
  const connection = useConnection();
  const [title, setTitle] = useState(props.session.title);
  const [fieldError, setFieldError] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const trimmed = title.trim();
    if (trimmed === '') return setFieldError('Enter a title');
    setFieldError(undefined);
    setError(undefined);
    setBusy(true);
    connection
      .request<{ session: SessionSummary }>('sessions.patch', {
        sessionId: props.session.sessionId,
        title: trimmed,
      })
      .then(
        (patched) => {
          setBusy(false);
          props.onRenamed(patched.session);
          props.onClose();
        },
        (failure: unknown) => {
          setBusy(false);
          setError(asGatewayError(failure).message);
        },
      );
  };

  return (
    <form onSubmit={submit} noValidate>
      <h2 id={props.titleId}>Rename chat</h2>
      <div className="dialog-body form">
        <Field label="Title" error={fieldError} hint={`Now: “${chatTitle(props.session)}”`}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              type="text"
              value={title}
              maxLength={MAX_TITLE_CHARS}
              aria-describedby={describedBy}
              aria-invalid={invalid || undefined}
              onChange={(event) => setTitle(event.target.value)}
              autoFocus
            />
          )}
        </Field>
        {error ? <ErrorNote error={error} /> : null}
      </div>
      <div className="dialog-actions">
        <button type="button" className="btn btn-secondary" onClick={props.onClose}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Rename'}
        </button>
      </div>
    </form>
  );
}
