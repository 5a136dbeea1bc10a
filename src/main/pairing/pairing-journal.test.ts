import fs from 'node:fs';
import { appendFile, copyFile, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { dirname } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PairingService, type PairingServiceOptions } from './pairing-service.js';
import { PairingJournalCorruptError, PairingStore, journalPathOf } from './pairing-store.js';
import { captureOf } from './snapshot.js';
import { storedState } from './test-fixtures/on-disk.js';
import { ManualClock, requestFor, tempHome } from './test-fixtures/support.js';

let home: Awaited<ReturnType<typeof tempHome>>;
let clock: ManualClock;
let journal: string;
const open: PairingService[] = [];

async function openService(options: Partial<PairingServiceOptions> = {}): Promise<PairingService> {
  const service = await PairingService.open({ path: home.storePath, clock, ...options });
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

async function openError(): Promise<PairingJournalCorruptError> {
  const error = await PairingStore.open(home.storePath, { clock }).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PairingJournalCorruptError);
  return error as PairingJournalCorruptError;
}

const size = async (path: string) => (await stat(path)).size;

beforeEach(async () => {
  home = await tempHome();
  clock = new ManualClock();
  journal = journalPathOf(home.storePath);
});
afterEach(async () => {
  await closeAll();
  await home.remove();
});

describe('devices.journal after a crash', () => {
  async function storeWithThreeDevices(): Promise<string[]> {
    const service = await openService();
    const ids = [await pair(service, 1), await pair(service, 2), await pair(service, 3)];
    await closeAll();
    return ids;
  }

  it.each([
    ['cut off before its newline', (line: string) => line.slice(0, line.length >> 1)],
    ['with its newline but garbled', (line: string) => line.replace(/"seq":\d+/, '"seq":99')],
    ['as zeros (blocks allocated, never written)', (line: string) => '\0'.repeat(line.length)],
  ])(
    'ignores a torn last line %s, keeps every acknowledged change and appends on a clean end',
    async (_name, tear) => {
      const ids = await storeWithThreeDevices();
      const whole = await readFile(journal, 'utf8');
      const lastLine = whole.split('\n').at(-2) ?? '';
      await appendFile(journal, tear(`${lastLine}\n`));

      const service = await openService();
      expect(
        service
          .list()
          .paired.map((d) => d.deviceId)
          .sort(),
      ).toEqual([...ids].sort());
      expect(await readFile(journal, 'utf8')).toBe(whole);
      const fourth = await pair(service, 4);
      await closeAll();
      const stored = await storedState(home.storePath);
      expect(Object.keys(stored.paired).sort()).toEqual([...ids, fourth].sort());
    },
  );

  it('refuses to start on a damaged line with valid lines after it, naming the line, and leaves the journal in place', async () => {
    await storeWithThreeDevices();
    const lines = (await readFile(journal, 'utf8')).split('\n');
    expect(lines.length).toBeGreaterThan(3);
    lines[1] = (lines[1] ?? '').replace('"operator"', '"0perator"');
    const damaged = lines.join('\n');
    await writeFile(journal, damaged);

    const error = await openError();
    expect(error.exitCode).toBe(78);
    expect(error.line).toBe(2);
    expect(error.message).toContain(journal);
    expect(error.message).toMatch(/line 2 .*checksum.*restore devices\.journal from a backup/);
    expect(error.message).not.toContain('\n');
    await expect(PairingService.open({ path: home.storePath, clock })).rejects.toBeInstanceOf(
      PairingJournalCorruptError,
    );
    expect(await readFile(journal, 'utf8')).toBe(damaged);
    expect((await readdir(dirname(home.storePath))).sort()).toEqual([
      'devices.journal',
      'devices.json',
    ]);
  });

  it('refuses to start on two damaged last lines: only one append can be torn, so acknowledged changes are in them', async () => {
    await storeWithThreeDevices();
    const lines = (await readFile(journal, 'utf8')).split('\n');
    const last = lines.length - 2;
    for (const index of [last - 1, last])
      lines[index] = (lines[index] ?? '').replace('"seq"', '"SEQ"');
    const damaged = lines.join('\n');
    await writeFile(journal, damaged);

    const error = await openError();
    expect(error.exitCode).toBe(78);
    expect(error.line, 'the first damaged line').toBe(last);
    expect(await readFile(journal, 'utf8'), 'the journal, untouched').toBe(damaged);
  });

  it('refuses to start when the journal does not follow devices.json (an older devices.json restored)', async () => {
    await storeWithThreeDevices();
    const backup = `${home.storePath}.backup`;
    await copyFile(home.storePath, backup);
    // A fold into devices.json, then more changes in the journal after it.
    const store = await PairingStore.open(home.storePath, { clock });
    await store.compact(captureOf(store.loaded(), store.seq));
    await pair(await openService(), 4);
    await closeAll();
    await copyFile(backup, home.storePath);

    const error = await openError();
    expect(error.message).toMatch(
      /continues from change \d+, but devices\.json holds changes up to 1 only/,
    );
  });

  it('refuses to start when devices.json is missing beside a journal, instead of starting empty', async () => {
    await storeWithThreeDevices();
    await fs.promises.rm(home.storePath);
    const error = await openError();
    expect(error.message).toMatch(/but devices\.json is missing/);
  });
});

