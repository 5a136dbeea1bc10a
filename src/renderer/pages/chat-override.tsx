/**
 * Which provider, model and key a chat answers with: the agent's choice, or an override
 * kept with the session (`sessions.patch {override}`; null goes back to the agent's).
 */
import type { FormEvent, ReactElement } from 'react';
import { useState } from 'react';
import type { AuthProfile, SessionOverride } from '../../shared/protocol.js';
import { FIRST_MODEL_HINT, ModelField } from '../components/model-picker.js';
import { ErrorNote, Field } from '../components/ui.js';
import { asGatewayError, useGatewayQuery } from '../hooks/connection-context.js';
import type { AgentSummary, AuthStatus } from '../lib/api-types.js';

const CONFIG_EVENTS = ['config.changed'];

/** "fake · model-b · work"; an unset model is the provider's first. */
export function overrideText(override: SessionOverride, agent: AgentSummary | undefined): string {
  const provider = override.provider ?? agent?.provider ?? '?';
  const sameProvider = provider === agent?.provider;
  const model = override.model ?? (sameProvider ? agent?.model : undefined) ?? FIRST_MODEL_HINT;
  return [provider, model, override.profile].filter(Boolean).join(' · ');
}

export function OverrideBar(props: {
  agent: AgentSummary | undefined;
  override: SessionOverride | undefined;
  disabled: boolean;
  /** Saves the override (null: the agent's choice); rejects with the gateway's error. */
  onChange: (override: SessionOverride | null) => Promise<void>;
}): ReactElement {
  const [open, setOpen] = useState(false);
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const change = (override: SessionOverride | null) =>
    props.onChange(override).then(
      () => {
        setFailure(undefined);
        setOpen(false);
      },
      (error: unknown) => setFailure(asGatewayError(error).message),
    );
  return (
    <div className="chat-override">
      <div className="chat-override-line">
        <span className="muted small">
          {props.override
            ? `Answers with ${overrideText(props.override, props.agent)}`
            : 'Answers with the agent’s choice'}
        </span>
        <button
          type="button"
          className="btn btn-ghost btn-small"
          aria-expanded={open}
          disabled={props.disabled}
          onClick={() => setOpen(!open)}
        >
          Change model
        </button>
        {props.override ? (
          <button
            type="button"
            className="btn btn-ghost btn-small"
            disabled={props.disabled}
            onClick={() => void change(null)}
          >
            Use agent’s choice
          </button>
        ) : null}
      </div>
      {failure && !open ? <ErrorNote error={failure} /> : null}
      {open ? (
        <OverrideForm
          agent={props.agent}
          override={props.override}
          failure={failure}
          onSubmit={change}
          onCancel={() => {
            setOpen(false);
            setFailure(undefined);
          }}
        />
      ) : null}
    </div>
  );
}

function OverrideForm(props: {
  agent: AgentSummary | undefined;
  override: SessionOverride | undefined;
  failure: string | undefined;
  onSubmit: (override: SessionOverride) => Promise<void>;
  onCancel: () => void;
}): ReactElement {
  const status = useGatewayQuery<AuthStatus>('models.authStatus', undefined, CONFIG_EVENTS);
  const providerIds = status.data?.providers.map((provider) => provider.id) ?? [];
  const [provider, setProvider] = useState(props.override?.provider ?? props.agent?.provider ?? '');
  const [model, setModel] = useState(props.override?.model ?? '');
  const [profile, setProfile] = useState(props.override?.profile ?? '');
  const [busy, setBusy] = useState(false);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!provider || busy) return;
    setBusy(true);
    const name = model.trim();
    void props
      .onSubmit({ provider, ...(name ? { model: name } : {}), ...(profile ? { profile } : {}) })
      .finally(() => setBusy(false));
  };

  return (
    <form className="form override-form" aria-label="Model for this chat" onSubmit={submit}>
      <div className="form-grid override-grid">
        <Field label="Provider">
          {({ id }) => (
            <select
              id={id}
              value={provider}
              onChange={(event) => {
                setProvider(event.target.value);
                setProfile('');
              }}
            >
              {!providerIds.includes(provider) ? (
                <option value={provider}>{provider || 'Choose…'}</option>
              ) : null}
              {providerIds.map((id) => (
                <option key={id} value={id}>
                  {id}
                </option>
              ))}
            </select>
          )}
        </Field>
        <ModelField provider={provider} value={model} onChange={setModel} />
        <ProfileField provider={provider} value={profile} onChange={setProfile} />
      </div>
      {props.failure ? <ErrorNote error={props.failure} /> : null}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary btn-small" disabled={!provider || busy}>
          Use for this chat
        </button>
        <button type="button" className="btn btn-secondary btn-small" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The provider's keys (`models.auth.list`); empty tries them in their order. */
function ProfileField(props: {
  provider: string;
  value: string;
  onChange: (profile: string) => void;
}): ReactElement {
  const profiles = useGatewayQuery<{ profiles: AuthProfile[] }>(
    'models.auth.list',
    props.provider ? { provider: props.provider } : {},
    CONFIG_EVENTS,
  );
  const names = (profiles.data?.profiles ?? [])
    .filter((row) => row.provider === props.provider)
    .map((row) => row.profile);
  return (
    <Field label="Key" hint="Which auth profile answers; by default they are tried in order.">
      {({ id, describedBy }) => (
        <select
          id={id}
          value={props.value}
          aria-describedby={describedBy}
          onChange={(event) => props.onChange(event.target.value)}
        >
          <option value="">(in order)</option>
          {props.value && !names.includes(props.value) ? (
            <option value={props.value}>{props.value}</option>
          ) : null}
          {names.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
