import { chmod, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEMP_FILE_MARKER } from '../fs/atomic-file.js';
import { PairingService } from './pairing-service.js';
import {
  PairingStore,
  PairingStoreCorruptError,
  PairingStoreError,
  journalPathOf,
} from './pairing-store.js';
import { captureOf } from './snapshot.js';
import { ManualClock, requestFor, tempHome } from './test-fixtures/support.js';

let home: Awaited<ReturnType<typeof tempHome>>;
const clock = new ManualClock();

beforeEach(async () => {
  home = await tempHome();
});
afterEach(async () => {
  await home.remove();
});

async function writeStore(content: string | Buffer): Promise<void> {
  await mkdir(dirname(home.storePath), { recursive: true });
  await writeFile(home.storePath, content);
}

async function openError(): Promise<PairingStoreError> {
  const error = await PairingStore.open(home.storePath, { clock }).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PairingStoreError);
  return error as PairingStoreError;
}

describe('PairingStore', () => {
  it('starts empty when there is no file, creating the state folder 0700 and the file 0600', async () => {
    const store = await PairingStore.open(home.storePath, { clock });
    expect(store.loaded()).toEqual({
      version: 3,
      pending: {},
      paired: {},
      invites: {},
      ignored: {},
    });
    expect((await stat(dirname(home.storePath))).mode & 0o777).toBe(0o700);

    await store.replaceWith(captureOf(store.loaded(), 0).maps);
    expect((await stat(home.storePath)).mode & 0o777).toBe(0o600);
    await store.append([{ t: 'del', m: 'pending', k: 'none' }]);
    expect((await stat(journalPathOf(home.storePath))).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['bad JSON', Buffer.from('{"version":1,"pending":{},"paired":{"abc":{')],
    ['an empty file', Buffer.alloc(0)],
    [
      'JSON failing the schema',
      Buffer.from('{"version":1,"pending":{},"paired":{"d":{"deviceId":"d"}}}'),
    ],
    ['a key that differs from the id inside', Buffer.from(corruptKeyStore())],
  ])('moves %s aside byte-for-byte and refuses to start', async (_name, bytes) => {
    await writeStore(bytes);
    const error = await openError();

    expect(error).toBeInstanceOf(PairingStoreCorruptError);
    expect(error.exitCode).toBe(78);
    const movedTo = (error as PairingStoreCorruptError).movedTo;
    expect(movedTo).toBe(`${home.storePath}.corrupt-2025-01-31T12-00-00-000Z`);
    expect(error.message).toContain(movedTo);
    expect(error.message).toMatch(/restore devices\.json from a backup.*start the gateway again/);
    expect(error.message).not.toContain('\n');
    expect(await readFile(movedTo)).toEqual(bytes);
    await expect(stat(home.storePath)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('keeps refusing after a restart until the corrupt copy is dealt with', async () => {
    await writeStore('not json');
    const first = (await openError()) as PairingStoreCorruptError;

    // Restart: devices.json is gone, but the moved-aside copy says something went wrong.
    const again = await openError();
    expect(again).toBeInstanceOf(PairingStoreCorruptError);
    expect(again.message).toContain(first.movedTo);
    await expect(stat(home.storePath)).rejects.toMatchObject({ code: 'ENOENT' });

    // Restoring a good file from a backup lets the gateway start; the copy stays for inspection.
    await writeStore(JSON.stringify({ version: 1, pending: {}, paired: {} }));
    await expect(PairingStore.open(home.storePath, { clock })).resolves.toBeInstanceOf(
      PairingStore,
    );
    expect(await readFile(first.movedTo, 'utf8')).toBe('not json');
  });

  it('never overwrites an earlier corrupt copy taken at the same instant', async () => {
    await writeStore('first');
    const first = (await openError()) as PairingStoreCorruptError;
    await writeStore('second');
    const second = (await openError()) as PairingStoreCorruptError;

    expect(second.movedTo).not.toBe(first.movedTo);
    expect(await readFile(first.movedTo, 'utf8')).toBe('first');
    expect(await readFile(second.movedTo, 'utf8')).toBe('second');
  });

  it('reports an unreadable store with the OS reason and path, and renames nothing', async () => {
    await mkdir(home.storePath, { recursive: true }); // a folder where the file should be
    const before = await readdir(dirname(home.storePath));

    const error = await openError();
    expect(error).not.toBeInstanceOf(PairingStoreCorruptError);
    expect(error.exitCode).toBe(78);
    expect(error.message).toContain(home.storePath);
    expect(error.message).toContain('EISDIR');
    expect(await readdir(dirname(home.storePath))).toEqual(before);
  });

  it.skipIf(process.getuid?.() === 0)(
    'reports a file without read permission (EACCES)',
    async () => {
      await writeStore(JSON.stringify({ version: 1, pending: {}, paired: {} }));
      await chmod(home.storePath, 0o000);
      const error = await openError();
      expect(error.message).toContain('EACCES');
      expect(await readdir(dirname(home.storePath))).toEqual(['devices.json']);
    },
  );

  it('leaves a store written by a newer version in place', async () => {
    const newer = JSON.stringify({ version: 4, devices: [] });
    await writeStore(newer);
    const error = await openError();
    expect(error).not.toBeInstanceOf(PairingStoreCorruptError);
    expect(error.message).toMatch(/version 4.*update special-agent/);
    expect(await readFile(home.storePath, 'utf8')).toBe(newer);
  });

  it('cleans up temp files a crash left behind', async () => {
    await writeStore(JSON.stringify({ version: 1, pending: {}, paired: {} }));
    const stray = join(dirname(home.storePath), `${TEMP_FILE_MARKER}devices.json-abcdef`);
    await writeFile(stray, '{"version":1');
    await PairingStore.open(home.storePath, { clock });
    expect(await readdir(dirname(home.storePath))).toEqual(['devices.json']);
  });

  it('a corrupt store stops the service from opening, so no empty store replaces it', async () => {
    const service = await PairingService.open({ path: home.storePath, clock });
    const { request } = await service.requestPairing(requestFor(1));
    await service.approve(request.requestId);
    await service.close();
    const good = await readFile(home.storePath);
    const damaged = Buffer.concat([good.subarray(0, good.length - 10), Buffer.from('\0\0')]);
    await writeFile(home.storePath, damaged);

    await expect(PairingService.open({ path: home.storePath, clock })).rejects.toBeInstanceOf(
      PairingStoreCorruptError,
    );
    await expect(PairingService.open({ path: home.storePath, clock })).rejects.toBeInstanceOf(
      PairingStoreCorruptError,
    );
    // The journal's changes apply to the damaged file only: it is moved aside with it.
    const files = await readdir(dirname(home.storePath));
    expect(files.sort()).toEqual([
      `devices.journal.corrupt-2025-01-31T12-00-00-000Z`,
      `devices.json.corrupt-2025-01-31T12-00-00-000Z`,
    ]);
  });
});

describe('a devices.json this app wrote', () => {
  async function writtenStore(): Promise<{ deviceIds: string[]; text: string }> {
    const service = await PairingService.open({ path: home.storePath, clock });
    const deviceIds = [];
    for (const n of [1, 2]) {
      const { request } = await service.requestPairing(requestFor(n));
      const { device } = await service.approve(request.requestId);
      await service.issueDeviceToken(device.deviceId, 'operator');
      deviceIds.push(device.deviceId);
    }
    await service.close();
    // Fold the journal in, so devices.json holds both devices.
    const store = await PairingStore.open(home.storePath, { clock });
    await store.compact(captureOf(store.loaded(), store.seq));
    return { deviceIds, text: await readFile(home.storePath, 'utf8') };
  }

  it('ends with a CRC-32: a changed byte that still parses makes the loader check every record', async () => {
    const { deviceIds, text } = await writtenStore();
    expect(text).toMatch(/\n"crc32":"[0-9a-f]{8}"\}\n$/);
    // A token hash that is no longer hex: valid JSON, invalid record, stale checksum.
    const damaged = text.replace(/"hash":"[0-9a-f]/, '"hash":"Z');
    expect(damaged).not.toBe(text);
    await writeStore(damaged);

    const error = await openError();
    expect(error).toBeInstanceOf(PairingStoreCorruptError);
    expect(error.message).toMatch(/invalid content: paired\.[0-9a-f]{64}\.tokens\.0\.hash/);
    expect(deviceIds).toHaveLength(2);
  });

  it('still loads after a person edits it by hand into another valid store', async () => {
    const { deviceIds, text } = await writtenStore();
    const [kept, dropped] = deviceIds as [string, string];
    const data = JSON.parse(text) as { paired: Record<string, unknown> };
    delete data.paired[dropped];
    await writeStore(JSON.stringify(data, null, 2));

    const loaded = (await PairingStore.open(home.storePath, { clock })).loaded();
    expect(Object.keys(loaded.paired)).toEqual([kept]);
  });
});

function corruptKeyStore(): string {
  const request = {
    requestId: 'r1',
    deviceId: 'd1',
    publicKey: 'k',
    clientId: 'c',
    clientMode: 'cli',
    role: 'operator',
    scopes: [],
    remoteIp: '127.0.0.1',
    reason: 'not-paired',
    isRepair: false,
    ts: 1,
    expiresAtMs: 2,
  };
  return JSON.stringify({ version: 1, pending: { other: request }, paired: {} });
}
