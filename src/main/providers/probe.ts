/**
 * A cheap "does this key work" check: `GET <baseUrl>/models`, which both API families
 * serve and which costs no tokens.
 */
import type { ProbeErrorKind, ProbeResult } from '../../shared/api-results.js';
import type { Clock } from '../util/clock.js';
import { systemClock } from '../util/clock.js';
import { anthropicHeaders } from './stream-anthropic.js';
import {
  displayUrl,
  messageFromBody,
  networkReason,
  scrubSecret,
  MAX_PROVIDER_MESSAGE_CHARS,
} from './provider-errors.js';
import { endpoint } from './provider-types.js';
import type { ProviderRef } from './provider-types.js';

/** Default limit for one probe, headers and body together. */
export const PROBE_TIMEOUT_MS = 5000;

export interface ProbeOptions {
  provider: ProviderRef;
  apiKey?: string | undefined;
  timeoutMs?: number;
  clock?: Clock;
}

/** Probes a provider; never throws. */
export async function probeProvider(options: ProbeOptions): Promise<ProbeResult> {
  const { provider, apiKey, timeoutMs = PROBE_TIMEOUT_MS, clock = systemClock } = options;
  const started = clock.now();
  const latency = () => Math.max(0, clock.now() - started);
  const headers: Record<string, string> =
    provider.type === 'anthropic'
      ? anthropicHeaders(apiKey)
      : apiKey
        ? { authorization: `Bearer ${apiKey}` }
        : {};
  let response: Response;
  try {
    response = await fetch(endpoint(provider.baseUrl, 'models'), {
      headers,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const reason =
      error instanceof DOMException && error.name === 'TimeoutError'
        ? `no response within ${timeoutMs} ms`
        : networkReason(error);
    return fail(latency(), undefined, 'unreachable', `${displayUrl(provider.baseUrl)}: ${reason}`);
  }
  const httpStatus = response.status;
  if (response.ok) {
    await response.body?.cancel();
    return { ok: true, httpStatus, latencyMs: latency() };
  }
  if (httpStatus === 401 || httpStatus === 403) {
    await response.body?.cancel();
    return fail(latency(), httpStatus, 'rejected', `the API key was rejected (HTTP ${httpStatus})`);
  }
  const body = await response.text().catch(() => '');
  const text = scrubSecret(messageFromBody(body), apiKey).slice(0, MAX_PROVIDER_MESSAGE_CHARS);
  return fail(latency(), httpStatus, 'error', `HTTP ${httpStatus}${text ? `: ${text}` : ''}`);
}

function fail(
  latencyMs: number,
  httpStatus: number | undefined,
  kind: ProbeErrorKind,
  message: string,
): ProbeResult {
  return {
    ok: false,
    ...(httpStatus === undefined ? {} : { httpStatus }),
    latencyMs,
    error: { kind, message },
  };
}
