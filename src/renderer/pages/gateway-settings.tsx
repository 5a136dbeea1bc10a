/** The editable settings cards of the Gateway page. */
import type { FormEvent, ReactElement } from 'react';
import { useState } from 'react';
import { Icon } from '../components/icons.js';
import { ListEditor } from '../components/list-editor.js';
import { RestartGateway } from '../components/restart-gateway.js';
import { InputField } from '../components/input-field.js';
import { SavedNote } from '../components/saved-note.js';
import { Card, ErrorNote, Pill } from '../components/ui.js';
import { asGatewayError, useConnection, useConnectionState } from '../hooks/connection-context.js';
import type { ConfigSetResult } from '../lib/api-types.js';
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
}): ReactElement {
  const connection = useConnection();
  const { generation } = useConnectionState();
  const [bind, setBind] = useState(props.bind);
  const [port, setPort] = useState(props.port);
  const [errors, setErrors] = useState<{ bind?: string | undefined; port?: string | undefined }>(
    {},
  );
  const [outcome, setOutcome] = useState<SaveOutcome | undefined>(undefined);
  const [failure, setFailure] = useState<string | undefined>(undefined);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const next = { bind: bindError(bind), port: portError(port) };
    setErrors(next);
    setFailure(undefined);
    if (next.bind || next.port) return;
    try {
      let restart = false;
      if (bind.trim() !== props.bind) {
        restart ||= (
          await connection.request<ConfigSetResult>('config.set', {
            path: 'gateway.bind',
            value: bind.trim(),
          })
        ).restartRequired;
      }
      if (port.trim() !== props.port) {
        restart ||= (
          await connection.request<ConfigSetResult>('config.set', {
            path: 'gateway.port',
            value: Number(port),
          })
        ).restartRequired;
      }
      setOutcome({ restart, port: Number(port), restartedFrom: undefined });
    } catch (error) {
      setFailure(asGatewayError(error).message);
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
        {failure ? <ErrorNote error={failure} /> : null}
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
}): ReactElement {
  const connection = useConnection();
  const [entries, setEntries] = useState<string[]>(props.initial);
  const [showErrors, setShowErrors] = useState(false);
  const [saved, setSaved] = useState(false);
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const errors = showErrors ? listErrors(entries, props.check) : new Map<number, string>();

  const save = (event: FormEvent) => {
    event.preventDefault();
    setShowErrors(true);
    setSaved(false);
    setFailure(undefined);
    if (listErrors(entries, props.check).size > 0) return;
    connection.request('config.set', { path: props.path, value: entries }).then(
      () => setSaved(true),
      (error: unknown) => setFailure(asGatewayError(error).message),
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
        {failure ? <ErrorNote error={failure} /> : null}
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
