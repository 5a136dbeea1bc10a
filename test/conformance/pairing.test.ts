/**
 * PROTOCOL.md handshake step 5, "Records", the `device.*` methods and the pairing events.
 */
import { describe, expect, it } from 'vitest';
import type { PairedDevice, PendingRequest } from '../../src/shared/protocol.js';
import { connectDevice, newIdentity } from '../helpers/gateway.js';
import { failure, gatewayPerCase, rawConnect, remoteConnect, REMOTE_IP } from './support.js';

const gw = gatewayPerCase();

const PENDING_KEYS = [
  'requestId',
  'deviceId',
  'publicKey',
  'displayName',
  'platform',
  'deviceFamily',
  'clientId',
  'clientMode',
  'role',
  'scopes',
  'remoteIp',
  'reason',
  'isRepair',
  'ts',
  'expiresAtMs',
];
const PAIRED_KEYS = [
  'deviceId',
  'publicKey',
  'displayName',
  'platform',
  'deviceFamily',
  'clientId',
  'roles',
  'scopes',
  'createdAtMs',
  'approvedAtMs',
  'approvedBy',
  'lastSeenAtMs',
  'remoteIp',
  'tokens',
];
const TOKEN_KEYS = ['role', 'createdAtMs', 'rotatedAtMs', 'revokedAtMs', 'lastUsedAtMs'];

function onlyKnownKeys(record: object, known: string[]): string[] {
  return Object.keys(record).filter((key) => !known.includes(key));
}

describe('pending requests', () => {
  it('answers NOT_PAIRED/PAIRING_REQUIRED {requestId, reason} and closes 1008 "pairing required"', async () => {
    const gateway = await gw.startProxied();
    const { response, close } = await rawConnect(gateway, {
      localAddress: '127.0.0.2',
      headers: { 'x-forwarded-for': REMOTE_IP },
    });
    expect(response.error?.code).toBe('NOT_PAIRED');
    expect(response.error?.details).toEqual({
      code: 'PAIRING_REQUIRED',
      requestId: expect.any(String),
      reason: 'not-paired',
    });
    expect(close).toEqual({ code: 1008, reason: 'pairing required' });
  });

  it('announces a PendingRequest with the documented fields only to pairing-scoped connections', async () => {
    const gateway = await gw.startProxied();
    const admin = await gw.operator(gateway);
    const pairingOnly = await gw.operator(gateway, ['operator.pairing']);
    const reader = await gw.operator(gateway, ['operator.write']);
    const seen: Record<string, PendingRequest[]> = { admin: [], pairingOnly: [], reader: [] };
    admin.client.on('device.pair.requested', (p) => seen.admin!.push(p as PendingRequest));
    pairingOnly.client.on('device.pair.requested', (p) =>
      seen.pairingOnly!.push(p as PendingRequest),
    );
    reader.client.on('device.pair.requested', (p) => seen.reader!.push(p as PendingRequest));
    const attempt = await remoteConnect(gateway, { scopes: ['operator.read'] });
    const requestId = attempt.error?.details?.requestId as string;
    await expect.poll(() => seen.admin!.length).toBe(1);
    await expect.poll(() => seen.pairingOnly!.length).toBe(1);
    const request = seen.admin![0]!;
    expect(onlyKnownKeys(request, PENDING_KEYS)).toEqual([]);
    expect(request).toMatchObject({
      requestId,
      deviceId: attempt.identity.deviceId,
      publicKey: attempt.identity.publicKey,
      clientId: 'special-agent-test',
      clientMode: 'test',
      role: 'operator',
      scopes: ['operator.read'],
      remoteIp: REMOTE_IP,
      reason: 'not-paired',
      isRepair: false,
      platform: 'linux',
    });
    expect(request.expiresAtMs - request.ts).toBe(300_000);
    // An event to the reader would have arrived with the others.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen.reader).toEqual([]);
  });

  it('keeps the requestId on a retry and refreshes its TTL', async () => {
    let now = Date.now();
    const gateway = await gw.startProxied({}, { clock: { now: () => now } });
    const identity = await newIdentity();
    const first = await remoteConnect(gateway, { identity });
    const [before] = gateway.app.pairing.list().pending;
    now += 60_000;
    const retry = await remoteConnect(gateway, { identity });
    expect(retry.error?.details?.requestId).toBe(first.error?.details?.requestId);
    const [after] = gateway.app.pairing.list().pending;
    expect(after!.expiresAtMs).toBe(before!.expiresAtMs + 60_000);
  });

  it('puts retryAfterMs at the top of the PAIRING_LIMIT_REACHED error, not in details', async () => {
    const gateway = await gw.startProxied();
    for (let i = 0; i < 3; i++) await remoteConnect(gateway);
    const { response, close } = await rawConnect(gateway, {
      localAddress: '127.0.0.2',
      headers: { 'x-forwarded-for': REMOTE_IP },
    });
    expect(response.error?.code).toBe('NOT_PAIRED');
    expect(response.error?.details?.code).toBe('PAIRING_LIMIT_REACHED');
    expect(response.error?.retryAfterMs).toBeGreaterThan(0);
    expect(response.error?.details).not.toHaveProperty('retryAfterMs');
    expect(close).toEqual({ code: 1008, reason: 'pairing request limit reached' });
  });

  it('does not silently approve a loopback browser from an allowed origin that is not the gateway’s own', async () => {
    const gateway = await gw.start({
      config: { gateway: { controlUi: { allowedOrigins: ['https://ui.example'] } } },
    });
    const error = await failure(
      connectDevice(gateway, { headers: { origin: 'https://ui.example' } }),
    );
    expect(error.detailCode).toBe('PAIRING_REQUIRED');
    const own = await connectDevice(gateway, { headers: { origin: gateway.origin } });
    gw.track(own.client);
    expect(own.hello.type).toBe('hello-ok');
  });

  it('does not silently approve local devices when pairing.autoApproveLocal is false', async () => {
    const gateway = await gw.start({
      config: { gateway: { pairing: { autoApproveLocal: false } } },
    });
    const error = await failure(connectDevice(gateway));
    expect(error.details).toMatchObject({ code: 'PAIRING_REQUIRED', reason: 'not-paired' });
  });
});

