import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PairingService, type PairingServiceOptions } from './pairing-service.js';
import { storeText, storedState } from './test-fixtures/on-disk.js';
import { ManualClock, requestFor, tempHome } from './test-fixtures/support.js';
import type { DevicePairedEvent, PairingResolvedEvent, PairingStoreData } from './types.js';

const V1_FIXTURE = fileURLToPath(new URL('./test-fixtures/devices-v1.json', import.meta.url));
const TEN_MINUTES = 600_000;

let home: Awaited<ReturnType<typeof tempHome>>;
let clock: ManualClock;
const open: PairingService[] = [];

async function openService(options: Partial<PairingServiceOptions> = {}): Promise<PairingService> {
  const service = await PairingService.open({ path: home.storePath, clock, ...options });
  open.push(service);
  return service;
}

/** What a restart would load. */
function onDisk(): Promise<PairingStoreData> {
  return storedState(home.storePath);
}

/** What the handshake passes to `invites.redeem` for device number `n`. */
function redemptionFor(n: number) {
  const {
    reason: _reason,
    clientMode: _mode,
    remoteIp: _ip,
    role: _role,
    scopes: _scopes,
    ...input
  } = requestFor(n);
  return input;
}

const readWrite = { role: 'operator', scopes: ['operator.read', 'operator.write'] };

beforeEach(async () => {
  home = await tempHome();
  clock = new ManualClock();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((service) => service.close()));
  await home.remove();
});

describe('a version-1 devices.json', () => {
  it('loads without loss and is written back as version 3 with every record kept', async () => {
    await mkdir(dirname(home.storePath), { recursive: true });
    await copyFile(V1_FIXTURE, home.storePath);
    const fixture = JSON.parse(await readFile(V1_FIXTURE, 'utf8')) as PairingStoreData;
    const laptop = Object.values(fixture.paired).find((d) => d.clientId === 'special-agent-cli')!;

    const service = await openService();
    const list = service.list();
    expect(list.pending).toEqual(Object.values(fixture.pending));
    expect(list.paired.map((device) => device.deviceId).sort()).toEqual(
      Object.keys(fixture.paired).sort(),
    );
    expect(list.ignored).toEqual([]);
    expect(
      service.verifyAndStampDeviceToken(laptop.deviceId, 'operator', 'fixture-laptop-token'),
    ).toBe(true);

    await service.invites.create({ ...readWrite, ttlMs: TEN_MINUTES });
    // The first write after an upgrade rewrites devices.json itself, whole.
    const written = JSON.parse(await readFile(home.storePath, 'utf8')) as PairingStoreData;
    expect(written.version).toBe(3);
    expect(written.pending).toEqual(fixture.pending);
    // Everything but the stamp the token check above just made.
    const laptopToken = written.paired[laptop.deviceId]!.tokens[0]!;
    expect(laptopToken.lastUsedAtMs).toBe(clock.now());
    laptopToken.lastUsedAtMs = laptop.tokens[0]!.lastUsedAtMs!;
    expect(written.paired).toEqual(fixture.paired);
    expect(Object.keys(written.invites)).toHaveLength(1);
    expect(written.ignored).toEqual({});
  });
});

