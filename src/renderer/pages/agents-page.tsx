/**
 * Agents: which provider and model each agent uses, the default agent, and adding one.
 * Every save goes on the `baseHash` of the config the card was filled from; on CONFLICT
 * the card shows what is saved now and says so.
 */
import type { FormEvent, ReactElement } from 'react';
import { useState } from 'react';
import { AGENT_ID_PATTERN } from '../../shared/config-constants.js';
import { FailureNote } from '../components/failure-note.js';
import { Icon } from '../components/icons.js';
import { ModelField } from '../components/model-picker.js';
import { InputField } from '../components/input-field.js';
import { Card, EmptyState, ErrorNote, Field, Loading, PageHeader, Pill } from '../components/ui.js';
import { useConnection, useGatewayQuery } from '../hooks/connection-context.js';
import type { ConfigBase } from '../hooks/use-config-form.js';
import { useConfigBase, useConfigForm } from '../hooks/use-config-form.js';
import type { AgentsList, AuthStatus, ConfigGet, ConfigSetResult } from '../lib/api-types.js';
import type { SaveFailure } from '../lib/config-save.js';
import { AGENT_CONFLICT_NOTICE, withBaseHash } from '../lib/config-save.js';
import { routeHref } from '../lib/route.js';

const CONFIG_EVENTS = ['config.changed'];

interface ModelChoice {
  provider: string;
  name: string;
}

export function AgentsPage(): ReactElement {
  const agents = useGatewayQuery<AgentsList>('agents.list', undefined, CONFIG_EVENTS);
  const config = useGatewayQuery<ConfigGet>(
    'config.get',
    undefined,
    CONFIG_EVENTS,
    'operator.admin',
  );
  const status = useGatewayQuery<AuthStatus>('models.authStatus', undefined, CONFIG_EVENTS);
  const providerIds = Object.keys(config.data?.config.models?.providers ?? {});
  const configured = config.data?.config.agents?.list ?? [];
  const modelsOf = (provider: string) =>
    config.data?.config.models?.providers?.[provider]?.models ?? [];
  const reload = () => {
    agents.reload();
    config.reload();
    status.reload();
  };
  const list = agents.data?.agents ?? [];
  const error = agents.error ?? config.error;
  // One hash for every card: they are filled from one config.get (see useConfigBase).
  const base = useConfigBase(config.data?.hash);

  return (
    <>
      <PageHeader
        title="Agents"
        subtitle="Each agent answers with one provider and model. The default agent answers new chats."
      />
      {error ? <ErrorNote error={error} onRetry={reload} /> : null}
      {!agents.data && agents.loading ? <Loading /> : null}
      {agents.data && list.length === 0 ? (
        <Card>
          <EmptyState icon="agents" title="No agents yet">
            Add one below{providerIds.length === 0 ? ', after adding a provider' : ''}.
          </EmptyState>
        </Card>
      ) : null}
      <div className="agent-grid">
        {list.map((agent) => (
          <AgentCard
            key={agent.id}
            id={agent.id}
            name={agent.name}
            index={configured.findIndex((entry) => entry.id === agent.id)}
            current={{ provider: agent.provider, name: agent.model ?? '' }}
            isDefault={agents.data?.default === agent.id}
            health={status.data?.agents.find((entry) => entry.id === agent.id)?.status}
            providerIds={providerIds}
            modelsOf={modelsOf}
            base={base}
            onSaved={reload}
          />
        ))}
      </div>
      {/* Adding an agent edits the config, which needs operator.admin. */}
      {config.error?.detailCode === 'MISSING_SCOPE' ? null : (
        <AddAgent
          providerIds={providerIds}
          nextIndex={configured.length}
          takenIds={list.map((agent) => agent.id)}
          modelsOf={modelsOf}
          base={base}
          onSaved={reload}
        />
      )}
    </>
  );
}

function ModelFields(props: {
  value: ModelChoice;
  providerIds: string[];
  modelsOf: (provider: string) => readonly string[];
  onChange: (value: ModelChoice) => void;
}): ReactElement {
  const { value } = props;
  return (
    <div className="form-grid">
      <Field label="Provider">
        {({ id }) => (
          <select
            id={id}
            value={value.provider}
            onChange={(event) => props.onChange({ ...value, provider: event.target.value })}
          >
            {value.provider === '' || !props.providerIds.includes(value.provider) ? (
              <option value={value.provider}>{value.provider || 'Choose…'}</option>
            ) : null}
            {props.providerIds.map((provider) => (
              <option key={provider} value={provider}>
                {provider}
              </option>
            ))}
          </select>
        )}
      </Field>
      <ModelField
        provider={value.provider}
        value={value.name}
        configured={props.modelsOf(value.provider)}
        onChange={(name) => props.onChange({ ...value, name })}
      />
    </div>
  );
}

function modelValue(choice: ModelChoice): { provider: string; name?: string } {
  const name = choice.name.trim();
  return name ? { provider: choice.provider, name } : { provider: choice.provider };
}

