/** The two views of the paired devices: a table (wide screens) and cards (narrow ones). */
import type { ReactElement } from 'react';
import type { PairedDevice } from '../../shared/protocol.js';
import type { MenuItem } from '../components/menu-button.js';
import { MenuButton } from '../components/menu-button.js';
import { ScopeList } from '../components/scope-list.js';
import type { Tone } from '../components/ui.js';
import { Pill } from '../components/ui.js';
import { formatAge, shortId } from '../lib/format.js';
import { tokenState, type TokenState } from '../../shared/token-state.js';

/** What both views get. */
export interface DeviceViewProps {
  paired: PairedDevice[];
  /** This browser's device id, to mark its own entry. */
  ownId: string | undefined;
  now: number;
  actionsOf: (device: PairedDevice) => MenuItem[];
}

const TOKEN_PILLS: Record<TokenState, { label: string; tone: Tone }> = {
  none: { label: 'no token', tone: 'neutral' },
  revoked: { label: 'revoked', tone: 'danger' },
  rotated: { label: 'rotated', tone: 'warn' },
  active: { label: 'active', tone: 'ok' },
};

/** The pill for the state of the device's newest token (src/shared/token-state.ts). */
export function tokenPill(device: PairedDevice): { label: string; tone: Tone } {
  return TOKEN_PILLS[tokenState(device)];
}

function nameOf(device: PairedDevice): string {
  return device.displayName ?? device.clientId;
}

function Identity({ device, own }: { device: PairedDevice; own: boolean }): ReactElement {
  return (
    <>
      <div className="cell-title">
        <span className="break">{nameOf(device)}</span>
        {own ? <Pill tone="info">this browser</Pill> : null}
      </div>
      <div className="muted small break">
        {[device.platform, device.clientId].filter(Boolean).join(' · ')} ·{' '}
        <span className="mono" title={device.deviceId}>
          {shortId(device.deviceId)}
        </span>
      </div>
    </>
  );
}

function LastSeen({ device, now }: { device: PairedDevice; now: number }): ReactElement {
  return (
    <>
      <div>{device.lastSeenAtMs ? formatAge(device.lastSeenAtMs, now) : 'never'}</div>
      {device.remoteIp ? (
        <div className="muted small last-address" title="Last address">
          from <span className="mono">{device.remoteIp}</span>
        </div>
      ) : null}
    </>
  );
}

function Actions({ device, items }: { device: PairedDevice; items: MenuItem[] }): ReactElement {
  return <MenuButton label="Actions" ariaLabel={`Actions for ${nameOf(device)}`} items={items} />;
}

export function DeviceTable({ paired, ownId, now, actionsOf }: DeviceViewProps): ReactElement {
  return (
    <div className="table-wrap">
      <table className="table device-table">
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
            const token = tokenPill(device);
            return (
              <tr key={device.deviceId}>
                <td>
                  <Identity device={device} own={device.deviceId === ownId} />
                </td>
                <td>
                  <LastSeen device={device} now={now} />
                </td>
                <td>
                  <ScopeList scopes={device.scopes} />
                </td>
                <td>
                  <Pill tone={token.tone}>{token.label}</Pill>
                </td>
                <td className="row-actions">
                  <Actions device={device} items={actionsOf(device)} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function DeviceCards({ paired, ownId, now, actionsOf }: DeviceViewProps): ReactElement {
  return (
    <ul className="device-cards">
      {paired.map((device) => {
        const token = tokenPill(device);
        return (
          <li key={device.deviceId}>
            <article className="device-card" aria-label={`Device ${nameOf(device)}`}>
              <div className="device-card-head">
                <div className="device-card-title">
                  <Identity device={device} own={device.deviceId === ownId} />
                </div>
                <Actions device={device} items={actionsOf(device)} />
              </div>
              <dl className="facts">
                <dt>Last seen</dt>
                <dd>
                  <LastSeen device={device} now={now} />
                </dd>
                <dt>Scopes</dt>
                <dd>
                  <ScopeList scopes={device.scopes} />
                </dd>
                <dt>Token</dt>
                <dd>
                  <Pill tone={token.tone}>{token.label}</Pill>
                </dd>
              </dl>
            </article>
          </li>
        );
      })}
    </ul>
  );
}
