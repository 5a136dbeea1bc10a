/**
 * A full disk during approve and configure: the caller gets an error, the originals stay
 * byte-identical, no temp file is left, and everything works again once there is room.
 * Runs on a full tmpfs where the machine allows mounting, else with ENOSPC injected.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { TEMP_FILE_MARKER } from '../../src/main/fs/atomic-file.js';
import type { GatewayClient } from '../../src/shared/gateway-client.js';
import { GatewayClientError } from '../../src/shared/gateway-client.js';
import { childEnv, runCli } from '../helpers/child.js';
import {
  connectDevice,
  deviceClient,
  newIdentity,
  startTestGateway,
  writeConfig,
  type TestGateway,
} from '../helpers/gateway.js';
import { ERROR_CODES } from '../security/support.js';
import { injectEnospc, ScratchMount } from './faulty-disk.js';

const PROXY = '127.0.0.2';
// Mounted while the file is collected, so skipIf below knows whether it worked.
const scratch = await ScratchMount.create();
afterAll(async () => {
  await scratch.dispose();
});

/** Fills the disk (tmpfs) or injects ENOSPC; returns the undo. */
async function diskFull(home: string): Promise<() => Promise<void>> {
  if (scratch.mounted) return scratch.fill();
  const undo = injectEnospc(home);
  return () => Promise.resolve(undo());
}

async function bytes(home: string) {
  const read = (path: string) => readFile(join(home, path)).catch(() => Buffer.alloc(0));
  return { config: await read('config.json5'), store: await read('state/devices.json') };
}

async function tempFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((name) => name.includes(TEMP_FILE_MARKER));
}

async function failureOf(promise: Promise<unknown>): Promise<GatewayClientError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GatewayClientError);
  expect(ERROR_CODES).toContain((error as GatewayClientError).code);
  return error as GatewayClientError;
}

describe(`a full disk (${scratch.mounted ? 'a full tmpfs' : `ENOSPC injected; no tmpfs: ${scratch.mountError}`})`, () => {
  let gateway: TestGateway | undefined;
  let admin: GatewayClient | undefined;
  afterEach(async () => {
    admin?.close();
    await gateway?.stop();
    admin = undefined;
    gateway = undefined;
  });

  it('refuses an approval with an error, keeps both files byte-identical, and approves once there is room', async () => {
    const home = join(scratch.dir, 'approve');
    await writeConfig(home, { gateway: { port: 0, trustedProxies: [PROXY] } });
    gateway = await startTestGateway({ home });
    admin = (await connectDevice(gateway)).client;
    const identity = await newIdentity();
    const remote = () =>
      deviceClient(gateway!.wsUrl, {
        identity,
        auth: { token: gateway!.token },
        localAddress: PROXY,
        headers: { 'x-forwarded-for': '203.0.113.4' },
      });
    const pending = await failureOf(remote().connect());
    const requestId = pending.details?.requestId as string;

    const before = await bytes(home);
    const freeSpace = await diskFull(home);
    const refused = await failureOf(admin.request('device.pair.approve', { requestId }));
    expect(refused.message).not.toMatch(/\/|at .*\(/); // no path or stack on the wire
    expect(refused.code).toBe('UNAVAILABLE');
    expect(refused.message).toContain('could not save devices.json: the disk is full');
    expect(await bytes(home)).toEqual(before);
    expect(await tempFiles(home)).toEqual([]);
    expect(gateway.logs.join('\n')).toMatch(/ENOSPC|no space/i);
    // Still pending, still serving.
    expect(gateway.app.pairing.list().pending.map((r) => r.requestId)).toEqual([requestId]);
    expect(await admin.request('status')).toMatchObject({ pendingPairings: 1 });

    await freeSpace();
    await admin.request('device.pair.approve', { requestId });
    expect((await remote().connect()).type).toBe('hello-ok');
    admin.close();
    await gateway.stop();
    gateway = undefined;
  });

  it('refuses config.set with an error and keeps the config byte-identical, comments included', async () => {
    const home = join(scratch.dir, 'configure');
    await writeConfig(home, '// mine\n{\n  gateway: { port: 0 }, // keep\n}\n');
    gateway = await startTestGateway({ home });
    admin = (await connectDevice(gateway)).client;
    const before = await bytes(home);
    const freeSpace = await diskFull(home);
    const refused = await failureOf(
      admin.request('config.set', { path: 'gateway.pairing.pendingTtlSeconds', value: 120 }),
    );
    expect(refused.code).toBe('UNAVAILABLE');
    expect(refused.message).toContain('could not save config.json5: the disk is full');
    expect(await bytes(home)).toEqual(before);
    expect(await tempFiles(home)).toEqual([]);
    await freeSpace();
    await admin.request('config.set', { path: 'gateway.pairing.pendingTtlSeconds', value: 120 });
    expect(await readFile(join(home, 'config.json5'), 'utf8')).toContain('// keep');
    admin.close();
    await gateway.stop();
    gateway = undefined;
  });

  it.skipIf(!scratch.mounted)(
    'makes `special-agent configure set` print one line and exit 1 (skipped where no tmpfs can be mounted: the CLI runs in a child process)',
    async () => {
      const home = join(scratch.dir, 'cli');
      await writeConfig(home, '{\n  gateway: { port: 18789 },\n}\n');
      const before = await bytes(home);
      const freeSpace = await scratch.fill();
      const result = await runCli(['configure', 'set', 'gateway.port', '19005'], childEnv(home));
      await freeSpace();
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/^special-agent: .*(ENOSPC|no space)/i);
      expect(await bytes(home)).toEqual(before);
      expect(await tempFiles(home)).toEqual([]);
    },
  );
});
