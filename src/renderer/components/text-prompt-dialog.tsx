/**
 * A modal that asks for one line of text and saves it (renaming a device, a chat). An empty
 * answer is refused at the field; a save the gateway refuses keeps the dialog open with its
 * message, so nothing typed is lost.
 */
import type { FormEvent, ReactElement, ReactNode } from 'react';
import { useState } from 'react';
import { asGatewayError } from '../hooks/connection-context.js';
import { ModalDialog } from './modal-dialog.js';
import { InputField } from './input-field.js';
import { ErrorNote } from './ui.js';

/** What to ask; a new `key` starts the form afresh. */
export interface TextPrompt {
  key: string;
  title: ReactNode;
  label: string;
  hint: ReactNode;
  initial: string;
  placeholder?: string | undefined;
  maxLength: number;
  /** Shown at the field when the trimmed answer is empty, e.g. "Enter a name". */
  emptyError: string;
  submitLabel: string;
  /** Saves the trimmed answer; the dialog closes when it resolves. */
  save: (value: string) => Promise<unknown>;
}

/** Shows `prompt` as an open modal; undefined keeps it closed. */
export function TextPromptDialog(props: {
  prompt: TextPrompt | undefined;
  onClose: () => void;
}): ReactElement {
  const { prompt } = props;
  return (
    <ModalDialog open={prompt !== undefined} onClose={props.onClose}>
      {(titleId) =>
        prompt ? (
          <PromptForm key={prompt.key} prompt={prompt} titleId={titleId} onClose={props.onClose} />
        ) : null
      }
    </ModalDialog>
  );
}

function PromptForm(props: {
  prompt: TextPrompt;
  titleId: string;
  onClose: () => void;
}): ReactElement {
  const { prompt } = props;
  const [value, setValue] = useState(prompt.initial);
  const [fieldError, setFieldError] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const trimmed = value.trim();
    if (trimmed === '') return setFieldError(prompt.emptyError);
    setFieldError(undefined);
    setError(undefined);
    setBusy(true);
    prompt.save(trimmed).then(
      () => {
        setBusy(false);
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
      <h2 id={props.titleId}>{prompt.title}</h2>
      <div className="dialog-body form">
        <InputField
          label={prompt.label}
          error={fieldError}
          hint={prompt.hint}
          type="text"
          value={value}
          maxLength={prompt.maxLength}
          placeholder={prompt.placeholder}
          onValue={setValue}
          autoFocus
        />
        {error ? <ErrorNote error={error} /> : null}
      </div>
      <div className="dialog-actions">
        <button type="button" className="btn btn-secondary" onClick={props.onClose}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Saving…' : prompt.submitLabel}
        </button>
      </div>
    </form>
  );
}
