/** A row of radio buttons styled as one segmented control: pick one of a few options. */
import type { ReactElement } from 'react';

export function SegmentedChoice<T extends string>(props: {
  /** The radio group's name. */
  name: string;
  options: readonly T[];
  labels: Record<T, string>;
  value: T;
  onChange: (value: T) => void;
  /** Name the group by a visible heading's id, or else by a label of its own. */
  labelledBy?: string;
  label?: string;
}): ReactElement {
  return (
    <div
      className="segmented"
      role="radiogroup"
      aria-labelledby={props.labelledBy}
      aria-label={props.label}
    >
      {props.options.map((option) => (
        <label key={option} className={props.value === option ? 'active' : undefined}>
          <input
            type="radio"
            name={props.name}
            value={option}
            checked={props.value === option}
            onChange={() => props.onChange(option)}
          />
          {props.labels[option]}
        </label>
      ))}
    </div>
  );
}
