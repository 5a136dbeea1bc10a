/** Small presentational building blocks shared by every page. */
import type { ReactElement, ReactNode } from 'react';
import { useId } from 'react';
import type { GatewayClientError } from '../../shared/gateway-client.js';
import type { IconName } from './icons.js';
import { Icon } from './icons.js';

export function PageHeader(props: {
  title: string;
  subtitle?: ReactNode;
  actions?: ReactNode;
}): ReactElement {
  return (
    <header className="page-header">
      <div>
        <h1>{props.title}</h1>
        {props.subtitle ? <p className="muted">{props.subtitle}</p> : null}
      </div>
      {props.actions ? <div className="page-actions">{props.actions}</div> : null}
    </header>
  );
}

export function Card(props: {
  title?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
  highlighted?: boolean;
  labelledBy?: string;
}): ReactElement {
  const id = useId();
  const classes = ['card', props.className, props.highlighted ? 'card-highlight' : '']
    .filter(Boolean)
    .join(' ');
  return (
    <section className={classes} aria-labelledby={props.title ? id : props.labelledBy}>
      {props.title || props.actions ? (
        <div className="card-header">
          {props.title ? <h2 id={id}>{props.title}</h2> : <span />}
          {props.actions ? <div className="card-actions">{props.actions}</div> : null}
        </div>
      ) : null}
      {props.children}
    </section>
  );
}

export type Tone = 'ok' | 'warn' | 'danger' | 'neutral' | 'info';

export function Pill({ tone, children }: { tone: Tone; children: ReactNode }): ReactElement {
  return <span className={`pill pill-${tone}`}>{children}</span>;
}

export function EmptyState(props: {
  icon: IconName;
  title: string;
  children?: ReactNode;
}): ReactElement {
  return (
    <div className="empty-state">
      <span className="empty-icon">
        <Icon name={props.icon} size={22} />
      </span>
      <p className="empty-title">{props.title}</p>
      {props.children ? <div className="muted">{props.children}</div> : null}
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }): ReactElement {
  return (
    <div className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

/** The gateway's message, verbatim, with an optional retry. */
export function ErrorNote(props: {
  error: GatewayClientError | string;
  onRetry?: () => void;
  children?: ReactNode;
}): ReactElement {
  const message = typeof props.error === 'string' ? props.error : props.error.message;
  return (
    <div className="note note-danger" role="alert">
      <Icon name="alert" />
      <div className="note-body">
        <span>{message}</span>
        {props.children}
      </div>
      {props.onRetry ? (
        <button type="button" className="btn btn-ghost btn-small" onClick={props.onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

/** A labelled form control with its hint and field error wired up for screen readers. */
export function Field(props: {
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
}): ReactElement {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy =
    [props.hint ? hintId : '', props.error ? errorId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${props.error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{props.label}</label>
      {props.children({ id, describedBy, invalid: Boolean(props.error) })}
      {props.hint ? (
        <p className="field-hint" id={hintId}>
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p className="field-error" id={errorId}>
          {props.error}
        </p>
      ) : null}
    </div>
  );
}