describe('journal writes', () => {
  it('folds the journal into devices.json past journalCompactBytes, keeping changes made meanwhile', async () => {
    const service = await openService({
      limits: { journalCompactBytes: 2_000, maxPendingPerAddress: 100, maxPendingTotal: 100 },
    });
    const ids = await Promise.all(Array.from({ length: 40 }, (_, n) => pair(service, n)));
    await closeAll();

    const snapshot = JSON.parse(await readFile(home.storePath, 'utf8')) as {
      journalSeq: number;
      paired: Record<string, unknown>;
    };
    expect(snapshot.journalSeq).toBeGreaterThan(10);
    expect(Object.keys(snapshot.paired).length).toBeGreaterThan(5);
    // Unfolded, the journal would hold 80 entries of several hundred bytes each.
    expect(await size(journal).catch(() => 0)).toBeLessThan(16 * 1024);
    const stored = await storedState(home.storePath);
    expect(Object.keys(stored.paired).sort()).toEqual([...ids].sort());
  });

  it('writes nothing for a change that alters nothing, nor for stamps that end as they were', async () => {
    const service = await openService();
    const deviceId = await pair(service, 9);
    await service.recordSeen(deviceId, '10.0.0.1');
    await service.requestPairing(requestFor(1)); // carries the stamp to disk
    const before = await readFile(journal);

    await service.requestPairing(requestFor(1)); // same request, same instant
    await service.expireDue();
    await service.recordSeen(deviceId, '10.0.0.2');
    await service.recordSeen(deviceId, '10.0.0.1'); // back where it was, same instant
    await service.close();
    expect(await readFile(journal)).toEqual(before);
  });

  it('keeps last-seen stamps made while a write of the same device is in flight', async () => {
    const service = await openService();
    const deviceId = await pair(service, 1);
    clock.advance(1_000);
    const renamed = service.rename(deviceId, 'Renamed');
    const seen = service.recordSeen(deviceId, '10.0.0.9');
    await Promise.all([renamed, seen]);
    expect(service.getPaired(deviceId)).toMatchObject({
      displayName: 'Renamed',
      remoteIp: '10.0.0.9',
    });
    await closeAll();

    const reopened = await openService();
    expect(reopened.getPaired(deviceId)).toMatchObject({
      displayName: 'Renamed',
      lastSeenAtMs: clock.now(),
      remoteIp: '10.0.0.9',
    });
  });

  it('cuts off an append a full disk stopped halfway: the change is refused, the journal is as it was, and the next append works', async () => {
    const service = await openService();
    const first = await pair(service, 1);
    const { request } = await service.requestPairing(requestFor(2));
    const before = await readFile(journal);

    const undo = halfWritesThenEnospc(journal);
    try {
      await expect(service.approve(request.requestId)).rejects.toMatchObject({
        code: 'ENOSPC',
        path: home.storePath,
      });
    } finally {
      undo();
    }
    expect(await readFile(journal)).toEqual(before);
    expect(service.list().pending.map((r) => r.requestId)).toEqual([request.requestId]);

    const second = (await service.approve(request.requestId)).device.deviceId;
    await closeAll();
    const stored = await storedState(home.storePath);
    expect(Object.keys(stored.paired).sort()).toEqual([first, second].sort());
    expect(stored.pending).toEqual({});
  });
});

/**
 * Files opened for appending at `path` write half of what they are given, then fail with
 * ENOSPC, as a disk filling up mid-write does. Returns the undo.
 */
function halfWritesThenEnospc(path: string): () => void {
  const original = fs.promises.open;
  const patched = async (...args: Parameters<typeof original>) => {
    const handle = await original(...args);
    if (String(args[0]) !== path || args[1] !== 'a') return handle;
    let calls = 0;
    const write = handle.write.bind(handle) as (
      buffer: Buffer,
      offset: number,
      length: number,
    ) => Promise<{ bytesWritten: number }>;
    Object.assign(handle, {
      write: async (buffer: Buffer, offset: number, length: number) => {
        calls += 1;
        if (calls > 1)
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), {
            code: 'ENOSPC',
          });
        return write(buffer, offset, Math.max(1, length >> 1));
      },
    });
    return handle;
  };
  fs.promises.open = patched;
  syncBuiltinESMExports();
  return () => {
    fs.promises.open = original;
    syncBuiltinESMExports();
  };
}
