import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busSocketPath, checkSessionBus } from './dbus-preflight.js';

describe('busSocketPath', () => {
  it('reads the socket of the address forms session buses use', () => {
    expect(busSocketPath('unix:path=/run/user/1000/bus')).toBe('/run/user/1000/bus');
    expect(busSocketPath('unix:path=/tmp/dbus-x,guid=abc')).toBe('/tmp/dbus-x');
    expect(busSocketPath('unix:abstract=/tmp/dbus-y,guid=abc')).toBe('\0/tmp/dbus-y');
    expect(busSocketPath('tcp:host=localhost,port=1;unix:path=/a%20b')).toBe('/a b');
    expect(busSocketPath('tcp:host=localhost,port=1')).toBeUndefined();
  });
});

describe.skipIf(process.platform !== 'linux')('checkSessionBus against a real dbus-daemon', () => {
  let daemon: ChildProcess;
  let address: string;

  beforeAll(async () => {
    // An abstract-socket bus, as older distributions hand out.
    daemon = spawn('dbus-daemon', [
      '--session',
      '--nofork',
      '--print-address',
      `--address=unix:abstract=/tmp/special-agent-test-${randomUUID()}`,
    ]);
    address = await new Promise<string>((resolve, reject) => {
      daemon.once('error', reject);
      daemon.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    });
  });

  afterAll(() => {
    daemon.kill();
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
