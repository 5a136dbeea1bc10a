/** An editable list of short strings with a validation error per entry. */
import type { ReactElement } from 'react';
import { useId } from 'react';
import { Icon } from './icons.js';

export function ListEditor(props: {
  label: string;
  entries: string[];
  errors: Map<number, string>;
  placeholder: string;
  addLabel: string;
  onChange: (entries: string[]) => void;
}): ReactElement {
  const groupId = useId();
  const { entries, onChange } = props;
  return (
    <fieldset className="list-editor" aria-labelledby={groupId}>
      {/* The card title shows the name; the legend keeps it for screen readers. */}
      <legend id={groupId} className="visually-hidden">
        {props.label}
      </legend>
      {entries.length === 0 ? <p className="muted small">None yet.</p> : null}
      <ul>
        {entries.map((entry, index) => {
          const error = props.errors.get(index);
          const inputId = `${groupId}-${index}`;
          return (
            <li key={index} className={error ? 'field-invalid' : undefined}>
              <div className="list-row">
                <input
                  id={inputId}
                  aria-label={`${props.label} entry ${index + 1}`}
                  aria-invalid={error ? true : undefined}
                  aria-describedby={error ? `${inputId}-error` : undefined}
                  value={entry}
                  placeholder={props.placeholder}
                  spellCheck={false}
                  autoComplete="off"
                  onChange={(event) =>
                    onChange(entries.map((e, i) => (i === index ? event.target.value : e)))
                  }
                />
                <button
                  type="button"
                  className="btn btn-ghost btn-icon"
                  aria-label={`Remove ${entry || `entry ${index + 1}`}`}
                  onClick={() => onChange(entries.filter((_, i) => i !== index))}
                >
                  <Icon name="trash" />
                </button>
              </div>
              {error ? (
                <p className="field-error" id={`${inputId}-error`}>
                  {error}
                </p>
              ) : null}
            </li>
          );
        })}
      </ul>
      <button
        type="button"
        className="btn btn-secondary btn-small"
        onClick={() => onChange([...entries, ''])}
      >
        <Icon name="plus" /> {props.addLabel}
      </button>
    </fieldset>
  );
}
