/**
 * "Rename…" of a paired device: a small modal with one field (native <dialog>: focus
 * trap, Escape). It stays open with the gateway's message when the name is refused.
 */
import type { FormEvent, ReactElement } from 'react';
import { useEffect, useId, useRef, useState } from 'react';
import type { PairedDevice } from '../../shared/protocol.js';
import { MAX_LABEL_LENGTH } from '../../shared/invites.js';
import { ErrorNote, Field } from '../components/ui.js';
import { asGatewayError, useConnection } from '../hooks/connection-context.js';

export function RenameDialog({
  device,
  onClose,
  onRenamed,
}: {
  /** The device to rename; undefined keeps the dialog closed. */
  device: PairedDevice | undefined;
  onClose: () => void;
  onRenamed: () => void;
}): ReactElement {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (device && !dialog.open) dialog.showModal();
    if (!device && dialog.open) dialog.close();
  }, [device]);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={titleId} onClose={onClose}>
      {device ? (
        <RenameForm
          key={device.deviceId}
          device={device}
          titleId={titleId}
          onClose={onClose}
          onRenamed={onRenamed}
        />
      ) : null}
    </dialog>
  );
}

function RenameForm(props: {
  device: PairedDevice;
  titleId: string;
  onClose: () => void;
  onRenamed: () => void;
}): ReactElement {
  const { device } = props;
  const connection = useConnection();
  const [name, setName] = useState(device.displayName ?? '');
  const [fieldError, setFieldError] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const trimmed = name.trim();
    if (trimmed === '') return setFieldError('Enter a name');
    setFieldError(undefined);
    setError(undefined);
    setBusy(true);
    connection.request('device.rename', { deviceId: device.deviceId, displayName: trimmed }).then(
      () => {
        setBusy(false);
        props.onRenamed();
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
      <h2 id={props.titleId}>Rename “{device.displayName ?? device.clientId}”</h2>
      <div className="dialog-body form">
        <Field label="Name" error={fieldError} hint="How this device appears in the device list.">
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              type="text"
              value={name}
              maxLength={MAX_LABEL_LENGTH}
              placeholder={device.clientId}
              aria-describedby={describedBy}
              aria-invalid={invalid || undefined}
              onChange={(event) => setName(event.target.value)}
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
