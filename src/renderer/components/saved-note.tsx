/** "✓ Saved" beside a form's buttons, announced to screen readers; nothing while `text` is unset. */
import type { ReactElement } from 'react';
import { Icon } from './icons.js';

export function SavedNote(props: { text: string | undefined }): ReactElement | null {
  if (!props.text) return null;
  return (
    <span className="saved-note" role="status">
      <Icon name="check" /> {props.text}
    </span>
  );
}
