/**
 * The shell of every modal here: a native <dialog> (focus trap, Escape closes it) shown
 * while `open`, labelled by its form's heading. What it holds is rendered only while open.
 */
import type { ReactElement, ReactNode } from 'react';
import { useEffect, useId, useRef } from 'react';

export function ModalDialog(props: {
  open: boolean;
  /** Runs on Escape and whenever the dialog closes. */
  onClose: () => void;
  /** The content; give its heading `id={titleId}`. */
  children: (titleId: string) => ReactNode;
}): ReactElement {
  const { open } = props;
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={titleId} onClose={props.onClose}>
      {open ? props.children(titleId) : null}
    </dialog>
  );
}
