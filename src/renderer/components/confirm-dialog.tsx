/** A modal confirmation on the native <dialog>, which traps focus and closes on Escape. */
import type { ReactElement, ReactNode } from 'react';
import { ModalDialog } from './modal-dialog.js';

export interface ConfirmRequest {
  title: string;
  body: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => void;
}

/** Renders `request` as an open modal; `onClose` runs on cancel, Escape or after confirming. */
export function ConfirmDialog({
  request,
  onClose,
}: {
  request: ConfirmRequest | undefined;
  onClose: () => void;
}): ReactElement {
  return (
    <ModalDialog open={request !== undefined} onClose={onClose}>
      {(titleId) =>
        request ? (
          <form
            method="dialog"
            onSubmit={(event) => {
              event.preventDefault();
              request.onConfirm();
              onClose();
            }}
          >
            <h2 id={titleId}>{request.title}</h2>
            <div className="dialog-body">{request.body}</div>
            <div className="dialog-actions">
              <button type="button" className="btn btn-secondary" onClick={onClose} autoFocus>
                Cancel
              </button>
              <button
                type="submit"
                className={`btn ${request.danger ? 'btn-danger' : 'btn-primary'}`}
              >
                {request.confirmLabel}
              </button>
            </div>
          </form>
        ) : null
      }
    </ModalDialog>
  );
}
