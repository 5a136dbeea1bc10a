import { readFile, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../shared/errors.js';
import { PairingService, type PairingServiceOptions } from './pairing-service.js';
import { journalPathOf } from './pairing-store.js';
import { hashToken } from './records.js';
import { storeText, storedState } from './test-fixtures/on-disk.js';
import { ManualClock, requestFor, tempHome } from './test-fixtures/support.js';
import type {
  DeviceChangedEvent,
  DevicePairedEvent,
  PairingResolvedEvent,
  PendingRequest,
} from './types.js';

let home: Awaited<ReturnType<typeof tempHome>>;
let clock: ManualClock;
const open: PairingService[] = [];

async function openService(options: Partial<PairingServiceOptions> = {}): Promise<PairingService> {
  const service = await PairingService.open({ path: home.storePath, clock, ...options });
  open.push(service);
  return service;
}

function record<T extends unknown[]>(
  service: PairingService,
  event: 'resolved' | 'requested' | 'device-changed' | 'paired',
) {
  const seen: T[0][] = [];
  service.on(event, (payload: T[0]) => seen.push(payload));
  return seen;
}

beforeEach(async () => {
  home = await tempHome();
  clock = new ManualClock();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((service) => service.close()));
  await home.remove();
});

describe('pending requests', () => {
  it('a retry with the same role and scopes keeps the requestId and refreshes the TTL', async () => {
    const service = await openService();
    const requested = record<[PendingRequest]>(service, 'requested');
    const first = await service.requestPairing(requestFor(1));
    expect(first.created).toBe(true);
    expect(first.request.expiresAtMs).toBe(clock.now() + 300_000);

    clock.advance(200_000);
    const retry = await service.requestPairing(requestFor(1, { scopes: ['operator.read'] }));
    expect(retry.created).toBe(false);
    expect(retry.request.requestId).toBe(first.request.requestId);
    expect(retry.request.expiresAtMs).toBe(clock.now() + 300_000);
    expect(requested).toHaveLength(1);

    // Still there past the original deadline, thanks to the refresh.
    clock.advance(150_000);
    expect(service.list().pending.map((r) => r.requestId)).toEqual([first.request.requestId]);
  });

  it('keeps one request per device: new scopes replace the old request', async () => {
    const service = await openService();
    const resolved = record<[PairingResolvedEvent]>(service, 'resolved');
    const first = await service.requestPairing(requestFor(1));
    const second = await service.requestPairing(requestFor(1, { scopes: ['operator.admin'] }));

    expect(second.created).toBe(true);
    expect(second.request.requestId).not.toBe(first.request.requestId);
    expect(service.list().pending.map((r) => r.scopes)).toEqual([['operator.admin']]);
    expect(resolved).toEqual([
      expect.objectContaining({ requestId: first.request.requestId, decision: 'expired' }),
    ]);
    await expect(service.approve(first.request.requestId)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('refuses a 4th device from one address with retryAfterMs until the oldest expires', async () => {
    const service = await openService();
    await service.requestPairing(requestFor(1));
    clock.advance(10_000);
    await service.requestPairing(requestFor(2));
    await service.requestPairing(requestFor(3));
    clock.advance(5_000);

    const error = await service.requestPairing(requestFor(4)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).toWire()).toMatchObject({
      code: 'NOT_PAIRED',
      details: { code: 'PAIRING_LIMIT_REACHED' },
      retryAfterMs: 300_000 - 15_000,
    });
    // Another address is not affected, and the same device retrying is not a new request.
    await expect(
      service.requestPairing(requestFor(4, { remoteIp: '10.0.0.9' })),
    ).resolves.toMatchObject({ created: true });
    await expect(service.requestPairing(requestFor(2))).resolves.toMatchObject({ created: false });

    clock.advance(300_000 - 15_000);
    await expect(service.requestPairing(requestFor(5))).resolves.toMatchObject({ created: true });
  });

  it('refuses the 33rd pending request overall', async () => {
    const service = await openService();
    for (let n = 0; n < 32; n += 1) {
      await service.requestPairing(requestFor(n, { remoteIp: `10.0.${n}.1` }));
      clock.advance(1_000);
    }
    const error = await service
      .requestPairing(requestFor(99, { remoteIp: '10.9.9.9' }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      details: { code: 'PAIRING_LIMIT_REACHED' },
      retryAfterMs: 300_000 - 32_000,
    });
    expect(service.pendingCount()).toBe(32);

    await service.reject(service.list().pending[0]!.requestId);
    await expect(
      service.requestPairing(requestFor(99, { remoteIp: '10.9.9.9' })),
    ).resolves.toMatchObject({ created: true });
  });

  it('expires requests: they vanish from the list, are announced, and are gone after restart', async () => {
    const service = await openService();
    const resolved = record<[PairingResolvedEvent]>(service, 'resolved');
    const { request } = await service.requestPairing(requestFor(1));
    service.setPendingTtlMs(60_000);
    const { request: short } = await service.requestPairing(requestFor(2));
    expect(short.expiresAtMs).toBe(clock.now() + 60_000);

    clock.advance(60_000);
    expect(service.list().pending.map((r) => r.requestId)).toEqual([request.requestId]);
    expect(await service.expireDue()).toBe(1);
    expect(resolved).toEqual([
      {
        requestId: short.requestId,
        deviceId: short.deviceId,
        decision: 'expired',
        ts: clock.now(),
      },
    ]);
    await expect(service.approve(short.requestId)).rejects.toThrow(/special-agent devices list/);

    await service.close();
    open.splice(0);
    const reopened = await openService();
    expect(reopened.list().pending.map((r) => r.requestId)).toEqual([request.requestId]);
  });

  it('the background sweep announces expiry without being asked', async () => {
    const service = await openService({ limits: { sweepIntervalMs: 10 } });
    const { request } = await service.requestPairing(requestFor(1));
    clock.advance(300_000);
    const [event] = (await once(service, 'resolved')) as [PairingResolvedEvent];
    expect(event).toMatchObject({ requestId: request.requestId, decision: 'expired' });
    expect(service.pendingCount()).toBe(0);
  });
});

describe('approval', () => {
  it('approves a request into a paired device and announces it', async () => {
    const service = await openService();
    const resolved = record<[PairingResolvedEvent]>(service, 'resolved');
    const { request } = await service.requestPairing(requestFor(1));
    clock.advance(1_000);

    const result = await service.approve(request.requestId);
    expect(result.device).toMatchObject({
      deviceId: request.deviceId,
      displayName: 'Device 1',
      roles: ['operator'],
      scopes: ['operator.read'],
      approvedBy: 'operator',
      approvedAtMs: clock.now(),
      tokens: [],
    });
    expect(service.list().pending).toEqual([]);
    expect(service.getPaired(request.deviceId)).toEqual(result.device);
    expect(resolved).toEqual([
      {
        requestId: request.requestId,
        deviceId: request.deviceId,
        decision: 'approved',
        ts: clock.now(),
      },
    ]);
  });

  it('a repair merges the new scopes into the existing device', async () => {
    const service = await openService();
    const first = await service.requestPairing(requestFor(1));
    await service.approve(first.request.requestId);
    const upgrade = await service.requestPairing(
      requestFor(1, { scopes: ['operator.pairing'], reason: 'scope-upgrade' }),
    );
    expect(upgrade.request.isRepair).toBe(true);

    const { device } = await service.approve(upgrade.request.requestId);
    expect(device.scopes).toEqual(['operator.read', 'operator.pairing']);
  });

  it('20 different requests approved in parallel all land on disk', async () => {
    const service = await openService({ limits: { maxPendingPerAddress: 20 } });
    const requests = [];
    for (let n = 0; n < 20; n += 1)
      requests.push((await service.requestPairing(requestFor(n))).request);

    await Promise.all(requests.map((request) => service.approve(request.requestId)));
    await service.close();
    open.splice(0);

    const reopened = await openService();
    const paired = reopened.list().paired.map((device) => device.deviceId);
    expect(paired.sort()).toEqual(requests.map((request) => request.deviceId).sort());
    expect(reopened.list().pending).toEqual([]);
  });

  it('the same request approved twice at once: one succeeds, the other is NOT_FOUND', async () => {
    const service = await openService();
    const resolved = record<[PairingResolvedEvent]>(service, 'resolved');
    const { request } = await service.requestPairing(requestFor(1));

    const results = await Promise.allSettled([
      service.approve(request.requestId),
      service.approve(request.requestId),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    const failure = results.find((result) => result.status === 'rejected');
    expect(failure?.reason).toMatchObject({ code: 'NOT_FOUND' });
    expect(resolved).toHaveLength(1);
  });

  it('rejecting removes the request; an unknown id is NOT_FOUND naming the list command', async () => {
    const service = await openService();
    const resolved = record<[PairingResolvedEvent]>(service, 'resolved');
    const { request } = await service.requestPairing(requestFor(1));
    await expect(service.reject(request.requestId)).resolves.toEqual({
      requestId: request.requestId,
      deviceId: request.deviceId,
    });
    expect(resolved.map((event) => event.decision)).toEqual(['rejected']);
    expect(service.getPaired(request.deviceId)).toBeUndefined();
    await expect(service.reject(request.requestId)).rejects.toThrow(
      /not found.*special-agent devices list/,
    );
  });

  it('silent local approval pairs at once with approvedBy local-auto, no request event, one paired event', async () => {
    const service = await openService();
    const events: unknown[] = [];
    service.on('requested', (event) => events.push(event));
    service.on('resolved', (event) => events.push(event));
    const paired = record<[DevicePairedEvent]>(service, 'paired');
    const { reason: _reason, clientMode: _mode, remoteIp: _ip, ...input } = requestFor(1);

    const device = await service.approveDirect(input);
    expect(device).toMatchObject({
      deviceId: input.deviceId,
      approvedBy: 'local-auto',
      roles: ['operator'],
    });
    expect(service.list()).toEqual({ pending: [], paired: [device], ignored: [] });
    expect(events).toEqual([]);
    expect(paired).toEqual([{ device, approvedBy: 'local-auto' }]);
  });
});

describe('paired devices and tokens', () => {
  async function pairedDevice(service: PairingService, n = 1): Promise<string> {
    const { request } = await service.requestPairing(requestFor(n));
    return (await service.approve(request.requestId)).device.deviceId;
  }

  it('issues a token that verifies only for its device and role, and is never written to disk', async () => {
    const service = await openService();
    const deviceId = await pairedDevice(service);
    const other = await pairedDevice(service, 2);
    const { token, createdAtMs } = await service.issueDeviceToken(deviceId, 'operator');

    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(service.verifyAndStampDeviceToken(deviceId, 'operator', token)).toBe(true);
    expect(service.verifyAndStampDeviceToken(deviceId, 'operator', `${token}x`)).toBe(false);
    expect(service.verifyAndStampDeviceToken(deviceId, 'node', token)).toBe(false);
    expect(service.verifyAndStampDeviceToken(other, 'operator', token)).toBe(false);
    expect(service.getPaired(deviceId)?.tokens).toEqual([
      { role: 'operator', createdAtMs, lastUsedAtMs: clock.now() },
    ]);
    await expect(service.issueDeviceToken(deviceId, 'node')).rejects.toMatchObject({
      code: 'CONFLICT',
    });

    // devices.json and its journal: the token hash went to the journal.
    const bytes = Buffer.concat([
      await readFile(home.storePath),
      await readFile(journalPathOf(home.storePath)),
    ]);
    expect(bytes.includes(token)).toBe(false);
    expect(bytes.includes(Buffer.from(token, 'base64url'))).toBe(false);
    expect(bytes.includes(Buffer.from(token, 'base64url').toString('hex'))).toBe(false);
    expect(bytes.includes(hashToken(token))).toBe(true);
    expect((await stat(home.storePath)).mode & 0o777).toBe(0o600);
    expect((await stat(journalPathOf(home.storePath))).mode & 0o777).toBe(0o600);
    expect(JSON.stringify(service.list())).not.toMatch(/hash/);
  });

  it('a new token replaces the old one for that role', async () => {
    const service = await openService();
    const deviceId = await pairedDevice(service);
    const old = await service.issueDeviceToken(deviceId, 'operator');
    clock.advance(5_000);
    const fresh = await service.issueDeviceToken(deviceId, 'operator');

    expect(service.verifyAndStampDeviceToken(deviceId, 'operator', old.token)).toBe(false);
    expect(service.verifyAndStampDeviceToken(deviceId, 'operator', fresh.token)).toBe(true);
    expect(service.getPaired(deviceId)?.tokens).toEqual([
      { role: 'operator', createdAtMs: fresh.createdAtMs, lastUsedAtMs: clock.now() },
    ]);
  });

  it.each(['rotate', 'revoke'] as const)(
    '%s makes the current token fail at once and announces it',
    async (action) => {
      const service = await openService();
      const changes = record<[DeviceChangedEvent]>(service, 'device-changed');
      const deviceId = await pairedDevice(service);
      const { token } = await service.issueDeviceToken(deviceId, 'operator');
      clock.advance(1_000);

      const result =
        action === 'rotate'
          ? await service.rotateToken(deviceId)
          : await service.revokeToken(deviceId);
      const field = action === 'rotate' ? 'rotatedAtMs' : 'revokedAtMs';
      expect(result).toEqual({ deviceId, [field]: clock.now() });
      expect(service.verifyAndStampDeviceToken(deviceId, 'operator', token)).toBe(false);
      expect(service.getPaired(deviceId)?.tokens[0]).toMatchObject({ [field]: clock.now() });
      expect(changes).toEqual([{ deviceId, change: action === 'rotate' ? 'rotated' : 'revoked' }]);

      // Re-authenticating with the shared secret gets the device a working token again.
      const next = await service.issueDeviceToken(deviceId, 'operator');
      expect(service.verifyAndStampDeviceToken(deviceId, 'operator', next.token)).toBe(true);
    },
  );

  it('removing a device unpairs it, drops its pending upgrade and announces both', async () => {
    const service = await openService();
    const changes = record<[DeviceChangedEvent]>(service, 'device-changed');
    const resolved = record<[PairingResolvedEvent]>(service, 'resolved');
    const deviceId = await pairedDevice(service);
    const { token } = await service.issueDeviceToken(deviceId, 'operator');
    await service.requestPairing(
      requestFor(1, { scopes: ['operator.admin'], reason: 'scope-upgrade' }),
    );

    await expect(service.remove(deviceId)).resolves.toEqual({ deviceId });
    expect(service.list()).toEqual({ pending: [], paired: [], ignored: [] });
    expect(service.verifyAndStampDeviceToken(deviceId, 'operator', token)).toBe(false);
    expect(changes).toEqual([{ deviceId, change: 'removed' }]);
    expect(resolved.map((event) => event.decision)).toEqual(['approved', 'rejected']);
  });

  it('unknown devices are NOT_FOUND for every device action', async () => {
    const service = await openService();
    const attempts = [
      () => service.remove('nope'),
      () => service.rotateToken('nope'),
      () => service.revokeToken('nope'),
      () => service.issueDeviceToken('nope', 'operator'),
      () => service.recordSeen('nope', '127.0.0.1'),
    ];
    for (const attempt of attempts) {
      const error = await attempt().catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'NOT_FOUND' });
      expect((error as Error).message).toContain('special-agent devices list');
    }
  });

  it('a restart keeps exactly the state, tokens included', async () => {
    const service = await openService();
    const deviceId = await pairedDevice(service);
    await pairedDevice(service, 2);
    const { token } = await service.issueDeviceToken(deviceId, 'operator');
    clock.advance(2_000);
    expect(service.verifyAndStampDeviceToken(deviceId, 'operator', token)).toBe(true);
    await service.recordSeen(deviceId, '192.168.1.77');
    await service.requestPairing(requestFor(3));
    await service.revokeToken(await pairedDevice(service, 4));
    const before = service.list();
    const stamped = before.paired.find((device) => device.deviceId === deviceId);
    expect(stamped).toMatchObject({ lastSeenAtMs: clock.now(), remoteIp: '192.168.1.77' });
    expect(stamped?.tokens[0]?.lastUsedAtMs).toBe(clock.now());
    await service.close();
    open.splice(0);

    const reopened = await openService();
    expect(reopened.list()).toEqual(before);
    expect(reopened.verifyAndStampDeviceToken(deviceId, 'operator', token)).toBe(true);
  });

  it('a connect stamps last seen without a write of its own; close saves the stamp', async () => {
    const service = await openService();
    const deviceId = await pairedDevice(service);
    await service.recordSeen(deviceId, '192.168.1.77');

    // Shown at once, but not yet written: a handshake never waits for the disk.
    expect(service.list().paired[0]).toMatchObject({
      lastSeenAtMs: clock.now(),
      remoteIp: '192.168.1.77',
    });
    expect(await storeText(home.storePath)).not.toContain('192.168.1.77');
    await service.close();
    open.splice(0);

    const reopened = await openService();
    expect(reopened.list().paired[0]).toMatchObject({
      lastSeenAtMs: clock.now(),
      remoteIp: '192.168.1.77',
    });
  });

  it('writes last-seen and last-used stamps by themselves after stampWriteDelayMs', async () => {
    const service = await openService({ limits: { stampWriteDelayMs: 20 } });
    const deviceId = await pairedDevice(service);
    const { token } = await service.issueDeviceToken(deviceId, 'operator');
    clock.advance(5_000);
    expect(service.verifyAndStampDeviceToken(deviceId, 'operator', token)).toBe(true);
    await service.recordSeen(deviceId, '192.168.1.78');

    await expect
      .poll(() => storedState(home.storePath), { timeout: 5_000 })
      .toMatchObject({
        paired: {
          [deviceId]: {
            lastSeenAtMs: clock.now(),
            remoteIp: '192.168.1.78',
            tokens: [expect.objectContaining({ lastUsedAtMs: clock.now() })],
          },
        },
      });
  });

  it('refuses nonsensical limits instead of running without a cap', async () => {
    await expect(openService({ limits: { maxPendingTotal: 0 } })).rejects.toThrow(
      /maxPendingTotal/,
    );
    const service = await openService({ limits: { pendingTtlMs: undefined } });
    expect(() => service.setPendingTtlMs(Number.NaN)).toThrow(RangeError);
    expect((await service.requestPairing(requestFor(1))).request.expiresAtMs).toBe(
      clock.now() + 300_000,
    );
  });

  it('rejects changes after close', async () => {
    const service = await openService();
    await service.close();
    await expect(service.requestPairing(requestFor(1))).rejects.toThrow(/closed/);
  });
});