function AgentCard(props: {
  id: string;
  name: string | undefined;
  index: number;
  current: ModelChoice;
  isDefault: boolean;
  health: string | undefined;
  providerIds: string[];
  modelsOf: (provider: string) => readonly string[];
  base: ConfigBase;
  onSaved: () => void;
}): ReactElement {
  const connection = useConnection();
  const form = useConfigForm(props.base);
  const [choice, setChoice] = useState<ModelChoice>(props.current);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<SaveFailure | undefined>(undefined);
  const changed =
    choice.provider !== props.current.provider || choice.name.trim() !== props.current.name;

  const run = (path: string, value: unknown) => {
    setBusy(true);
    setError(undefined);
    connection
      .request<ConfigSetResult>('config.set', { path, value, ...withBaseHash(form.baseHash) })
      .then(
        (result) => {
          form.setBaseHash(result.hash);
          setBusy(false);
          props.onSaved();
        },
        async (failure: unknown) => {
          const refill = (fresh: ConfigGet) => {
            const saved = fresh.config.agents?.list?.find((agent) => agent.id === props.id);
            if (saved) setChoice({ provider: saved.model.provider, name: saved.model.name ?? '' });
            props.onSaved();
          };
          setError(await form.refusal(failure, refill));
          setBusy(false);
        },
      );
  };

  const save = (event: FormEvent) => {
    event.preventDefault();
    if (props.index < 0)
      return setError({ message: 'This agent is not in the config file; reload the page.' });
    run(`agents.list.${props.index}.model`, modelValue(choice));
  };

  return (
    <Card
      title={
        <>
          {props.name ?? props.id}{' '}
          {props.name ? <span className="muted small mono">{props.id}</span> : null}
        </>
      }
      actions={
        props.isDefault ? (
          <Pill tone="info">default</Pill>
        ) : (
          <button
            type="button"
            className="btn btn-ghost btn-small"
            disabled={busy}
            onClick={() => run('agents.default', props.id)}
          >
            Make default
          </button>
        )
      }
    >
      <form className="form" onSubmit={save} aria-label={`Model of agent ${props.id}`}>
        <ModelFields
          value={choice}
          providerIds={props.providerIds}
          modelsOf={props.modelsOf}
          onChange={setChoice}
        />
        {props.health === 'missing' ? (
          <p className="field-error">
            Provider “{props.current.provider}” has no API key.{' '}
            <a href={routeHref('providers', { edit: props.current.provider })}>Add one</a>
          </p>
        ) : null}
        {error ? <FailureNote failure={error} /> : null}
        <div className="form-actions">
          <button type="submit" className="btn btn-primary btn-small" disabled={!changed || busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
    </Card>
  );
}

function AddAgent(props: {
  providerIds: string[];
  nextIndex: number;
  takenIds: string[];
  modelsOf: (provider: string) => readonly string[];
  base: ConfigBase;
  onSaved: () => void;
}): ReactElement {
  const connection = useConnection();
  const form = useConfigForm(props.base);
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [choice, setChoice] = useState<ModelChoice>({ provider: '', name: '' });
  const [errors, setErrors] = useState<{ id?: string; provider?: string }>({});
  const [failure, setFailure] = useState<SaveFailure | undefined>(undefined);
  const provider = choice.provider || props.providerIds[0] || '';

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const next: { id?: string; provider?: string } = {};
    if (!AGENT_ID_PATTERN.test(id))
      next.id = 'Use lowercase letters, digits, "-" and "_", e.g. main';
    else if (props.takenIds.includes(id)) next.id = `An agent “${id}” already exists`;
    if (!provider) next.provider = 'Add a provider first';
    setErrors(next);
    if (Object.keys(next).length > 0) return;
    const agent = {
      id,
      ...(name.trim() ? { name: name.trim() } : {}),
      model: modelValue({ ...choice, provider }),
    };
    setFailure(undefined);
    connection
      .request<ConfigSetResult>('config.set', {
        path: `agents.list.${props.nextIndex}`,
        value: agent,
        ...withBaseHash(form.baseHash),
      })
      .then(
        (result) => {
          form.setBaseHash(result.hash);
          setId('');
          setName('');
          props.onSaved();
        },
        // The new agent is the person's own input: it stays; the page reloads the list.
        async (error: unknown) =>
          setFailure(await form.refusal(error, props.onSaved, AGENT_CONFLICT_NOTICE)),
      );
  };

  return (
    <Card title="Add an agent">
      {props.providerIds.length === 0 ? (
        <p className="muted">
          Agents need a provider. <a href={routeHref('providers', { add: '1' })}>Add a provider</a>{' '}
          first.
        </p>
      ) : (
        <form className="form" onSubmit={submit} noValidate aria-label="Add an agent">
          <div className="form-grid">
            <InputField
              label="Agent id"
              error={errors.id}
              value={id}
              spellCheck={false}
              autoComplete="off"
              onValue={setId}
            />
            <InputField label="Name (optional)" value={name} onValue={setName} />
          </div>
          <ModelFields
            value={{ ...choice, provider }}
            providerIds={props.providerIds}
            modelsOf={props.modelsOf}
            onChange={setChoice}
          />
          {errors.provider ? <p className="field-error">{errors.provider}</p> : null}
          {failure ? <FailureNote failure={failure} /> : null}
          <div className="form-actions">
            <button type="submit" className="btn btn-primary">
              <Icon name="plus" /> Add agent
            </button>
          </div>
        </form>
      )}
    </Card>
  );
}
