/**
 * A {@link Field} holding one text <input>: the label, hint and error wired to it by id, so
 * a form states only what differs (type, value, placeholder, …).
 */
import type { InputHTMLAttributes, ReactElement, ReactNode } from 'react';
import { Field } from './ui.js';

type InputProps = Omit<
  InputHTMLAttributes<HTMLInputElement>,
  'id' | 'value' | 'onChange' | 'aria-describedby' | 'aria-invalid'
>;

export function InputField({
  label,
  error,
  hint,
  value,
  onValue,
  ...input
}: InputProps & {
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
  value: string;
  /** The new text on every change. */
  onValue: (value: string) => void;
}): ReactElement {
  return (
    <Field label={label} error={error} hint={hint}>
      {({ id, describedBy, invalid }) => (
        <input
          {...input}
          id={id}
          value={value}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          onChange={(event) => onValue(event.target.value)}
        />
      )}
    </Field>
  );
}
