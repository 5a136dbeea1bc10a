/**
 * Secrets inside object values written through `config.set` (a whole provider, `gateway.auth`,
 * `models`, `gateway`): each goes to the keychain, the rest to the file, and no copy of the
 * secret is left in the file or the response. Real gateway, real Secret Service (an isolated
 * keychain service per run), real files.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OsKeychain, type SecretStore } from '../../src/main/secrets/keychain.js';
import { GatewayError } from '../../src/shared/errors.js';
import {
  connectDevice,
  hasSecretService,
  startTestGateway,
  type TestGateway,
} from '../helpers/gateway.js';

const keychain = new OsKeychain({
  service: `special-agent-test-cfgsecrets-${randomBytes(4).toString('hex')}`,
});
const ACCOUNTS = [
  'provider:cloud',
  'provider:other',
  'provider:7',
  'gateway:token',
  'gateway:password',
];

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
  for (const account of ACCOUNTS) await keychain.delete(account);
});

const FIXTURE = `// hand-written config
{
  gateway: {
    port: 0, // any free port
    pairing: { pendingTtlSeconds: 120 }, // short, on purpose
  },
  models: {
    providers: {
      // the local one
      local: { type: 'openai', baseUrl: 'http://127.0.0.1:11434/v1' },
    },
  },
}
`;

const canary = (name: string) => `sk-canary-${name}-${randomBytes(12).toString('hex')}`;
const configFile = () => join(gateway!.home, 'config.json5');
const sha256 = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

async function startWith(store: SecretStore = keychain) {
  gateway = await startTestGateway({ config: FIXTURE, keychain: store });
  return (await connectDevice(gateway)).client;
}

interface Shape {
  name: string;
  path: string;
  value: (secrets: string[]) => unknown;
  /** Keychain account of each secret, in the order `value` uses them. */
  accounts: string[];
  /** Text the file must contain afterwards (the rest of the object). */
  written: RegExp[];
}

const SHAPES: Shape[] = [
  {
    name: 'a whole provider with its apiKey',
    path: 'models.providers.cloud',
    value: ([key]) => ({ type: 'openai', baseUrl: 'https://api.example.invalid/v1', apiKey: key }),
    accounts: ['provider:cloud'],
    written: [/cloud: \{[^}]*baseUrl: 'https:\/\/api\.example\.invalid\/v1'/],
  },
  {
    name: 'a provider whose id is all digits',
    path: 'models.providers.7',
    value: ([key]) => ({
      type: 'openai',
      baseUrl: 'https://seven.example.invalid/v1',
      apiKey: key,
    }),
    accounts: ['provider:7'],
    written: [/seven\.example\.invalid/],
  },
  {
    name: 'gateway.auth with mode and token',
    path: 'gateway.auth',
    value: ([token]) => ({ mode: 'token', token }),
    accounts: ['gateway:token'],
    written: [/auth: \{\s*mode: 'token',?\s*\}/],
  },
  {
    name: 'gateway.auth with a password',
    path: 'gateway.auth',
    value: ([password]) => ({ mode: 'token', password }),
    accounts: ['gateway:password'],
    written: [/auth: \{\s*mode: 'token',?\s*\}/],
  },
  {
    name: 'models with two providers and their keys',
    path: 'models',
    value: ([a, b]) => ({
      providers: {
        cloud: { type: 'openai', baseUrl: 'https://api.example.invalid/v1', apiKey: a },
        other: { type: 'anthropic', baseUrl: 'https://other.example.invalid/v1', apiKey: b },
      },
    }),
    accounts: ['provider:cloud', 'provider:other'],
    written: [/other\.example\.invalid/, /api\.example\.invalid/],
  },
  {
    name: 'gateway with nested token and password',
    path: 'gateway',
    value: ([token, password]) => ({
      port: 0,
      auth: { mode: 'token', token, password },
      pairing: { pendingTtlSeconds: 90 },
    }),
    accounts: ['gateway:token', 'gateway:password'],
    written: [/pendingTtlSeconds: 90/],
  },
];

