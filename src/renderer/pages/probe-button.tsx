/** "Test connection": probes one provider through the gateway and shows the outcome inline. */
import type { ReactElement } from 'react';
import { useState } from 'react';
import { Icon } from '../components/icons.js';
import type { Tone } from '../components/ui.js';
import { Pill } from '../components/ui.js';
import { asGatewayError, useConnection } from '../hooks/connection-context.js';
import type { AuthStatus, ProbeResult } from '../lib/api-types.js';

/** ok / rejected / unreachable / error, read from the probe's status and error text. */
export function probeOutcome(probe: ProbeResult): { label: string; tone: Tone } {
  const latency = `${Math.round(probe.latencyMs)} ms`;
  if (probe.ok) return { label: `ok · ${latency}`, tone: 'ok' };
  const error = typeof probe.error === 'string' ? probe.error : (probe.error?.kind ?? '');
  const status = probe.httpStatus ? ` (HTTP ${probe.httpStatus})` : '';
  if (error.startsWith('rejected') || probe.httpStatus === 401 || probe.httpStatus === 403) {
    return { label: `rejected${status} · ${latency}`, tone: 'danger' };
  }
  if (error.startsWith('unreachable') || probe.httpStatus === undefined) {
    return { label: `unreachable · ${latency}`, tone: 'danger' };
  }
  return { label: `error${status} · ${latency}`, tone: 'warn' };
}

export function ProbeButton({ providerId }: { providerId: string }): ReactElement {
  const connection = useConnection();
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<{ label: string; tone: Tone; detail?: string } | undefined>(
    undefined,
  );

  const run = () => {
    setRunning(true);
    setResult(undefined);
    connection.request<AuthStatus>('models.authStatus', { probe: true, provider: providerId }).then(
      (status) => {
        setRunning(false);
        const probe = status.providers.find((provider) => provider.id === providerId)?.probe;
        if (!probe) return setResult({ label: 'no probe result', tone: 'warn' });
        const detail = typeof probe.error === 'string' ? probe.error : probe.error?.message;
        setResult({ ...probeOutcome(probe), ...(detail ? { detail } : {}) });
      },
      (error: unknown) => {
        setRunning(false);
        setResult({ label: asGatewayError(error).message, tone: 'danger' });
      },
    );
  };

  return (
    <span className="probe">
      <button
        type="button"
        className="btn btn-secondary"
        onClick={run}
        disabled={running}
        aria-label={`Test connection to ${providerId}`}
      >
        <Icon name="plug" /> {running ? 'Testing…' : 'Test connection'}
      </button>
      <span role="status" className="probe-result" title={result?.detail}>
        {result ? <Pill tone={result.tone}>{result.label}</Pill> : null}
      </span>
      {result?.detail && result.tone !== 'ok' ? (
        <span className="muted small">{result.detail}</span>
      ) : null}
    </span>
  );
}
