/** A refused save as a config form shows it. */
import type { ReactElement } from 'react';
import type { SaveFailure } from '../lib/config-save.js';
import { ErrorNote } from './ui.js';

/** What to do, with the OS library's own words (if any) below it, smaller. */
export function FailureNote({ failure }: { failure: SaveFailure }): ReactElement {
  return (
    <ErrorNote error={failure.message}>
      {failure.detail ? <span className="muted small">{failure.detail}</span> : null}
    </ErrorNote>
  );
}
