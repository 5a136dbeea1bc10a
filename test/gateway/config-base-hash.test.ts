/**
 * `baseHash`: `config.get` names the file it read (sha256 of its bytes), and every config
 * writer refuses with CONFLICT, changing nothing, when the file changed since then — so an
 * edit made in the Control UI never silently overwrites one made meanwhile elsewhere.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { OsKeychain } from '../../src/main/secrets/keychain.js';
import type { GatewayClient } from '../../src/shared/gateway-client.js';
import { configFileOf, getHash, handEdit as handEditIn, sha256 } from '../helpers/config-hash.js';
import {
  connectDevice,
  hasSecretService,
  startTestGateway,
  type TestGateway,
} from '../helpers/gateway.js';

const CONFIG = `// hand-written config
{
  gateway: {
    port: 0, // any free port
  },
  models: {
    providers: {
      cloud: { type: 'openai', baseUrl: 'https://api.example.invalid/v1' }, // mine
    },
  },
}
`;
const CONFLICT_MESSAGE = 'the config file changed since it was loaded (reload and try again)';

const keychain = new OsKeychain({
  service: `special-agent-test-basehash-${randomBytes(4).toString('hex')}`,
});
let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
  await keychain.delete('provider:cloud');
});

const file = () => configFileOf(gateway!.home);
const handEdit = (client: GatewayClient, from: string, to: string) =>
  handEditIn(client, gateway!.home, from, to);

describe('config.get hash', () => {
  it('is the sha256 of the bytes of the file, and "absent" once there is no file', async () => {
    gateway = await startTestGateway({ config: CONFIG });
    const { client } = await connectDevice(gateway);
    const hash = sha256(await readFile(file()));
    expect(await getHash(client), 'hash of the whole config').toBe(hash);
    expect(await getHash(client, { path: 'gateway.port' }), 'hash with a path').toBe(hash);
    await rm(file());
    await expect.poll(() => getHash(client), { timeout: 5000 }).toBe('absent');
    client.close();
  });

  it('answers what is on disk right after another writer changed it, before the watcher noticed', async () => {
    gateway = await startTestGateway({ config: CONFIG });
    const { client } = await connectDevice(gateway);
    const edited = CONFIG.replace('// mine', '// edited by the CLI');
    // A plain write (the CLI's own writes are atomic renames; either way the watcher lags).
    await writeFile(file(), edited);
    expect(await getHash(client), 'hash of the file as it is now').toBe(
      sha256(Buffer.from(edited)),
    );
    const { config } = await client.request<{ config: { gateway: { port: number } } }>(
      'config.get',
    );
    expect(config.gateway.port, 'the config read from it').toBe(0);
    client.close();
  });
});

describe('baseHash of config.set and config.unset', () => {
  it('applies an edit made on the hash it was loaded with, and answers the hash of the file it wrote', async () => {
    gateway = await startTestGateway({ config: CONFIG });
    const { client } = await connectDevice(gateway);
    const set = await client.request<{ hash: string }>('config.set', {
      path: 'gateway.pairing.pendingTtlSeconds',
      value: 120,
      baseHash: await getHash(client),
    });
    expect(set.hash, 'config.set answers the new hash').toBe(sha256(await readFile(file())));
    const unset = await client.request<{ hash: string }>('config.unset', {
      path: 'gateway.pairing.pendingTtlSeconds',
      baseHash: set.hash,
    });
    expect(unset.hash, 'config.unset answers the new hash').toBe(sha256(await readFile(file())));
    expect(await readFile(file(), 'utf8')).not.toContain('pendingTtlSeconds');
    client.close();
  });

  it('answers CONFLICT to a stale baseHash and leaves the file byte-identical', async () => {
    gateway = await startTestGateway({ config: CONFIG });
    const { client } = await connectDevice(gateway);
    const loaded = await getHash(client);
    const edited = await handEdit(client, '// any free port', '// edited elsewhere');
    const conflict = { code: 'CONFLICT', message: CONFLICT_MESSAGE };
    await expect(
      client.request('config.set', { path: 'gateway.port', value: 19999, baseHash: loaded }),
      'config.set on a stale hash',
    ).rejects.toMatchObject(conflict);
    await expect(
      client.request('config.unset', { path: 'models.providers.cloud', baseHash: loaded }),
      'config.unset on a stale hash',
    ).rejects.toMatchObject(conflict);
    await expect(
      client.request('config.set', { path: 'gateway.port', value: 19999, baseHash: 'absent' }),
      'config.set on "absent" while there is a file',
    ).rejects.toMatchObject(conflict);
    expect(await readFile(file()), 'the file after the refused edits').toEqual(edited);
    client.close();
  });
});

describe.skipIf(!hasSecretService)(
  'baseHash of the provider methods (real Secret Service; skipped: no D-Bus session, run npm test)',
  () => {
    it('upsert, remove, setKey and clearKey answer CONFLICT to a stale baseHash and change neither the file nor the keychain', async () => {
      gateway = await startTestGateway({ config: CONFIG, keychain });
      const { client } = await connectDevice(gateway);
      await client.request('models.providers.setKey', { id: 'cloud', apiKey: 'sk-kept-key-0001' });
      const loaded = await getHash(client);
      const edited = await handEdit(client, '// mine', '// edited elsewhere');
      const calls: [string, Record<string, unknown>][] = [
        [
          'models.providers.upsert',
          { id: 'cloud', type: 'openai', baseUrl: 'https://other.example.invalid/v1' },
        ],
        [
          'models.providers.upsert',
          { id: 'fresh', type: 'openai', baseUrl: 'http://127.0.0.1:9/v1' },
        ],
        ['models.providers.remove', { id: 'cloud' }],
        ['models.providers.setKey', { id: 'cloud', apiKey: 'sk-replacing-key-0002' }],
        ['models.providers.clearKey', { id: 'cloud' }],
      ];
      for (const [method, params] of calls) {
        await expect(
          client.request(method, { ...params, baseHash: loaded }),
          `${method} on a stale hash`,
        ).rejects.toMatchObject({ code: 'CONFLICT', message: CONFLICT_MESSAGE });
      }
      expect(await readFile(file()), 'the file after the refused calls').toEqual(edited);
      expect(await keychain.get('provider:cloud'), 'the key after the refused calls').toBe(
        'sk-kept-key-0001',
      );
      // On the current hash the same call goes through.
      await client.request('models.providers.upsert', {
        ...calls[1]![1],
        baseHash: sha256(edited),
      });
      expect(await readFile(file(), 'utf8')).toContain('fresh');
      client.close();
    });
  },
);
