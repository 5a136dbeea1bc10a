/**
 * The editable settings cards of the Gateway page. Each saves on the `baseHash` of the
 * config it was filled from; on CONFLICT it shows the saved values and says so.
 */
import type { FormEvent, ReactElement } from 'react';
import { useState } from 'react';
import { Icon } from '../components/icons.js';
import { ListEditor } from '../components/list-editor.js';
import { RestartGateway } from '../components/restart-gateway.js';
import { InputField } from '../components/input-field.js';
import { SavedNote } from '../components/saved-note.js';
import { FailureNote } from '../components/failure-note.js';
import { Card, Pill } from '../components/ui.js';
import { useConnection, useConnectionState } from '../hooks/connection-context.js';
import type { ConfigBase } from '../hooks/use-config-form.js';
import { useConfigForm } from '../hooks/use-config-form.js';
import type { ConfigGet, ConfigSetResult } from '../lib/api-types.js';
import type { SaveFailure } from '../lib/config-save.js';
import { withBaseHash } from '../lib/config-save.js';
import { bindError, listErrors, portError } from '../lib/validate.js';

interface SaveOutcome {
  restart: boolean;
  /** The port saved (or kept): where the gateway listens after a restart. */
  port: number;
  /** The connection generation a restart began on; a later one is the restarted gateway. */
  restartedFrom: number | undefined;
}

/**
 * Bind and port; says "restart required" when config.set does, with a Restart button,
 * until the connection comes back from that restart.
 */
export function NetworkCard(props: {
  bind: string;
  port: string;
  /** `status.port`: where the gateway listens until it restarts. */
  listeningPort: number | undefined;
  /** The page's hash of the config.get the values came from. */
  base: ConfigBase;
}): ReactElement {
  const connection = useConnection();
  const { generation } = useConnectionState();
  const form = useConfigForm(props.base);
  const [bind, setBind] = useState(props.bind);
  const [port, setPort] = useState(props.port);
  const [errors, setErrors] = useState<{ bind?: string | undefined; port?: string | undefined }>(
    {},
  );
  const [outcome, setOutcome] = useState<SaveOutcome | undefined>(undefined);
  const [failure, setFailure] = useState<SaveFailure | undefined>(undefined);

  /** One config.set on the form's hash; the next one goes on the hash it answers. */
  const set = async (path: string, value: unknown) => {
    const result = await connection.request<ConfigSetResult>('config.set', {
      path,
      value,
      ...withBaseHash(form.baseHash),
    });
    form.setBaseHash(result.hash);
    return result.restartRequired;
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const next = { bind: bindError(bind), port: portError(port) };
    setErrors(next);
    setFailure(undefined);
    if (next.bind || next.port) return;
    setOutcome(undefined);
    try {
      let restart = false;
      if (bind.trim() !== props.bind) restart ||= await set('gateway.bind', bind.trim());
      if (port.trim() !== props.port) restart ||= await set('gateway.port', Number(port));
      setOutcome({ restart, port: Number(port), restartedFrom: undefined });
    } catch (error) {
      const refill = (fresh: ConfigGet) => {
        setBind(String(fresh.config.gateway?.bind ?? 'loopback'));
        setPort(String(fresh.config.gateway?.port ?? ''));
      };
      setFailure(await form.refusal(error, refill));
    }
  };

  const applied = outcome?.restartedFrom !== undefined && generation > outcome.restartedFrom;
  const pending = outcome?.restart === true && !applied;
  return (
    <Card title="Network" actions={pending ? <Pill tone="warn">restart required</Pill> : null}>
      <form className="form" onSubmit={(event) => void save(event)} noValidate aria-label="Network">
        <div className="form-grid">
          <InputField
            label="Bind"
            error={errors.bind}
            hint="loopback keeps the gateway on this machine; lan and tailnet expose it."
            list="bind-options"
            value={bind}
            spellCheck={false}
            onValue={setBind}
          />
          <datalist id="bind-options">
            <option value="loopback" />
            <option value="lan" />
            <option value="tailnet" />
          </datalist>
          <InputField
            label="Port"
            error={errors.port}
            inputMode="numeric"
            value={port}
            onValue={setPort}
          />
        </div>
        {failure ? <FailureNote failure={failure} /> : null}
        <div className="form-actions">
          <button type="submit" className="btn btn-primary">
            Save network settings
          </button>
        </div>
      </form>
      {/* Outside the form: a confirmation dialog's own form may not nest in it. */}
      {outcome ? (
        <div className="form-actions">
          <p className="saved-note" role="status">
            <Icon name="check" />{' '}
            {pending && outcome.restartedFrom === undefined
              ? 'Saved. Restart the gateway to apply.'
              : applied
                ? 'Saved and applied: the gateway restarted.'
                : 'Saved.'}
          </p>
          {pending ? (
            <RestartGateway
              label="Restart now"
              listeningPort={props.listeningPort}
              configuredPort={outcome.port}
              primary
              onRestarting={() =>
                setOutcome((saved) => saved && { ...saved, restartedFrom: generation })
              }
            />
          ) : null}
        </div>
      ) : null}
    </Card>
  );
}

/** An allowlist (trusted proxies, allowed origins) validated per entry, saved with config.set. */
export function ListCard(props: {
  title: string;
  description: string;
  path: string;
  initial: string[];
  check: (entry: string) => string | undefined;
  placeholder: string;
  addLabel: string;
  /** The page's hash of the config.get `initial` came from. */
  base: ConfigBase;
  /** The list as saved in `fresh` (what the card shows after a CONFLICT). */
  savedIn: (fresh: ConfigGet) => string[];
}): ReactElement {
  const connection = useConnection();
  const form = useConfigForm(props.base);
  const [entries, setEntries] = useState<string[]>(props.initial);
  const [showErrors, setShowErrors] = useState(false);
  const [saved, setSaved] = useState(false);
  const [failure, setFailure] = useState<SaveFailure | undefined>(undefined);
  const errors = showErrors ? listErrors(entries, props.check) : new Map<number, string>();

  const save = (event: FormEvent) => {
    event.preventDefault();
    setShowErrors(true);
    setSaved(false);
    setFailure(undefined);
    if (listErrors(entries, props.check).size > 0) return;
    connection
      .request<ConfigSetResult>('config.set', {
        path: props.path,
        value: entries,
        ...withBaseHash(form.baseHash),
      })
      .then(
        (result) => {
          form.setBaseHash(result.hash);
          setSaved(true);
        },
        async (error: unknown) => {
          const refill = (fresh: ConfigGet) => setEntries(props.savedIn(fresh));
          setFailure(await form.refusal(error, refill));
        },
      );
  };

  return (
    <Card title={props.title}>
      <p className="muted small">{props.description}</p>
      <form className="form" onSubmit={save} noValidate aria-label={props.title}>
        <ListEditor
          label={props.title}
          entries={entries}
          errors={errors}
          placeholder={props.placeholder}
          addLabel={props.addLabel}
          onChange={(next) => {
            setEntries(next);
            setSaved(false);
          }}
        />
        {failure ? <FailureNote failure={failure} /> : null}
        <div className="form-actions">
          <button type="submit" className="btn btn-primary btn-small">
            Save {props.title.toLowerCase()}
          </button>
          <SavedNote text={saved ? 'Saved' : undefined} />
        </div>
      </form>
    </Card>
  );
}