describe('device.pair.* and device.token.* payloads', () => {
  it('device.pair.list returns the documented records, no secrets and no hashes', async () => {
    const gateway = await gw.startProxied();
    const admin = await gw.operator(gateway);
    await remoteConnect(gateway, { ip: '198.51.100.4' });
    const list = await admin.client.request<{ pending: PendingRequest[]; paired: PairedDevice[] }>(
      'device.pair.list',
    );
    expect(Object.keys(list).sort()).toEqual(['ignored', 'paired', 'pending']);
    expect(list.pending).toHaveLength(1);
    for (const request of list.pending) expect(onlyKnownKeys(request, PENDING_KEYS)).toEqual([]);
    const me = list.paired.find((d) => d.deviceId === admin.identity.deviceId)!;
    expect(onlyKnownKeys(me, PAIRED_KEYS)).toEqual([]);
    expect(me).toMatchObject({
      publicKey: admin.identity.publicKey,
      clientId: 'special-agent-test',
      roles: ['operator'],
      scopes: ['operator.admin'],
      approvedBy: 'local-auto',
      createdAtMs: expect.any(Number),
      approvedAtMs: expect.any(Number),
    });
    expect(me.tokens).toHaveLength(1);
    expect(onlyKnownKeys(me.tokens[0]!, TOKEN_KEYS)).toEqual([]);
    expect(JSON.stringify(list)).not.toContain(admin.hello.auth!.deviceToken);
    expect(JSON.stringify(list)).not.toMatch(/"hash"/);
  });

  it('device.pair.approve → {requestId, device}, resolved "approved", first connect carries auth', async () => {
    const gateway = await gw.startProxied();
    const admin = await gw.operator(gateway);
    const resolved: unknown[] = [];
    admin.client.on('device.pair.resolved', (p) => resolved.push(p));
    const attempt = await remoteConnect(gateway);
    const requestId = attempt.error?.details?.requestId as string;
    const approval = await admin.client.request<Record<string, unknown>>('device.pair.approve', {
      requestId,
    });
    expect(Object.keys(approval).sort()).toEqual(['device', 'requestId']);
    expect(approval.requestId).toBe(requestId);
    expect(approval.device).toMatchObject({
      deviceId: attempt.identity.deviceId,
      approvedBy: 'operator',
    });
    await expect
      .poll(() => resolved)
      .toEqual([
        {
          requestId,
          deviceId: attempt.identity.deviceId,
          decision: 'approved',
          ts: expect.any(Number),
        },
      ]);
    const after = await remoteConnect(gateway, { identity: attempt.identity });
    gw.track(after.client);
    expect(after.hello?.auth?.deviceToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const paired = gateway.app.pairing.getPaired(attempt.identity.deviceId)!;
    expect(after.hello?.auth?.issuedAtMs).toBe(paired.tokens[0]!.createdAtMs);
  });

  it('device.pair.reject → {requestId, deviceId} and resolved "rejected"', async () => {
    const gateway = await gw.startProxied();
    const admin = await gw.operator(gateway);
    const resolved: unknown[] = [];
    admin.client.on('device.pair.resolved', (p) => resolved.push(p));
    const attempt = await remoteConnect(gateway);
    const requestId = attempt.error?.details?.requestId as string;
    expect(await admin.client.request('device.pair.reject', { requestId })).toEqual({
      requestId,
      deviceId: attempt.identity.deviceId,
    });
    await expect
      .poll(() => resolved)
      .toEqual([expect.objectContaining({ requestId, decision: 'rejected' })]);
    await expect(admin.client.request('device.pair.reject', { requestId })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('device.token.rotate → {deviceId, rotatedAtMs}; the shared secret gets a new token', async () => {
    const gateway = await gw.start();
    const admin = await gw.operator(gateway);
    const device = await connectDevice(gateway);
    const result = await admin.client.request<Record<string, unknown>>('device.token.rotate', {
      deviceId: device.identity.deviceId,
    });
    expect(result).toEqual({ deviceId: device.identity.deviceId, rotatedAtMs: expect.any(Number) });
    const closed = await device.client.closed();
    expect(closed.code).toBe(4001);
    const again = await connectDevice(gateway, { identity: device.identity });
    gw.track(again.client);
    expect(again.hello.auth?.deviceToken).toBeTruthy();
    const fresh = await connectDevice(gateway, {
      identity: device.identity,
      auth: { deviceToken: again.hello.auth!.deviceToken },
    });
    gw.track(fresh.client);
    expect(fresh.hello.type).toBe('hello-ok');
  });

  it('device.token.revoke → {deviceId, revokedAtMs}; device.pair.remove → {deviceId}', async () => {
    const gateway = await gw.start();
    const admin = await gw.operator(gateway);
    const device = await connectDevice(gateway);
    expect(
      await admin.client.request('device.token.revoke', { deviceId: device.identity.deviceId }),
    ).toEqual({ deviceId: device.identity.deviceId, revokedAtMs: expect.any(Number) });
    expect((await device.client.closed()).code).toBe(4001);
    expect(
      await admin.client.request('device.pair.remove', { deviceId: device.identity.deviceId }),
    ).toEqual({ deviceId: device.identity.deviceId });
    await expect(
      admin.client.request('device.pair.remove', { deviceId: device.identity.deviceId }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  // The caller acting on its own device: the reply first, then its socket closes (it used
  // to close before the reply, so the request failed with the close instead).
  it.each(['device.token.rotate', 'device.token.revoke', 'device.pair.remove'])(
    '%s on the caller’s own device answers it, then closes its socket 4001',
    async (method) => {
      const gateway = await gw.start();
      const admin = await gw.operator(gateway);
      const deviceId = admin.identity.deviceId;
      const answer = await admin.client.request<Record<string, unknown>>(method, { deviceId });
      expect(answer).toMatchObject({ deviceId });
      expect((await admin.client.closed()).code).toBe(4001);
    },
  );

  // PROTOCOL.md gives device.pair.approve the `pairing` scope; what it grants the caller
  // must hold as well ("Scopes": no one grants what they do not hold; test/security/grants).
  it('lets an operator.pairing connection approve a request for scopes it holds (the method needs only pairing)', async () => {
    const gateway = await gw.startProxied();
    const approver = await gw.operator(gateway, ['operator.pairing']);
    const attempt = await remoteConnect(gateway, { scopes: ['operator.pairing'] });
    const requestId = attempt.error?.details?.requestId as string;
    const approval = await approver.client.request<{ requestId: string }>('device.pair.approve', {
      requestId,
    });
    expect(approval.requestId).toBe(requestId);
  });
});

describe('scope upgrades', () => {
  it('marks an upgrade as isRepair with reason scope-upgrade and keeps the old scopes usable', async () => {
    const gateway = await gw.startProxied();
    const admin = await gw.operator(gateway);
    const attempt = await remoteConnect(gateway, { scopes: ['operator.read'] });
    await admin.client.request('device.pair.approve', {
      requestId: attempt.error?.details?.requestId as string,
    });
    const upgrade = await remoteConnect(gateway, {
      identity: attempt.identity,
      scopes: ['operator.read', 'operator.pairing'],
    });
    expect(upgrade.error?.details).toMatchObject({
      code: 'PAIRING_REQUIRED',
      reason: 'scope-upgrade',
    });
    const pending = gateway.app.pairing.list().pending;
    expect(pending).toEqual([expect.objectContaining({ isRepair: true, reason: 'scope-upgrade' })]);
    const reader = await remoteConnect(gateway, {
      identity: attempt.identity,
      scopes: ['operator.read'],
    });
    gw.track(reader.client);
    expect(reader.hello?.type).toBe('hello-ok');
  });

  // PROTOCOL.md step 6: `auth` is present "on the first connect after approval", also after
  // an approved scope upgrade when the device reconnects with its device token.
  it('issues auth on the first connect after an approved scope upgrade, even with the device token', async () => {
    const gateway = await gw.startProxied();
    const admin = await gw.operator(gateway);
    const attempt = await remoteConnect(gateway, { scopes: ['operator.read'] });
    await admin.client.request('device.pair.approve', {
      requestId: attempt.error?.details?.requestId as string,
    });
    const first = await remoteConnect(gateway, {
      identity: attempt.identity,
      scopes: ['operator.read'],
    });
    first.client.close();
    const deviceToken = first.hello!.auth!.deviceToken;
    const upgrade = await remoteConnect(gateway, {
      identity: attempt.identity,
      scopes: ['operator.write'],
      auth: { deviceToken },
    });
    await admin.client.request('device.pair.approve', {
      requestId: upgrade.error?.details?.requestId as string,
    });
    const after = await remoteConnect(gateway, {
      identity: attempt.identity,
      scopes: ['operator.write'],
      auth: { deviceToken },
    });
    gw.track(after.client);
    expect(after.hello?.type).toBe('hello-ok');
    expect(after.hello?.auth?.scopes).toContain('operator.write');
  });
});
