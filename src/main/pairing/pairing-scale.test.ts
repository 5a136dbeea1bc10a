// Many paired devices: loading the previous release's store, writes that cost what changed,
// and `device.pair.list` pages (PROTOCOL.md: "paged past 500 devices").
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PairingService } from './pairing-service.js';
import { toPublicDevice } from './records.js';
import { generatedToken, writeVersionTwoStore } from './test-fixtures/generated-store.js';
import { ManualClock, requestFor, tempHome } from './test-fixtures/support.js';
import type { PairedDevice, StoredPairedDevice } from './types.js';

let home: Awaited<ReturnType<typeof tempHome>>;
let clock: ManualClock;
const open: PairingService[] = [];

async function openService(): Promise<PairingService> {
  const service = await PairingService.open({ path: home.storePath, clock });
  open.push(service);
  return service;
}

async function closeAll(): Promise<void> {
  await Promise.all(open.splice(0).map((service) => service.close()));
}

async function pair(service: PairingService, n: number): Promise<string> {
  const { request } = await service.requestPairing(requestFor(n));
  return (await service.approve(request.requestId)).device.deviceId;
}

/** Every page of paired devices, following nextCursor; also the size of each page. */
function allPages(service: PairingService, limit?: number) {
  const first = service.list({ limit });
  const pages = [first];
  for (let cursor = first.nextCursor; cursor !== undefined;) {
    const page = service.list({ limit, cursor });
    pages.push(page);
    cursor = page.nextCursor;
  }
  return {
    sizes: pages.map((page) => page.paired.length),
    paired: pages.flatMap((page) => page.paired),
  };
}

/** List order: earliest approval first, then device id. */
function inListOrder(devices: StoredPairedDevice[]): PairedDevice[] {
  return [...devices]
    .sort((a, b) => a.approvedAtMs - b.approvedAtMs || (a.deviceId < b.deviceId ? -1 : 1))
    .map(toPublicDevice);
}

const sha256Of = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
const sizeOf = (path: string) =>
  stat(path).then(
    (s) => s.size,
    () => 0,
  );

beforeEach(async () => {
  home = await tempHome();
  clock = new ManualClock();
});
afterEach(async () => {
  await closeAll();
  await home.remove();
});

describe('a store of 10,000 paired devices', () => {
  it('loads from a version 2 file (no journal) without loss and is written back as version 3', async () => {
    const fixture = await writeVersionTwoStore(home.storePath, 10_000);
    const expected = inListOrder(Object.values(fixture.paired));

    const service = await openService();
    const listed = allPages(service);
    expect(listed.sizes).toEqual(Array(20).fill(500));
    expect(listed.paired).toEqual(expected);
    expect(service.list().ignored).toEqual([
      { deviceId: 'f'.repeat(64), displayName: 'Ignored', ignoredAtMs: 1 },
    ]);
    const added = await pair(service, 1);
    await closeAll();
    const written = JSON.parse(await readFile(home.storePath, 'utf8')) as { version: number };
    expect(written.version).toBe(3);
    const reopened = await openService();
    const after = allPages(reopened);
    expect(after.paired.filter((device) => device.deviceId !== added)).toEqual(expected);
    expect(after.paired.at(-1)?.deviceId).toBe(added);
    const [live, revoked] = [Object.values(fixture.paired)[1], Object.values(fixture.paired)[7]];
    expect(reopened.verifyAndStampDeviceToken(live!.deviceId, 'operator', generatedToken(1))).toBe(
      true,
    );
    expect(
      reopened.verifyAndStampDeviceToken(revoked!.deviceId, 'operator', generatedToken(7)),
    ).toBe(false);
  });

  it('writes a new pairing as a few hundred bytes of journal, leaving devices.json alone', async () => {
    await writeVersionTwoStore(home.storePath, 10_000);
    const journal = join(dirname(home.storePath), 'devices.journal');
    const service = await openService();
    // The first write after an upgrade rewrites devices.json once, in the new format.
    await pair(service, 1);
    const snapshot = await sha256Of(home.storePath);
    const journalBefore = await sizeOf(journal);

    await pair(service, 2);
    await service.issueDeviceToken(requestFor(2).deviceId, 'operator');

    expect(await sha256Of(home.storePath), 'devices.json rewritten').toBe(snapshot);
    const appended = (await sizeOf(journal)) - journalBefore;
    expect(appended).toBeGreaterThan(0);
    expect(appended).toBeLessThan(4 * 1024);
  });
});

describe('device.pair.list pages', () => {
  it('pages paired devices past 500 in approval order, then device id, each device once', async () => {
    const fixture = await writeVersionTwoStore(home.storePath, 1_201);
    const expected = inListOrder(Object.values(fixture.paired));
    const service = await openService();

    const byDefault = allPages(service);
    expect(byDefault.sizes).toEqual([500, 500, 201]);
    expect(byDefault.paired).toEqual(expected);
    const small = allPages(service, 250);
    expect(small.sizes).toEqual([250, 250, 250, 250, 201]);
    expect(small.paired).toEqual(expected);
    const last = service.list({ limit: 1_201 });
    expect(last.paired).toHaveLength(1_201);
    expect(last.nextCursor).toBeUndefined();
  });

  it('lists a device re-approved while a caller pages again on a later page; none is skipped', async () => {
    await writeVersionTwoStore(home.storePath, 30);
    const service = await openService();
    const first = service.list({ limit: 10 });
    const moved = first.paired[3]!;

    clock.advance(60_000);
    const { request } = await service.requestPairing({
      ...requestFor('moved'),
      deviceId: moved.deviceId,
      publicKey: moved.publicKey,
      scopes: ['operator.admin'],
      reason: 'scope-upgrade',
    });
    await service.approve(request.requestId);
    const rest = [];
    for (let cursor = first.nextCursor; cursor !== undefined;) {
      const page = service.list({ limit: 10, cursor });
      rest.push(...page.paired);
      cursor = page.nextCursor;
    }
    const seen = [...first.paired, ...rest].map((device) => device.deviceId);
    expect(new Set(seen).size).toBe(30);
    expect(seen.filter((id) => id === moved.deviceId)).toHaveLength(2);
    expect(rest.at(-1)).toMatchObject({ deviceId: moved.deviceId, approvedAtMs: clock.now() });
  });

  it('refuses a cursor it did not hand out with INVALID_REQUEST, saying how to page', async () => {
    await writeVersionTwoStore(home.storePath, 3);
    const service = await openService();
    const next = service.list({ limit: 1 }).nextCursor!;
    for (const cursor of ['nope', `${next}x`, Buffer.from('1:').toString('base64url')]) {
      expect(() => service.list({ cursor }), cursor).toThrow(
        expect.objectContaining({
          code: 'INVALID_REQUEST',
          message: expect.stringContaining('pass the nextCursor of the previous page'),
        }),
      );
    }
  });
});
