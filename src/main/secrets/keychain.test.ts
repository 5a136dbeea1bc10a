import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../shared/errors.js';
import { defaultHomeDir } from '../config/paths.js';
import { KEYCHAIN_SERVICE, keychainServiceForHome, OsKeychain } from './keychain.js';
import { describeWithKeychain } from './keychain.test-support.js';

const run = promisify(execFile);

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

describe('keychainServiceForHome', () => {
  let root: string;
  let defaultHome: string;
  const hashOf = (path: string) => createHash('sha256').update(path).digest('hex').slice(0, 12);

  beforeEach(async () => {
    // Stands in for the OS home folder, so the real ~/.special-agent is never looked at.
    root = await mkdtemp(join(tmpdir(), 'sa-keychain-home-'));
    await mkdir(join(root, 'user'));
    defaultHome = defaultHomeDir(join(root, 'user'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('keeps the service "special-agent" for the default home, before and after it exists', async () => {
    expect(defaultHome).toBe(join(root, 'user', '.special-agent'));
    expect(keychainServiceForHome(defaultHome, defaultHome)).toBe('special-agent');
    await mkdir(defaultHome);
    expect(keychainServiceForHome(defaultHome, defaultHome)).toBe('special-agent');
    expect(KEYCHAIN_SERVICE).toBe('special-agent');
  });

  it('treats a symlink to the default home as the default home', async () => {
    await mkdir(defaultHome);
    await symlink(defaultHome, join(root, 'alias'));
    expect(keychainServiceForHome(join(root, 'alias'), defaultHome)).toBe('special-agent');
  });

  it('gives any other home the service special-agent@<first 12 hex of sha256(realpath)>', async () => {
    const other = join(root, 'other');
    await mkdir(other);
    const service = keychainServiceForHome(other, defaultHome);
    expect(service).toBe(`special-agent@${hashOf(realpathSync.native(other))}`);
    expect(service).toMatch(/^special-agent@[0-9a-f]{12}$/);
    await mkdir(join(root, 'third'));
    expect(keychainServiceForHome(join(root, 'third'), defaultHome)).not.toBe(service);
  });

  it('names a home that does not exist yet as it will be named once created (nearest existing parent resolved)', async () => {
    await mkdir(join(root, 'real'));
    await symlink(join(root, 'real'), join(root, 'link'));
    const planned = join(root, 'link', 'not', 'yet');
    const before = keychainServiceForHome(planned, defaultHome);
    expect(before).toBe(
      `special-agent@${hashOf(join(realpathSync.native(join(root, 'real')), 'not', 'yet'))}`,
    );
    await mkdir(planned, { recursive: true });
    expect(keychainServiceForHome(planned, defaultHome)).toBe(before);
    expect(keychainServiceForHome(join(root, 'real', 'not', 'yet'), defaultHome)).toBe(before);
  });
});

describeWithKeychain('OsKeychain on the real Secret Service', () => {
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
    const { stdout } = await run('secret-tool', ['search', '--all', 'service', probeService]).catch(
      () => ({ stdout: '' }),
    );
    expect(stdout).toBe('');
  });
});