describe('invites', () => {
  it('stores only the SHA-256 of a 128-bit code and lists the invite without it', async () => {
    const service = await openService();
    const { invite, code } = await service.invites.create({
      ...readWrite,
      ttlMs: TEN_MINUTES,
      label: 'Phone',
    });
    expect(Buffer.from(code, 'base64url')).toHaveLength(16);
    expect(invite).toEqual({
      inviteId: expect.any(String),
      label: 'Phone',
      ...readWrite,
      createdAtMs: clock.now(),
      expiresAtMs: clock.now() + TEN_MINUTES,
    });
    const text = await storeText(home.storePath);
    expect(text).not.toContain(code);
    expect(text).toContain(createHash('sha256').update(code).digest('hex'));
    expect(service.invites.list()).toEqual([invite]);
    expect(JSON.stringify(service.invites.list())).not.toMatch(/codeHash|[0-9a-f]{64}/);
  });

  it('pairs the device with the invite role and scopes (approvedBy invite) and works once', async () => {
    const service = await openService();
    const paired: DevicePairedEvent[] = [];
    service.on('paired', (event) => paired.push(event));
    const { code, invite } = await service.invites.create({ ...readWrite, ttlMs: TEN_MINUTES });

    const device = await service.invites.redeem(code, redemptionFor(1));
    expect(device).toMatchObject({
      approvedBy: 'invite',
      roles: ['operator'],
      ...{ scopes: readWrite.scopes },
    });
    // The event names the invite, so the UI that made it can say "Paired: <name>".
    expect(paired).toEqual([{ device, approvedBy: 'invite', inviteId: invite.inviteId }]);
    expect(service.invites.find(code)).toBeUndefined();
    expect(service.invites.list()).toEqual([]);
    // Spent and paired in the same write: the file holds both or neither.
    const written = await onDisk();
    expect(written.invites).toEqual({});
    expect(written.paired[device.deviceId]?.approvedBy).toBe('invite');

    await expect(service.invites.redeem(code, redemptionFor(2))).rejects.toMatchObject({
      code: 'NOT_FOUND',
      details: { code: 'INVITE_INVALID' },
    });
    expect(service.getPaired(redemptionFor(2).deviceId)).toBeUndefined();
  });

  it('survives a restart', async () => {
    const first = await openService();
    const { invite, code } = await first.invites.create({ ...readWrite, ttlMs: TEN_MINUTES });
    await first.close();

    const second = await openService();
    expect(second.invites.find(code)).toEqual(invite);
    await expect(second.invites.redeem(code, redemptionFor(1))).resolves.toMatchObject({
      approvedBy: 'invite',
    });
  });

  it('stops working when it expires and is swept from the file', async () => {
    const service = await openService();
    const { code } = await service.invites.create({ ...readWrite, ttlMs: 60_000 });
    clock.advance(59_999);
    expect(service.invites.find(code)).toBeDefined();
    clock.advance(1);
    expect(service.invites.find(code)).toBeUndefined();
    expect(service.invites.list()).toEqual([]);
    await expect(service.invites.redeem(code, redemptionFor(1))).rejects.toMatchObject({
      details: { code: 'INVITE_INVALID' },
    });
    await service.expireDue();
    expect((await onDisk()).invites).toEqual({});
  });

  it('stops working when revoked; revoking an unknown invite is NOT_FOUND', async () => {
    const service = await openService();
    const { invite, code } = await service.invites.create({ ...readWrite, ttlMs: TEN_MINUTES });
    await expect(service.invites.revoke(invite.inviteId)).resolves.toEqual({
      inviteId: invite.inviteId,
    });
    expect(service.invites.find(code)).toBeUndefined();
    await expect(service.invites.revoke(invite.inviteId)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('special-agent devices invites'),
    });
  });

  it('refuses more than maxLiveInvites open invites, retryable when the oldest expires', async () => {
    const service = await openService({ limits: { maxLiveInvites: 2 } });
    await service.invites.create({ ...readWrite, ttlMs: 60_000 });
    clock.advance(1_000);
    await service.invites.create({ ...readWrite, ttlMs: TEN_MINUTES });
    await expect(
      service.invites.create({ ...readWrite, ttlMs: TEN_MINUTES }),
    ).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 59_000 });
    clock.advance(59_000);
    await expect(
      service.invites.create({ ...readWrite, ttlMs: TEN_MINUTES }),
    ).resolves.toBeDefined();
  });

  it('settles the pending request it covers and un-ignores the device', async () => {
    const service = await openService();
    const resolved: PairingResolvedEvent[] = [];
    service.on('resolved', (event) => resolved.push(event));
    const { request } = await service.requestPairing(requestFor(1));
    await service.ignored.ignore(request.requestId);
    const again = await service.requestPairing(requestFor(1));
    const { code } = await service.invites.create({ ...readWrite, ttlMs: TEN_MINUTES });

    await service.invites.redeem(code, redemptionFor(1));
    expect(service.list().pending).toEqual([]);
    expect(service.ignored.requestIdOf(request.deviceId)).toBeUndefined();
    expect(resolved.map((event) => [event.requestId, event.decision])).toEqual([
      [request.requestId, 'ignored'],
      [again.request.requestId, 'expired'],
    ]);
  });
});

describe('ignore and rename', () => {
  it('ignoring rejects the request, announces "ignored", lists the device and survives a restart', async () => {
    const first = await openService();
    const resolved: PairingResolvedEvent[] = [];
    first.on('resolved', (event) => resolved.push(event));
    const { request } = await first.requestPairing(requestFor(1));

    await expect(first.ignored.ignore(request.requestId)).resolves.toEqual({
      requestId: request.requestId,
      deviceId: request.deviceId,
    });
    expect(resolved).toEqual([
      {
        requestId: request.requestId,
        deviceId: request.deviceId,
        decision: 'ignored',
        ts: clock.now(),
      },
    ]);
    expect(first.list().pending).toEqual([]);
    await first.close();

    const second = await openService();
    expect(second.list().ignored).toEqual([
      { deviceId: request.deviceId, displayName: 'Device 1', ignoredAtMs: clock.now() },
    ]);
    expect(second.ignored.requestIdOf(request.deviceId)).toBe(request.requestId);
    await expect(second.ignored.unignore(request.deviceId)).resolves.toEqual({
      deviceId: request.deviceId,
    });
    expect(second.list().ignored).toEqual([]);
    expect(second.ignored.requestIdOf(request.deviceId)).toBeUndefined();
    await expect(second.ignored.unignore(request.deviceId)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('is not ignored'),
    });
  });

  it('renames a paired device, on disk too; an unknown device is NOT_FOUND', async () => {
    const service = await openService();
    const { request } = await service.requestPairing(requestFor(1));
    await service.approve(request.requestId);

    const renamed = await service.rename(request.deviceId, 'Kitchen tablet');
    expect(renamed.displayName).toBe('Kitchen tablet');
    expect((await onDisk()).paired[request.deviceId]?.displayName).toBe('Kitchen tablet');
    await expect(service.rename('f'.repeat(64), 'x')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('announces every approval as paired: operator approvals after their resolved event', async () => {
    const service = await openService();
    const order: string[] = [];
    service.on('resolved', (event) => order.push(`resolved:${event.decision}`));
    service.on('paired', (event) => order.push(`paired:${event.approvedBy}`));
    const { request } = await service.requestPairing(requestFor(1));
    await service.approve(request.requestId);
    await Promise.resolve();
    expect(order).toEqual(['resolved:approved', 'paired:operator']);
  });
});
