/** Devices: pending pairing requests (live) and the paired devices with their tokens. */
import type { ReactElement } from 'react';
import { useEffect, useRef, useState } from 'react';
import type { PairedDevice, PendingRequest } from '../../shared/protocol.js';
import type { ConfirmRequest } from '../components/confirm-dialog.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { Icon } from '../components/icons.js';
import type { Tone } from '../components/ui.js';
import { Card, EmptyState, ErrorNote, Loading, PageHeader, Pill } from '../components/ui.js';
import type { QueryState } from '../hooks/connection-context.js';
import { asGatewayError, useConnection, useConnectionState, useNow } from '../hooks/connection-context.js';
import type { PairList } from '../lib/api-types.js';
import { formatAge, shortId } from '../lib/format.js';

const REASONS: Record<PendingRequest['reason'], string> = {
  'not-paired': 'New device',
  'scope-upgrade': 'Asks for more scopes',
  'role-upgrade': 'Asks for another role',
};

export function DevicesPage({ pairing, highlight }: { pairing: QueryState<PairList>; highlight?: string | undefined }): ReactElement {
  const now = useNow(15_000);
  const pending = pairing.data?.pending ?? [];
  const paired = pairing.data?.paired ?? [];
  return (
    <>
      <PageHeader
        title="Devices"
        subtitle="Approve new devices and manage the ones that can reach this gateway."
        actions={
          <button type="button" className="btn btn-secondary" onClick={pairing.reload}>
            <Icon name="refresh" /> Refresh
          </button>
        }
      />
      {pairing.error ? <ErrorNote error={pairing.error} onRetry={pairing.reload} /> : null}
      <Card title={`Pairing requests${pending.length > 0 ? ` (${pending.length})` : ''}`}>
        {!pairing.data && pairing.loading ? <Loading /> : null}
        {pairing.data && pending.length === 0 ? (
          <EmptyState icon="check" title="No pending requests">
            New devices appear here as soon as they try to connect.
          </EmptyState>
        ) : null}
        <div className="request-grid">
          {pending.map((request) => (
            <PendingCard key={request.requestId} request={request} now={now} highlighted={request.requestId === highlight} />
          ))}
        </div>
      </Card>
      <PairedTable paired={paired} loaded={Boolean(pairing.data)} now={now} onChanged={pairing.reload} />
    </>
  );
}

function PendingCard({ request, now, highlighted }: { request: PendingRequest; now: number; highlighted: boolean }): ReactElement {
  const connection = useConnection();
  const [busy, setBusy] = useState<'approve' | 'reject' | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    if (highlighted) ref.current?.scrollIntoView({ block: 'center' });
  }, [highlighted]);

  const act = (decision: 'approve' | 'reject') => {
    setBusy(decision);
    setError(undefined);
    connection.request(`device.pair.${decision}`, { requestId: request.requestId }).then(
      () => setBusy(undefined),
      (failure: unknown) => {
        setBusy(undefined);
        setError(asGatewayError(failure).message);
      },
    );
  };

  const name = request.displayName ?? request.clientId;
  return (
    <article
      ref={ref}
      className={`request-card${highlighted ? ' card-highlight' : ''}`}
      aria-label={`Pairing request from ${name}`}
      data-request-id={request.requestId}
    >
      <div className="request-head">
        <span className="request-icon">
          <Icon name="devices" />
        </span>
        <div>
          <h3>{name}</h3>
          <p className="muted small">
            {[request.platform, `${request.clientId} (${request.clientMode})`].filter(Boolean).join(' · ')}
          </p>
        </div>
        <Pill tone={request.isRepair ? 'warn' : 'info'}>{REASONS[request.reason] ?? request.reason}</Pill>
      </div>
      <dl className="facts">
        <dt>IP address</dt>
        <dd className="mono">{request.remoteIp}</dd>
        <dt>Scopes</dt>
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
      {error ? <ErrorNote error={error} /> : null}
      <div className="request-actions">
        <button type="button" className="btn btn-primary" disabled={busy !== undefined} onClick={() => act('approve')}>
          <Icon name="check" /> {busy === 'approve' ? 'Approving…' : 'Approve'}
        </button>
        <button type="button" className="btn btn-secondary" disabled={busy !== undefined} onClick={() => act('reject')}>
          <Icon name="close" /> {busy === 'reject' ? 'Rejecting…' : 'Reject'}
        </button>
      </div>
    </article>
  );
}

function ScopeList({ scopes }: { scopes: readonly string[] }): ReactElement {
  if (scopes.length === 0) return <span className="muted">default</span>;
  return (
    <span className="chips">
      {scopes.map((scope) => (
        <code key={scope} className="chip">
          {scope}
        </code>
      ))}
    </span>
  );
}

