import { afterEach, describe, expect, it } from 'vitest';
import { closedPortUrl, startFakeProvider } from './fake-provider.test-support.js';
import type { FakeProvider } from './fake-provider.test-support.js';
import { probeProvider } from './probe.js';

const KEY = 'sk-probe-0123456789';
/** How long the injected clock says the provider took to answer. */
const ANSWER_MS = 42;
const servers: FakeProvider[] = [];

/**
 * A clock that moves `ANSWER_MS` forward when the provider receives the request, so the
 * probe's latency is what happened between sending it and reading the answer.
 */
function clockAdvancedOnRequest(server: FakeProvider) {
  let now = 1_700_000_000_000;
  void server.nextRequest().then(() => {
    now += ANSWER_MS;
  });
  return { now: () => now };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe.each(['openai', 'anthropic'] as const)('probing a %s provider', (type) => {
  it('is ok when the key is accepted, sending the key the way the API expects', async () => {
    const server = await startFakeProvider(type, { apiKey: KEY });
    servers.push(server);
    const result = await probeProvider({
      provider: { id: 'p', type, baseUrl: server.baseUrl },
      apiKey: KEY,
      clock: clockAdvancedOnRequest(server),
    });
    expect(result, 'the probe result').toEqual({ ok: true, httpStatus: 200, latencyMs: ANSWER_MS });
    expect(server.requests[0]).toMatchObject({ method: 'GET', path: '/v1/models' });
    if (type === 'anthropic')
      expect(server.requests[0]?.headers['anthropic-version']).toBe('2023-06-01');
  });

  it('says rejected when the key is wrong', async () => {
    const server = await startFakeProvider(type, { apiKey: KEY });
    servers.push(server);
    const result = await probeProvider({
      provider: { id: 'p', type, baseUrl: server.baseUrl },
      apiKey: 'sk-wrong-key-000000',
      clock: clockAdvancedOnRequest(server),
    });
    expect(result, 'the probe result').toEqual({
      ok: false,
      httpStatus: 401,
      latencyMs: ANSWER_MS,
      error: { kind: 'rejected', message: 'the API key was rejected (HTTP 401)' },
    });
  });
});

describe('probe failures', () => {
  it('says unreachable for a closed port', async () => {
    const result = await probeProvider({
      provider: { id: 'p', type: 'openai', baseUrl: await closedPortUrl() },
    });
    expect(result.ok).toBe(false);
    expect(result.httpStatus).toBeUndefined();
    expect(result.error?.kind).toBe('unreachable');
    expect(result.error?.message).toContain('ECONNREFUSED');
  });

  it('says unreachable when the server does not answer in time', async () => {
    const server = await startFakeProvider('openai', { silent: true });
    servers.push(server);
    const result = await probeProvider({
      provider: { id: 'p', type: 'openai', baseUrl: server.baseUrl },
      timeoutMs: 300,
    });
    expect(result.error).toEqual({
      kind: 'unreachable',
      message: `${server.baseUrl}: no response within 300 ms`,
    });
  });

  it('says error with the provider’s text for other answers, key scrubbed', async () => {
    const server = await startFakeProvider('openai', {
      failWith: {
        status: 503,
        body: JSON.stringify({ error: { message: `down for maintenance ${KEY}` } }),
      },
    });
    servers.push(server);
    const result = await probeProvider({
      provider: { id: 'p', type: 'openai', baseUrl: server.baseUrl },
      apiKey: KEY,
    });
    expect(result).toMatchObject({
      ok: false,
      httpStatus: 503,
      error: { kind: 'error', message: 'HTTP 503: down for maintenance [redacted]' },
    });
  });
});