describe.skipIf(!hasSecretService)(
  'config.set with secrets inside an object (real Secret Service; skipped: no D-Bus session, run npm test)',
  () => {
    for (const shape of SHAPES) {
      it(`${shape.name}: secrets go to the keychain, the rest to the file, none in the file or the response`, async () => {
        const client = await startWith();
        const secrets = shape.accounts.map((account) => canary(account.replace(':', '-')));
        const response = await client.request('config.set', {
          path: shape.path,
          value: shape.value(secrets),
        });
        expect(response).toMatchObject({ path: shape.path, storedIn: 'keychain' });
        for (const [index, account] of shape.accounts.entries()) {
          expect(await keychain.get(account), account).toBe(secrets[index]);
        }
        const text = await readFile(configFile(), 'utf8');
        for (const secret of secrets) {
          expect(text).not.toContain(secret);
          expect(JSON.stringify(response)).not.toContain(secret);
        }
        for (const pattern of shape.written) expect(text).toMatch(pattern);
        expect(text).toContain('// hand-written config');
        if (!shape.path.startsWith('gateway')) expect(text).toContain('port: 0, // any free port');
        if (!shape.path.startsWith('models')) expect(text).toContain('// the local one');
        client.close();
      });
    }

    it('a secret inside an object that is not a non-empty string is refused naming its path, nothing written', async () => {
      const client = await startWith();
      const before = await sha256(configFile());
      for (const apiKey of [
        42,
        '',
        { nested: 'sk-nested-secret-1234' },
        ['sk-in-a-list-1234'],
        null,
      ]) {
        const error = await client
          .request('config.set', {
            path: 'models.providers.cloud',
            value: { type: 'openai', baseUrl: 'https://api.example.invalid/v1', apiKey },
          })
          .catch((e: unknown) => e);
        expect(error, JSON.stringify(apiKey)).toMatchObject({
          code: 'INVALID_REQUEST',
          message: expect.stringContaining(
            'models.providers.cloud.apiKey must be a non-empty string',
          ),
        });
        expect(JSON.stringify(error)).not.toContain('sk-');
      }
      const error = await client
        .request('config.set', { path: 'gateway', value: { auth: { token: 7 } } })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'INVALID_REQUEST',
        message: expect.stringContaining('gateway.auth.token must be a non-empty string'),
      });
      expect(await sha256(configFile())).toBe(before);
      expect(await keychain.get('provider:cloud')).toBeNull();
      client.close();
    });

    it('a keychain that cannot store answers KEYCHAIN_UNAVAILABLE and leaves the file byte-identical', async () => {
      const failing: SecretStore = {
        get: (account) => keychain.get(account),
        delete: (account) => keychain.delete(account),
        probe: () => keychain.probe(),
        set: () =>
          Promise.reject(
            GatewayError.of('KEYCHAIN_UNAVAILABLE', {
              message: 'OS keychain unavailable: injected failure',
            }),
          ),
      };
      const client = await startWith(failing);
      const before = await sha256(configFile());
      for (const [path, value] of [
        [
          'models.providers.cloud',
          {
            type: 'openai',
            baseUrl: 'https://api.example.invalid/v1',
            apiKey: 'sk-never-stored-1234',
          },
        ],
        ['gateway.auth', { mode: 'token', token: 'never-stored-token-1234' }],
        ['models.providers.local.apiKey', 'sk-never-stored-5678'],
      ] as const) {
        await expect(client.request('config.set', { path, value }), path).rejects.toMatchObject({
          code: 'UNAVAILABLE',
          details: { code: 'KEYCHAIN_UNAVAILABLE' },
        });
      }
      expect(await sha256(configFile())).toBe(before);
      client.close();
    });

    it('an object the config refuses leaves the key that was in the keychain as it was', async () => {
      const client = await startWith();
      await client.request('models.providers.setKey', {
        id: 'local',
        apiKey: 'sk-the-old-good-key-1234',
      });
      const before = await sha256(configFile());
      await expect(
        client.request('config.set', {
          path: 'models.providers.local',
          value: {
            type: 'no-such-type',
            baseUrl: 'http://127.0.0.1:11434/v1',
            apiKey: 'sk-new-key-refused-5678',
          },
        }),
      ).rejects.toMatchObject({ details: { code: 'CONFIG_INVALID' } });
      expect(await keychain.get('provider:local')).toBe('sk-the-old-good-key-1234');
      await expect(
        client.request('config.set', {
          path: 'models.providers.cloud',
          value: {
            type: 'no-such-type',
            baseUrl: 'https://x.invalid/v1',
            apiKey: 'sk-new-key-refused-9999',
          },
        }),
      ).rejects.toMatchObject({ details: { code: 'CONFIG_INVALID' } });
      expect(await keychain.get('provider:cloud')).toBeNull();
      expect(await sha256(configFile())).toBe(before);
      client.close();
    });

    it('a key set through config.set with an object is the one the gateway then uses', async () => {
      const client = await startWith();
      const key = canary('used');
      await client.request('config.set', {
        path: 'models.providers.cloud',
        value: { type: 'openai', baseUrl: 'https://api.example.invalid/v1', apiKey: key },
      });
      const status = await client.request<{
        providers: { id: string; credential: { source: string; masked?: string } }[];
      }>('models.authStatus');
      expect(status.providers.find((row) => row.id === 'cloud')?.credential).toMatchObject({
        source: 'keychain',
        masked: `…${key.slice(-4)}`,
      });
      client.close();
    });
  },
);