/** active / rotated / revoked from the device's newest token record. */
export function tokenState(device: PairedDevice): { label: string; tone: Tone } {
  const latest = [...device.tokens].sort((a, b) => b.createdAtMs - a.createdAtMs)[0];
  if (!latest) return { label: 'no token', tone: 'neutral' };
  if (latest.revokedAtMs !== undefined) return { label: 'revoked', tone: 'danger' };
  if (latest.rotatedAtMs !== undefined) return { label: 'rotated', tone: 'warn' };
  return { label: 'active', tone: 'ok' };
}

type DeviceAction = 'rotate' | 'revoke' | 'remove';

const ACTIONS: Record<DeviceAction, { label: string; method: string; explain: string; self: string }> = {
  rotate: {
    label: 'Rotate token',
    method: 'device.token.rotate',
    explain: 'Its connections close; it must sign in again with the gateway token to get a new device token.',
    self: 'This browser will be signed out.',
  },
  revoke: {
    label: 'Revoke token',
    method: 'device.token.revoke',
    explain: 'Its connections close and its device token stops working.',
    self: 'This browser will be signed out.',
  },
  remove: {
    label: 'Remove device',
    method: 'device.pair.remove',
    explain: 'It is unpaired and its connections close; it must be approved again to reconnect.',
    self: 'This browser will be signed out and must be approved again.',
  },
};

function PairedTable(props: { paired: PairedDevice[]; loaded: boolean; now: number; onChanged: () => void }): ReactElement {
  const { paired, loaded, now, onChanged } = props;
  const connection = useConnection();
  const { deviceId: ownId } = useConnectionState();
  const [confirm, setConfirm] = useState<ConfirmRequest | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);

  const ask = (device: PairedDevice, action: DeviceAction) => {
    const spec = ACTIONS[action];
    const name = device.displayName ?? device.clientId;
    setConfirm({
      title: `${spec.label} for “${name}”?`,
      body: (
        <p>
          {spec.explain} {device.deviceId === ownId ? <strong>{spec.self}</strong> : null}
        </p>
      ),
      confirmLabel: spec.label,
      danger: true,
      onConfirm: () => {
        setError(undefined);
        // Token changes raise no event, so reload the list once the gateway has answered.
        connection.request(spec.method, { deviceId: device.deviceId }).then(onChanged, (failure: unknown) => {
          setError(asGatewayError(failure).message);
        });
      },
    });
  };

  return (
    <Card title={`Paired devices${loaded ? ` (${paired.length})` : ''}`}>
      {error ? <ErrorNote error={error} /> : null}
      {loaded && paired.length === 0 ? <EmptyState icon="devices" title="No paired devices yet" /> : null}
      {paired.length > 0 ? (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">Last seen</th>
                <th scope="col">Scopes</th>
                <th scope="col">Token</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {paired.map((device) => {
                const token = tokenState(device);
                const name = device.displayName ?? device.clientId;
                return (
                  <tr key={device.deviceId}>
                    <td>
                      <div className="cell-title">
                        {name} {device.deviceId === ownId ? <Pill tone="info">this browser</Pill> : null}
                      </div>
                      <div className="muted small">
                        {[device.platform, device.clientId].filter(Boolean).join(' · ')} ·{' '}
                        <span className="mono" title={device.deviceId}>
                          {shortId(device.deviceId)}
                        </span>
                      </div>
                    </td>
                    <td>
                      <div>{device.lastSeenAtMs ? formatAge(device.lastSeenAtMs, now) : 'never'}</div>
                      <div className="muted small mono">{device.remoteIp ?? ''}</div>
                    </td>
                    <td>
                      <ScopeList scopes={device.scopes} />
                    </td>
                    <td>
                      <Pill tone={token.tone}>{token.label}</Pill>
                    </td>
                    <td className="row-actions">
                      <button
                        type="button"
                        className="btn btn-ghost btn-small"
                        aria-label={`Rotate token of ${name}`}
                        onClick={() => ask(device, 'rotate')}
                      >
                        Rotate
                      </button>
                      <button
                        type="button"
                        className="btn btn-ghost btn-small"
                        aria-label={`Revoke token of ${name}`}
                        onClick={() => ask(device, 'revoke')}
                      >
                        Revoke
                      </button>
                      <button
                        type="button"
                        className="btn btn-ghost btn-small btn-danger-text"
                        aria-label={`Remove ${name}`}
                        onClick={() => ask(device, 'remove')}
                      >
                        Remove
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      <ConfirmDialog request={confirm} onClose={() => setConfirm(undefined)} />
    </Card>
  );
}
