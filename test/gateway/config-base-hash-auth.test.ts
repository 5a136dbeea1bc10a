/**
 * `baseHash` of the auth-profile methods and of token rotation (issue 15, "no edit is
 * lost"): `models.auth.add|remove|order` and `gateway.auth.rotate` refuse a stale
 * `baseHash` with CONFLICT and change neither the file nor the keychain, and on the current
 * one they answer the file's new `hash`, so the Control UI page that called them saves its
 * next form on it instead of getting a CONFLICT blaming "another window or the CLI".
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { OsKeychain } from '../../src/main/secrets/keychain.js';
import {
  CONFIG_CONFLICT,
  configFileOf,
  fileHash,
  getHash,
  handEdit,
} from '../helpers/config-hash.js';
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
const WORK_KEY = `sk-work-${randomBytes(8).toString('hex')}`;
const HOME_KEY = `sk-home-${randomBytes(8).toString('hex')}`;

const keychain = new OsKeychain({
  service: `special-agent-test-basehash-auth-${randomBytes(4).toString('hex')}`,
});
let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
  for (const account of (await keychain.listAccounts?.()) ?? []) await keychain.delete(account);
});

/** A gateway with keys `work` and `home` of `cloud`, tried in that order (in the file). */
async function withTwoKeys() {
  gateway = await startTestGateway({ config: CONFIG, keychain });
  const { client } = await connectDevice(gateway);
  await client.request('models.auth.add', { provider: 'cloud', profile: 'work', apiKey: WORK_KEY });
  await client.request('models.auth.add', { provider: 'cloud', profile: 'home', apiKey: HOME_KEY });
  await client.request('models.auth.order', { provider: 'cloud', order: ['work', 'home'] });
  return { client, home: gateway.home };
}

describe.skipIf(!hasSecretService)(
  'baseHash of models.auth.add|remove|order (real Secret Service; skipped: no D-Bus session, run npm test)',
  () => {
    it('on a stale baseHash answer CONFLICT and change neither the file, the key order nor the keychain', async () => {
      const { client, home } = await withTwoKeys();
      const loaded = await getHash(client);
      const edited = await handEdit(client, home, '// mine', '// edited elsewhere');
      const calls: [string, Record<string, unknown>][] = [
        ['models.auth.add', { provider: 'cloud', profile: 'spare', apiKey: 'sk-never-0003' }],
        ['models.auth.add', { provider: 'cloud', profile: 'work', apiKey: 'sk-never-0004' }],
        ['models.auth.remove', { provider: 'cloud', profile: 'work' }],
        ['models.auth.order', { provider: 'cloud', order: ['home', 'work'] }],
      ];
      for (const [method, params] of calls) {
        await expect(
          client.request(method, { ...params, baseHash: loaded }),
          `${method} ${JSON.stringify(params.order ?? params.profile)} on a stale hash`,
        ).rejects.toMatchObject(CONFIG_CONFLICT);
      }
      expect(await readFile(configFileOf(home)), 'the file after the refused calls').toEqual(
        edited,
      );
      expect(await keychain.get('provider:cloud:work'), 'the work key').toBe(WORK_KEY);
      expect(await keychain.get('provider:cloud:spare'), 'no spare key').toBeNull();
      client.close();
    });

    it('on the current baseHash go through, each answering the hash of the file it left, which the next call saves on', async () => {
      const { client, home } = await withTwoKeys();
      const added = await client.request<{ hash: string }>('models.auth.add', {
        provider: 'cloud',
        profile: 'spare',
        apiKey: 'sk-spare-0005',
        baseHash: await getHash(client),
      });
      expect(added.hash, 'models.auth.add answers the hash').toBe(await fileHash(home));
      const ordered = await client.request<{ hash: string; order: string[] }>('models.auth.order', {
        provider: 'cloud',
        order: ['home', 'spare', 'work'],
        baseHash: added.hash,
      });
      expect(ordered.order).toEqual(['home', 'spare', 'work']);
      expect(ordered.hash, 'models.auth.order answers the new hash').toBe(await fileHash(home));
      expect(ordered.hash, 'the order is in the file').not.toBe(added.hash);
      const removed = await client.request<{ hash: string }>('models.auth.remove', {
        provider: 'cloud',
        profile: 'spare',
        baseHash: ordered.hash,
      });
      expect(removed.hash, 'models.auth.remove answers the new hash').toBe(await fileHash(home));
      const text = await readFile(configFileOf(home), 'utf8');
      expect(text, 'the order without the removed key').toMatch(
        /order: \[\s*'home',\s*'work',?\s*\]/,
      );
      expect(text, 'the hand-written comment').toContain('// mine');
      expect(await keychain.get('provider:cloud:spare'), 'the removed key').toBeNull();
      client.close();
    });
  },
);

const PLAINTEXT_TOKEN = `plaintext-token-${randomBytes(12).toString('hex')}`;
const TOKEN_CONFIG = `{
  gateway: {
    port: 0, // any free port
    auth: { mode: 'token', token: '${PLAINTEXT_TOKEN}' },
  },
}
`;

describe.skipIf(!hasSecretService)(
  'baseHash of gateway.auth.rotate (real Secret Service; skipped: no D-Bus session, run npm test)',
  () => {
    it('on a stale baseHash answers CONFLICT: the file and the token stay as they were', async () => {
      gateway = await startTestGateway({ config: TOKEN_CONFIG, keychain, noEnvToken: true });
      const { client } = await connectDevice(gateway, { auth: { token: PLAINTEXT_TOKEN } });
      const loaded = await getHash(client);
      const edited = await handEdit(client, gateway.home, '// any free port', '// edited');
      await expect(
        client.request('gateway.auth.rotate', { baseHash: loaded }),
        'gateway.auth.rotate on a stale hash',
      ).rejects.toMatchObject(CONFIG_CONFLICT);
      expect(await readFile(configFileOf(gateway.home)), 'the file').toEqual(edited);
      expect(await keychain.get('gateway:token'), 'no new token in the keychain').toBeNull();
      const again = await connectDevice(gateway, { auth: { token: PLAINTEXT_TOKEN } });
      expect(again.hello.type, 'the old token still signs in').toBe('hello-ok');
      again.client.close();
      client.close();
    });

    it('on the current baseHash moves the token to the keychain and answers the hash of the file without it', async () => {
      gateway = await startTestGateway({ config: TOKEN_CONFIG, keychain, noEnvToken: true });
      const { client } = await connectDevice(gateway, { auth: { token: PLAINTEXT_TOKEN } });
      const rotated = await client.request<{ mode: string; hash: string }>('gateway.auth.rotate', {
        baseHash: await getHash(client),
      });
      expect(rotated.mode).toBe('token');
      expect(rotated.hash, 'the hash of the file rotate left').toBe(await fileHash(gateway.home));
      const text = await readFile(configFileOf(gateway.home), 'utf8');
      expect(text, 'the plaintext token is gone from the file').not.toContain(PLAINTEXT_TOKEN);
      expect(await keychain.get('gateway:token'), 'a new token').toMatch(/^[A-Za-z0-9_-]{43}$/);
      // The next save of this page goes through on the answered hash.
      await client.request('config.set', {
        path: 'gateway.pairing.pendingTtlSeconds',
        value: 120,
        baseHash: rotated.hash,
      });
      client.close();
    });
  },
);
