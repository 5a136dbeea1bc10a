/**
 * "Test connection": probes one saved provider through the gateway (`models.authStatus
 * {probe}`, a fresh `GET /models` with its default key), then asks `models.list` how many
 * models it offers, and shows both inline. The gateway can only probe a provider it has in
 * its config, so before the first save the button is disabled and says so.
 */
import type { ReactElement } from 'react';
import { useId, useState } from 'react';
import type { ModelListPayload } from '../../shared/protocol.js';
import { Icon } from '../components/icons.js';
import type { Tone } from '../components/ui.js';
import { Pill } from '../components/ui.js';
import { asGatewayError, useConnection } from '../hooks/connection-context.js';
import type { AuthStatus, ProbeSeen } from '../lib/api-types.js';

/** ok / rejected / unreachable / error, read from the probe's status and error text. */
export function probeOutcome(probe: ProbeSeen): { label: string; tone: Tone } {
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

/** "Found 2 models", "Found 1 model", "Found no models". */
export function foundModelsText(count: number): string {
  if (count === 0) return 'Found no models';
  return `Found ${count} model${count === 1 ? '' : 's'}`;
}

interface Outcome {
  label: string;
  tone: Tone;
  found?: string;
  detail?: string;
}

/** Probe, then count the models; a provider with named keys only is not probed, only listed. */
async function testProvider(
  request: <T>(method: string, params: Record<string, unknown>) => Promise<T>,
  providerId: string,
): Promise<Outcome> {
  const status = await request<AuthStatus>('models.authStatus', {
    probe: true,
    provider: providerId,
  });
  const probe = status.providers.find((provider) => provider.id === providerId)?.probe;
  const detail = typeof probe?.error === 'string' ? probe.error : probe?.error?.message;
  if (probe && !probe.ok) return { ...probeOutcome(probe), ...(detail ? { detail } : {}) };
  try {
    const listing = await request<ModelListPayload>('models.list', { provider: providerId });
    const found = foundModelsText(listing.models.length);
    return { ...(probe ? probeOutcome(probe) : { label: 'ok', tone: 'ok' as const }), found };
  } catch (error) {
    const message = asGatewayError(error).message;
    if (!probe) return { label: 'failed', tone: 'danger', detail: message };
    return { ...probeOutcome(probe), detail: `The models could not be listed: ${message}` };
  }
}

export function ProbeButton({
  providerId,
}: {
  /** The saved provider; undefined for one not saved yet. */
  providerId: string | undefined;
}): ReactElement {
  const connection = useConnection();
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<Outcome | undefined>(undefined);
  const hintId = useId();

  const run = () => {
    if (!providerId) return;
    setRunning(true);
    setResult(undefined);
    testProvider((method, params) => connection.request(method, params), providerId).then(
      (outcome) => {
        setRunning(false);
        setResult(outcome);
      },
      (error: unknown) => {
        setRunning(false);
        setResult({ label: asGatewayError(error).message, tone: 'danger' });
      },
    );
  };

  if (!providerId) {
    return (
      <span className="probe">
        <button type="button" className="btn btn-secondary" disabled aria-describedby={hintId}>
          <Icon name="plug" /> Test connection
        </button>
        <span id={hintId} className="muted small">
          Save the provider first to test it.
        </span>
      </span>
    );
  }
  return (
    <span className="probe">
      <button
        type="button"
        className="btn btn-secondary"
        onClick={run}
        disabled={running}
        aria-label={`Test connection to ${providerId}`}
      >
        {running ? <span className="spinner" aria-hidden="true" /> : <Icon name="plug" />}{' '}
        {running ? 'Testing…' : 'Test connection'}
      </button>
      <span role="status" className="probe-result" title={result?.detail}>
        {result ? <Pill tone={result.tone}>{result.label}</Pill> : null}
        {result?.found ? <span className="probe-found"> {result.found}</span> : null}
      </span>
      {result?.detail ? <span className="muted small">{result.detail}</span> : null}
    </span>
  );
}
