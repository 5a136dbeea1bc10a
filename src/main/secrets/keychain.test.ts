import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../shared/errors.js';
import { KEYCHAIN_SERVICE, OsKeychain } from './keychain.js';

const run = promisify(execFile);
const hasBus = Boolean(process.env.DBUS_SESSION_BUS_ADDRESS);

describe('OsKeychain accounts', () => {
  it.each(['provider:', 'provider:Open AI', 'gateway:other', 'token', 'provider:../x'])(
    'refuses the account %j before touching any keychain',
    async (account) => {
      const keychain = new OsKeychain();
      const error = await keychain.get(account).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).code).toBe('INVALID_REQUEST');
      expect((error as GatewayError).message).toContain('unknown keychain account');
    },
  );
});

describe.skipIf(!hasBus)(
  'OsKeychain on the real Secret Service (skipped: no D-Bus session; run npm test)',
  () => {
    const keychain = new OsKeychain();
    const created: string[] = [];
    const account = () => {
      const name = `provider:test-${randomUUID().slice(0, 8)}`;
      created.push(name);
      return name;
    };

    afterEach(async () => {
      for (const name of created.splice(0)) await keychain.delete(name);
    });

    it('stores, reads back, replaces and deletes a provider key', async () => {
      const name = account();
      expect(await keychain.get(name)).toBeNull();
      await keychain.set(name, 'sk-first-value-1234');
      expect(await keychain.get(name)).toBe('sk-first-value-1234');
      await keychain.set(name, 'sk-second-value-5678');
      expect(await keychain.get(name)).toBe('sk-second-value-5678');
      expect(await keychain.delete(name)).toBe(true);
      expect(await keychain.get(name)).toBeNull();
      expect(await keychain.delete(name)).toBe(false);
    });

    it('keeps the key where other Secret Service tools find it (secret-tool)', async () => {
      const name = account();
      await keychain.set(name, 'sk-visible-to-secret-tool');
      const { stdout } = await run('secret-tool', [
        'lookup',
        'service',
        KEYCHAIN_SERVICE,
        'username',
        name,
      ]);
      expect(stdout.trim()).toBe('sk-visible-to-secret-tool');
    });

    it('reads a key stored by another Secret Service client', async () => {
      const name = account();
      const child = execFile('secret-tool', [
        'store',
        '--label',
        'test key',
        'service',
        KEYCHAIN_SERVICE,
        'username',
        name,
      ]);
      child.stdin?.end('sk-from-secret-tool');
      await new Promise((resolve) => child.once('exit', resolve));
      expect(await keychain.get(name)).toBe('sk-from-secret-tool');
    });

    it('reports the Secret Service as available without writing', async () => {
      const probeService = `special-agent-test-${randomUUID().slice(0, 8)}`;
      const probe = await new OsKeychain({ service: probeService }).probe();
      expect(probe).toEqual({ available: true, backend: 'secret-service' });
      const { stdout } = await run('secret-tool', [
        'search',
        '--all',
        'service',
        probeService,
      ]).catch(() => ({ stdout: '' }));
      expect(stdout).toBe('');
    });
  },
);
