/**
 * One pairing request on the Devices page: who asks, from where, for what; a name and the
 * scopes to grant (ticking fewer narrows the approval); Approve, Reject and Ignore (reject
 * and turn away that device's later requests quietly, until unignored). A refusal
 * (e.g. MISSING_SCOPE when this device may not grant a scope) shows the gateway's message
 * in the card.
 */
import type { FormEvent, ReactElement } from 'react';
import { useEffect, useId, useRef, useState } from 'react';
import type { PendingRequest } from '../../shared/protocol.js';
import { Icon } from '../components/icons.js';
import { InputField } from '../components/input-field.js';
import { ErrorNote, Pill } from '../components/ui.js';
import { asGatewayError, useConnection } from '../hooks/connection-context.js';
import { approveParams, grantOptions, impliedBy } from '../lib/approval.js';
import { formatAge, shortId } from '../lib/format.js';
import { ScopeList } from '../components/scope-list.js';

/** Longest device name the gateway accepts (PROTOCOL.md `displayName`). */
const MAX_NAME_LENGTH = 64;

type Decision = 'approve' | 'reject' | 'ignore';

const BUSY_LABELS: Record<Decision, string> = {
  approve: 'Approving…',
  reject: 'Rejecting…',
  ignore: 'Ignoring…',
};

const REASONS: Record<PendingRequest['reason'], string> = {
  'not-paired': 'New device',
  'scope-upgrade': 'Asks for more scopes',
  'role-upgrade': 'Asks for another role',
};

export function PendingCard({
  request,
  now,
  highlighted,
}: {
  request: PendingRequest;
  now: number;
  highlighted: boolean;
}): ReactElement {
  const connection = useConnection();
  const [busy, setBusy] = useState<Decision | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [name, setName] = useState(request.displayName ?? '');
  const options = grantOptions(request.scopes);
  const [chosen, setChosen] = useState<ReadonlySet<string>>(() => new Set(options));
  const ref = useRef<HTMLElement>(null);
  const legendId = useId();
  useEffect(() => {
    if (highlighted) ref.current?.scrollIntoView({ block: 'center' });
  }, [highlighted]);

  const nothingChosen = options.length > 0 && chosen.size === 0;
  // The outermost ticked scope that greys others out (admin, not the write it includes).
  const including = options.find(
    (scope) =>
      chosen.has(scope) &&
      impliedBy(chosen, scope) === undefined &&
      options.some((other) => impliedBy(chosen, other) === scope),
  );
  const act = (decision: Decision) => {
    setBusy(decision);
    setError(undefined);
    const params =
      decision === 'approve'
        ? approveParams(request, name, chosen)
        : { requestId: request.requestId };
    connection.request(`device.pair.${decision}`, { ...params }).then(
      () => setBusy(undefined),
      (failure: unknown) => {
        setBusy(undefined);
        setError(asGatewayError(failure).message);
      },
    );
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (busy === undefined && !nothingChosen) act('approve');
  };
  const toggle = (scope: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(scope);
    else next.delete(scope);
    setChosen(next);
  };

  const title = request.displayName ?? request.clientId;
  return (
    <article
      ref={ref}
      className={`request-card${highlighted ? ' card-highlight' : ''}`}
      aria-label={`Pairing request from ${title}`}
      data-request-id={request.requestId}
    >
      <div className="request-head">
        <span className="request-icon">
          <Icon name="devices" />
        </span>
        <div>
          <h3>{title}</h3>
          <p className="muted small">
            {[request.platform, `${request.clientId} (${request.clientMode})`]
              .filter(Boolean)
              .join(' · ')}
          </p>
        </div>
        <Pill tone={request.isRepair ? 'warn' : 'info'}>
          {REASONS[request.reason] ?? request.reason}
        </Pill>
      </div>
      <dl className="facts">
        <dt>IP address</dt>
        <dd className="mono">{request.remoteIp}</dd>
        <dt>Asks for</dt>
        <dd>
          <ScopeList scopes={request.scopes} />
        </dd>
        <dt>Requested</dt>
        <dd>{formatAge(request.ts, now)}</dd>
        <dt>Device id</dt>
        <dd className="mono" title={request.deviceId}>
          {shortId(request.deviceId)}
        </dd>
      </dl>
      <form className="form approve-form" onSubmit={submit} noValidate>
        <InputField
          label="Name"
          hint="How this device appears in the device list."
          type="text"
          value={name}
          maxLength={MAX_NAME_LENGTH}
          placeholder={request.clientId}
          onValue={setName}
        />
        {options.length > 0 ? (
          <fieldset className="scope-choice" aria-labelledby={legendId}>
            <legend id={legendId}>Scopes to grant</legend>
            {options.map((scope) => {
              const parent = impliedBy(chosen, scope);
              return (
                <label key={scope} title={parent ? `Included in ${parent}` : undefined}>
                  <input
                    type="checkbox"
                    checked={chosen.has(scope) || parent !== undefined}
                    disabled={parent !== undefined}
                    onChange={(event) => toggle(scope, event.target.checked)}
                  />
                  <code>{scope}</code>
                </label>
              );
            })}
            {including ? (
              <p className="field-hint">
                <code>{including}</code> includes the greyed scopes; untick it to grant fewer.
              </p>
            ) : null}
            {nothingChosen ? (
              <p className="field-error">Tick at least one scope, or reject the request.</p>
            ) : null}
          </fieldset>
        ) : null}
        {error ? <ErrorNote error={error} /> : null}
        <div className="request-actions">
          <button
            type="submit"
            className="btn btn-primary"
            disabled={busy !== undefined || nothingChosen}
          >
            <Icon name="check" /> {busy === 'approve' ? BUSY_LABELS.approve : 'Approve'}
          </button>
          <button
            type="button"
            className="btn btn-secondary"
            disabled={busy !== undefined}
            onClick={() => act('reject')}
          >
            <Icon name="close" /> {busy === 'reject' ? BUSY_LABELS.reject : 'Reject'}
          </button>
          <button
            type="button"
            className="btn btn-ghost"
            disabled={busy !== undefined}
            title="Reject, and turn away this device's later requests without asking"
            onClick={() => act('ignore')}
          >
            {busy === 'ignore' ? BUSY_LABELS.ignore : 'Ignore'}
          </button>
        </div>
      </form>
    </article>
  );
}
