/**
 * Devices whose requests are ignored (DESIGN.md "Ignore and name"): their connects make no
 * request and no notification. Unignore lets one ask to pair again.
 */
import type { ReactElement } from 'react';
import { useState } from 'react';
import { Card, ErrorNote } from '../components/ui.js';
import { asGatewayError, useConnection } from '../hooks/connection-context.js';
import type { IgnoredDeviceInfo } from '../lib/api-types.js';
import { formatAge, shortId } from '../lib/format.js';

export function IgnoredDevices(props: {
  ignored: IgnoredDeviceInfo[];
  now: number;
  /** Unignoring raises no event, so the list reloads once the gateway has answered. */
  onChanged: () => void;
}): ReactElement | null {
  const connection = useConnection();
  const [busy, setBusy] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  if (props.ignored.length === 0) return null;

  const unignore = (deviceId: string) => {
    setBusy(deviceId);
    setError(undefined);
    connection.request('device.unignore', { deviceId }).then(
      () => {
        setBusy(undefined);
        props.onChanged();
      },
      (failure: unknown) => {
        setBusy(undefined);
        setError(asGatewayError(failure).message);
      },
    );
  };

  return (
    <Card title={`Ignored devices (${props.ignored.length})`}>
      <p className="muted small">
        Their requests are turned away quietly: no pairing request, no notification.
      </p>
      {error ? <ErrorNote error={error} /> : null}
      <ul className="simple-list">
        {props.ignored.map((device) => {
          const name = device.displayName ?? shortId(device.deviceId);
          return (
            <li key={device.deviceId} className="simple-row" aria-label={`Ignored device ${name}`}>
              <div className="simple-main">
                <span className="cell-title break">{name}</span>
                <span className="muted small">
                  <span className="mono" title={device.deviceId}>
                    {shortId(device.deviceId)}
                  </span>{' '}
                  · ignored {formatAge(device.ignoredAtMs, props.now)}
                </span>
              </div>
              <button
                type="button"
                className="btn btn-secondary btn-small"
                disabled={busy === device.deviceId}
                aria-label={`Unignore ${name}`}
                onClick={() => unignore(device.deviceId)}
              >
                {busy === device.deviceId ? 'Unignoring…' : 'Unignore'}
              </button>
            </li>
          );
        })}
      </ul>
    </Card>
  );
}
