/** The paired-devices table of the Devices page: last seen, scopes, token state, actions. */
import type { ReactElement } from 'react';
import { useState } from 'react';
import type { PairedDevice } from '../../shared/protocol.js';
import type { ConfirmRequest } from '../components/confirm-dialog.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import type { Tone } from '../components/ui.js';
import { Card, EmptyState, ErrorNote, Pill } from '../components/ui.js';
import { asGatewayError, useConnection, useConnectionState } from '../hooks/connection-context.js';
import { formatAge, shortId } from '../lib/format.js';

/** Scopes as small code chips ("default" when none were asked for). */
export function ScopeList({ scopes }: { scopes: readonly string[] }): ReactElement {
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

const ACTIONS: Record<
  DeviceAction,
  { label: string; method: string; explain: string; self: string }
> = {
  rotate: {
    label: 'Rotate token',
    method: 'device.token.rotate',
    explain:
      'Its connections close; it must sign in again with the gateway token to get a new device token.',
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

/** The paired devices with Rotate / Revoke / Remove behind a confirmation. */
export function PairedTable(props: {
  paired: PairedDevice[];
  loaded: boolean;
  now: number;
  onChanged: () => void;
}): ReactElement {
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
        connection
          .request(spec.method, { deviceId: device.deviceId })
          .then(onChanged, (failure: unknown) => {
            setError(asGatewayError(failure).message);
          });
      },
    });
  };

  return (
    <Card title={`Paired devices${loaded ? ` (${paired.length})` : ''}`}>
      {error ? <ErrorNote error={error} /> : null}
      {loaded && paired.length === 0 ? (
        <EmptyState icon="devices" title="No paired devices yet" />
      ) : null}
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
                        {name}{' '}
                        {device.deviceId === ownId ? <Pill tone="info">this browser</Pill> : null}
                      </div>
                      <div className="muted small">
                        {[device.platform, device.clientId].filter(Boolean).join(' · ')} ·{' '}
                        <span className="mono" title={device.deviceId}>
                          {shortId(device.deviceId)}
                        </span>
                      </div>
                    </td>
                    <td>
                      <div>
                        {device.lastSeenAtMs ? formatAge(device.lastSeenAtMs, now) : 'never'}
                      </div>
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
