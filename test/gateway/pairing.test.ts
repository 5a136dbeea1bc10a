import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayClient } from '../../src/shared/gateway-client.js';
import { GatewayClientError } from '../../src/shared/gateway-client.js';
import type { PairedDevice, PendingRequest } from '../../src/shared/protocol.js';
import {
  connectDevice,
  deviceClient,
  newIdentity,
  startTestGateway,
  type TestGateway,
} from '../helpers/gateway.js';

/** 127.0.0.2 is a loopback address the tests use as the trusted reverse proxy. */
const PROXY = '127.0.0.2';
const REMOTE_IP = '203.0.113.7';

let gateway: TestGateway | undefined;
const clients: GatewayClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await gateway?.stop();
  gateway = undefined;
});

function startProxiedGateway(
  extra: Record<string, unknown> = {},
  options: Parameters<typeof startTestGateway>[0] = {},
) {
  return startTestGateway({
    ...options,
    config: { gateway: { trustedProxies: [PROXY], ...extra } },
  });
}

async function failure(promise: Promise<unknown>): Promise<GatewayClientError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GatewayClientError);
  return error as GatewayClientError;
}

/** A device reaching the gateway through the trusted proxy, i.e. from 203.0.113.7. */
async function remoteAttempt(
  gw: TestGateway,
  identity?: Awaited<ReturnType<typeof newIdentity>>,
  ip = REMOTE_IP,
  scopes?: string[],
) {
  const id = identity ?? (await newIdentity());
  const client = deviceClient(gw.wsUrl, {
    identity: id,
    auth: { token: gw.token },
    localAddress: PROXY,
    headers: { 'x-forwarded-for': ip },
    ...(scopes ? { scopes } : {}),
  });
  return {
    client,
    identity: id,
    result: client.connect().then(
      (hello) => ({ hello }),
      (error: GatewayClientError) => ({ error }),
    ),
  };
}

async function operator(gw: TestGateway): Promise<GatewayClient> {
  const { client } = await connectDevice(gw);
  clients.push(client);
  return client;
}

describe('local devices', () => {
  it('approves a fresh loopback device silently and issues a device token it can reconnect with alone', async () => {
    gateway = await startTestGateway();
    const identity = await newIdentity();
    const first = await connectDevice(gateway, { identity });
    expect(first.hello.auth?.deviceToken).toBeTruthy();
    first.client.close();
    const again = await connectDevice(gateway, {
      identity,
      auth: { deviceToken: first.hello.auth!.deviceToken },
    });
    expect(again.hello.type).toBe('hello-ok');
    expect(again.hello.auth).toBeUndefined();
    const list = await again.client.request<{ paired: PairedDevice[] }>('device.pair.list');
    const device = list.paired.find((d) => d.deviceId === identity.deviceId);
    expect(device?.approvedBy).toBe('local-auto');
    expect(device?.tokens[0]?.createdAtMs).toBe(first.hello.auth!.issuedAtMs);
    expect(JSON.stringify(list)).not.toContain(first.hello.auth!.deviceToken);
    again.client.close();
  });
});

describe('remote devices', () => {
  it('must wait for approval: PAIRING_REQUIRED with a requestId, then close 1008', async () => {
    gateway = await startProxiedGateway();
    const { result } = await remoteAttempt(gateway);
    const { error } = (await result) as { error: GatewayClientError };
    expect(error.code).toBe('NOT_PAIRED');
    expect(error.details).toMatchObject({
      code: 'PAIRING_REQUIRED',
      reason: 'not-paired',
      requestId: expect.any(String),
    });
    // The CLI prints the message as it is: the command in it must be one to paste.
    expect(error.message).toContain(
      `special-agent devices approve ${String(error.details?.requestId)}`,
    );
    expect(error.closeCode).toBe(1008);
    expect(error.closeReason).toBe('pairing required');
  });

  it('shows the request to operators live and lets the device in after approval', async () => {
    gateway = await startProxiedGateway();
    const admin = await operator(gateway);
    const requested: PendingRequest[] = [];
    admin.on('device.pair.requested', (payload) => requested.push(payload as PendingRequest));
    const { identity, result } = await remoteAttempt(gateway);
    const { error } = (await result) as { error: GatewayClientError };
    const requestId = error.details?.requestId as string;
    await expect.poll(() => requested.length).toBe(1);
    expect(requested[0]).toMatchObject({
      requestId,
      deviceId: identity.deviceId,
      remoteIp: REMOTE_IP,
      isRepair: false,
    });
    const resolved: unknown[] = [];
    admin.on('device.pair.resolved', (payload) => resolved.push(payload));
    const approval = await admin.request<{ requestId: string; device: PairedDevice }>(
      'device.pair.approve',
      { requestId },
    );
    expect(approval.device).toMatchObject({ deviceId: identity.deviceId, approvedBy: 'operator' });
    await expect
      .poll(() => resolved)
      .toEqual([expect.objectContaining({ requestId, decision: 'approved' })]);
    const retry = await remoteAttempt(gateway, identity);
    const { hello } = (await retry.result) as { hello: { auth?: { deviceToken: string } } };
    expect(hello.auth?.deviceToken).toBeTruthy();
    retry.client.close();
  });

  it('keeps a rejected device out', async () => {
    gateway = await startProxiedGateway();
    const admin = await operator(gateway);
    const first = await remoteAttempt(gateway);
    const requestId = ((await first.result) as { error: GatewayClientError }).error.details
      ?.requestId as string;
    await admin.request('device.pair.reject', { requestId });
    const again = await remoteAttempt(gateway, first.identity);
    const { error } = (await again.result) as { error: GatewayClientError };
    expect(error.detailCode).toBe('PAIRING_REQUIRED');
    expect(error.details?.requestId).not.toBe(requestId);
  });
});

