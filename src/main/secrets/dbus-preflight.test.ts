import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busSocketPath, checkSessionBus } from './dbus-preflight.js';
import { linuxOnlyName, onLinux } from './keychain.test-support.js';

describe('busSocketPath', () => {
  it('reads the socket of the address forms session buses use', () => {
    expect(busSocketPath('unix:path=/run/user/1000/bus')).toBe('/run/user/1000/bus');
    expect(busSocketPath('unix:path=/tmp/dbus-x,guid=abc')).toBe('/tmp/dbus-x');
    expect(busSocketPath('tcp:host=localhost,port=1;unix:path=/a%20b')).toBe('/a b');
  });

  it('leaves buses it cannot check to the keychain library', () => {
    expect(busSocketPath('unix:abstract=/tmp/dbus-y,guid=abc')).toBeUndefined();
    expect(busSocketPath('tcp:host=localhost,port=1')).toBeUndefined();
  });
});

describe.skipIf(!onLinux)(linuxOnlyName('checkSessionBus against a real dbus-daemon'), () => {
  let daemon: ChildProcess;
  let address: string;
  let folder: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'sa-bus-'));
    daemon = spawn('dbus-daemon', [
      '--session',
      '--nofork',
      '--print-address',
      `--address=unix:path=${join(folder, 'bus')}`,
    ]);
    address = await new Promise<string>((resolve, reject) => {
      daemon.once('error', reject);
      daemon.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    });
  });

  afterAll(async () => {
    await new Promise((done) => {
      daemon.once('exit', done);
      daemon.kill();
    });
    await rm(folder, { recursive: true, force: true });
  });

  it('accepts a live bus', async () => {
    await expect(checkSessionBus(address, AbortSignal.timeout(5000))).resolves.toBeUndefined();
  });

  it('names the missing bus socket', async () => {
    await expect(
      checkSessionBus('unix:path=/nonexistent/bus', AbortSignal.timeout(5000)),
    ).rejects.toThrow('cannot connect to the D-Bus session bus at /nonexistent/bus (ENOENT)');
  });
});