describe('forged forwarding headers', () => {
  for (const [name, headers] of [
    ['X-Forwarded-For: 127.0.0.1', { 'x-forwarded-for': '127.0.0.1' }],
    ['X-Real-IP', { 'x-real-ip': '127.0.0.1' }],
    ['Forwarded', { forwarded: 'for=127.0.0.1' }],
  ] as const) {
    it(`treats a loopback peer that is not a trusted proxy sending ${name} as non-local`, async () => {
      gateway = await startTestGateway();
      const error = await failure(connectDevice(gateway, { headers: { ...headers } }));
      expect(error.detailCode).toBe('PAIRING_REQUIRED');
      expect(gateway.logs.some((line) => line.includes('ignoring forwarding headers'))).toBe(true);
    });
  }
});

describe('repeats and limits', () => {
  it('keeps one pending request with the same requestId when a device retries 5 times', async () => {
    gateway = await startProxiedGateway();
    const identity = await newIdentity();
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const { result } = await remoteAttempt(gateway, identity);
      ids.add(((await result) as { error: GatewayClientError }).error.details?.requestId as string);
    }
    expect(ids.size).toBe(1);
    expect(gateway.app.pairing.list().pending).toHaveLength(1);
  });

  it('refuses a fourth distinct device from one address with PAIRING_LIMIT_REACHED and retryAfterMs', async () => {
    gateway = await startProxiedGateway();
    for (let i = 0; i < 3; i++) {
      const { result } = await remoteAttempt(gateway);
      expect(((await result) as { error: GatewayClientError }).error.detailCode).toBe(
        'PAIRING_REQUIRED',
      );
    }
    const { result } = await remoteAttempt(gateway);
    const { error } = (await result) as { error: GatewayClientError };
    expect(error.detailCode).toBe('PAIRING_LIMIT_REACHED');
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(error.closeReason).toBe('pairing request limit reached');
    const other = await remoteAttempt(gateway, undefined, '198.51.100.9');
    expect(((await other.result) as { error: GatewayClientError }).error.detailCode).toBe(
      'PAIRING_REQUIRED',
    );
  });

  it('expires a request after its TTL and tells operators', async () => {
    let now = Date.now();
    gateway = await startProxiedGateway(
      { pairing: { pendingTtlSeconds: 10 } },
      { clock: { now: () => now } },
    );
    const admin = await operator(gateway);
    const resolved: { decision: string; requestId: string }[] = [];
    admin.on('device.pair.resolved', (payload) =>
      resolved.push(payload as { decision: string; requestId: string }),
    );
    const { result } = await remoteAttempt(gateway);
    const requestId = ((await result) as { error: GatewayClientError }).error.details
      ?.requestId as string;
    now += 11_000;
    await expect
      .poll(() => resolved, { timeout: 5000 })
      .toEqual([expect.objectContaining({ requestId, decision: 'expired' })]);
    expect(gateway.app.pairing.list().pending).toHaveLength(0);
  });
});

describe('scope and role upgrades', () => {
  it('does not silently approve a paired device asking for more scopes', async () => {
    gateway = await startTestGateway();
    const identity = await newIdentity();
    const reader = await connectDevice(gateway, { identity, scopes: ['operator.read'] });
    reader.client.close();
    const error = await failure(
      connectDevice(gateway, { identity, scopes: ['operator.read', 'operator.admin'] }),
    );
    expect(error.details).toMatchObject({ code: 'PAIRING_REQUIRED', reason: 'scope-upgrade' });
    const pending = gateway.app.pairing.list().pending;
    expect(pending).toEqual([
      expect.objectContaining({
        deviceId: identity.deviceId,
        isRepair: true,
        reason: 'scope-upgrade',
      }),
    ]);
    // A read-only device cannot call a pairing method.
    const again = await connectDevice(gateway, { identity, scopes: ['operator.read'] });
    await expect(again.client.request('device.pair.list')).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: { code: 'MISSING_SCOPE', requiredScope: 'operator.pairing' },
    });
    again.client.close();
  });
});

describe('token changes', () => {
  for (const [method, reason] of [
    ['device.token.rotate', 'device token revoked'],
    ['device.token.revoke', 'device token revoked'],
    ['device.pair.remove', 'device removed'],
  ] as const) {
    it(`${method} closes the device's socket with 4001 and its old token fails at once`, async () => {
      gateway = await startTestGateway();
      const admin = await operator(gateway);
      const identity = await newIdentity();
      const device = await connectDevice(gateway, { identity });
      const deviceToken = device.hello.auth!.deviceToken;
      await admin.request(method, { deviceId: identity.deviceId });
      expect(await device.client.closed()).toEqual({ code: 4001, reason });
      const error = await failure(connectDevice(gateway, { identity, auth: { deviceToken } }));
      expect(error.detailCode).toBe('AUTH_DEVICE_TOKEN_MISMATCH');
    });
  }
});

describe('concurrency', () => {
  it('lands 20 different approvals made in parallel', async () => {
    gateway = await startProxiedGateway({ pairing: { pendingTtlSeconds: 300 } });
    const admin = await operator(gateway);
    const requestIds: string[] = [];
    for (let i = 0; i < 20; i++) {
      const { result } = await remoteAttempt(gateway, undefined, `198.51.100.${i + 1}`);
      requestIds.push(
        ((await result) as { error: GatewayClientError }).error.details?.requestId as string,
      );
    }
    await Promise.all(
      requestIds.map((requestId) => admin.request('device.pair.approve', { requestId })),
    );
    const list = await admin.request<{ paired: PairedDevice[]; pending: unknown[] }>(
      'device.pair.list',
    );
    expect(list.pending).toHaveLength(0);
    expect(list.paired.filter((d) => d.approvedBy === 'operator')).toHaveLength(20);
  });

  it('approves the same request once when two operators click at the same time', async () => {
    gateway = await startProxiedGateway();
    const [a, b] = [await operator(gateway), await operator(gateway)];
    const { result } = await remoteAttempt(gateway);
    const requestId = ((await result) as { error: GatewayClientError }).error.details
      ?.requestId as string;
    const outcomes = await Promise.allSettled([
      a.request('device.pair.approve', { requestId }),
      b.request('device.pair.approve', { requestId }),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const rejected = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect((rejected.reason as GatewayClientError).code).toBe('NOT_FOUND');
  });
});

describe('a decision made while the device retries', () => {
  /** Holds the handshake's request filing until `decide` (an operator's click) has landed. */
  function fileAfter(gw: TestGateway, decide: () => Promise<unknown>) {
    const pairing = gw.app.pairing;
    const original = pairing.fileRequest.bind(pairing);
    pairing.fileRequest = async (input) => {
      pairing.fileRequest = original;
      await decide();
      return original(input);
    };
  }

  async function firstRequest(gw: TestGateway) {
    const first = await remoteAttempt(gw);
    const { error } = (await first.result) as { error: GatewayClientError };
    return { identity: first.identity, requestId: error.details?.requestId as string };
  }

  it('an ignore that lands first leaves no new request and no event', async () => {
    gateway = await startProxiedGateway();
    const admin = await operator(gateway);
    const { identity, requestId } = await firstRequest(gateway);
    const requested: unknown[] = [];
    admin.on('device.pair.requested', (payload) => requested.push(payload));
    fileAfter(gateway, () => admin.request('device.pair.ignore', { requestId }));
    const retry = await remoteAttempt(gateway, identity);
    const { error } = (await retry.result) as { error: GatewayClientError };
    expect(error.detailCode).toBe('PAIRING_REQUIRED');
    const list = await admin.request<{ pending: PendingRequest[] }>('device.pair.list');
    expect(list.pending, 'requests of the ignored device').toEqual([]);
    expect(requested, 'device.pair.requested events').toEqual([]);
  });

  it('an approval that lands first lets the retry in, leaving no request behind', async () => {
    gateway = await startProxiedGateway();
    const admin = await operator(gateway);
    const { identity, requestId } = await firstRequest(gateway);
    fileAfter(gateway, () => admin.request('device.pair.approve', { requestId }));
    const retry = await remoteAttempt(gateway, identity);
    const outcome = await retry.result;
    expect('hello' in outcome, `the retry: ${JSON.stringify(outcome)}`).toBe(true);
    retry.client.close();
    const list = await admin.request<{ pending: PendingRequest[] }>('device.pair.list');
    expect(list.pending, 'requests left').toEqual([]);
  });
});

describe('a device paired silently while its remote request waits', () => {
  it('has that request settled, not left pending', async () => {
    gateway = await startProxiedGateway();
    const admin = await operator(gateway);
    const resolved: { requestId: string }[] = [];
    admin.on('device.pair.resolved', (payload) => resolved.push(payload as { requestId: string }));
    const first = await remoteAttempt(gateway);
    const { error } = (await first.result) as { error: GatewayClientError };
    const requestId = error.details?.requestId as string;
    // The same device, now local (an SSH tunnel): paired at once.
    const local = await connectDevice(gateway, { identity: first.identity });
    local.client.close();
    const list = await admin.request<{ pending: PendingRequest[] }>('device.pair.list');
    expect(list.pending, 'requests left').toEqual([]);
    await expect.poll(() => resolved.map((event) => event.requestId)).toEqual([requestId]);
  });
});
