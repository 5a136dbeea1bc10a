/**
 * Ids and keys named like JavaScript's object machinery (`constructor`, `__proto__`,
 * `toString`, `hasOwnProperty`) are unknown providers or refused names, never a lookup of
 * Object.prototype: no keychain entry is created and no answer pretends they exist.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/main/config/load.js';
import { resolvePaths } from '../../src/main/config/paths.js';
import { isKeychainAccount, OsKeychain } from '../../src/main/secrets/keychain.js';
import {
  connectDevice,
  hasSecretService,
  makeTempHome,
  startTestGateway,
  type TestGateway,
} from '../helpers/gateway.js';

const keychain = new OsKeychain({
  service: `special-agent-test-protoids-${randomBytes(4).toString('hex')}`,
});
const PROTOTYPE_NAMES = [
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'prototype',
];

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
  for (const id of PROTOTYPE_NAMES) {
    if (isKeychainAccount(`provider:${id}`)) await keychain.delete(`provider:${id}`);
  }
});

const CONFIG = `{
  gateway: { port: 0 },
  models: { providers: { local: { type: 'openai', baseUrl: 'http://127.0.0.1:11434/v1' } } },
  agents: { list: [{ id: 'main', model: { provider: 'local' } }] },
}
`;
const sha256 = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

describe.skipIf(!hasSecretService)(
  'prototype-named provider ids (real Secret Service; skipped: no D-Bus session, run npm test)',
  () => {
    it('setKey, clearKey, remove and authStatus answer NOT_FOUND (or INVALID_REQUEST) and store nothing', async () => {
      gateway = await startTestGateway({ config: CONFIG, keychain });
      const file = join(gateway.home, 'config.json5');
      const before = await sha256(file);
      const { client } = await connectDevice(gateway);
      for (const id of PROTOTYPE_NAMES) {
        for (const [method, params] of [
          ['models.providers.setKey', { id, apiKey: 'sk-prototype-key-1234' }],
          ['models.providers.clearKey', { id }],
          ['models.providers.remove', { id }],
          ['models.authStatus', { provider: id }],
        ] as const) {
          const error = await client.request(method, params).then(
            (payload) => ({ answered: payload }),
            (e: unknown) => e as { code: string; message: string },
          );
          expect(
            ['NOT_FOUND', 'INVALID_REQUEST'],
            `${method} ${id}: ${JSON.stringify(error)}`,
          ).toContain((error as { code?: string }).code);
          // An id the provider-id rule accepts must be reported as the unknown provider it is.
          if (/^[a-z0-9][a-z0-9_-]*$/.test(id)) {
            expect(error, `${method} ${id}`).toMatchObject({
              code: 'NOT_FOUND',
              message: expect.stringContaining(`provider "${id}" not found`),
            });
          }
        }
        if (isKeychainAccount(`provider:${id}`))
          expect(await keychain.get(`provider:${id}`), id).toBeNull();
      }
      expect(await sha256(file)).toBe(before);
      client.close();
    });

    it('upsert of a prototype-named id is refused INVALID_REQUEST and writes nothing', async () => {
      gateway = await startTestGateway({ config: CONFIG, keychain });
      const file = join(gateway.home, 'config.json5');
      const before = await sha256(file);
      const { client } = await connectDevice(gateway);
      for (const id of PROTOTYPE_NAMES) {
        await expect(
          client.request('models.providers.upsert', {
            id,
            type: 'openai',
            baseUrl: 'https://x.example.invalid/v1',
          }),
          id,
        ).rejects.toMatchObject({
          code: 'INVALID_REQUEST',
        });
      }
      expect(await sha256(file)).toBe(before);
      client.close();
    });

    it('config.set refuses a prototype-named key inside an object value, naming it, and writes nothing', async () => {
      gateway = await startTestGateway({ config: CONFIG, keychain });
      const file = join(gateway.home, 'config.json5');
      const before = await sha256(file);
      const { client } = await connectDevice(gateway);
      const provider = {
        type: 'openai',
        baseUrl: 'https://x.example.invalid/v1',
        apiKey: 'sk-prototype-value-1234',
      };
      for (const key of ['constructor', '__proto__', 'prototype']) {
        // JSON.parse on the gateway side makes `__proto__` an own key, as a hostile client would send it.
        const value = JSON.parse(
          `{"local": {"type": "openai", "baseUrl": "http://127.0.0.1:11434/v1"}, ${JSON.stringify(key)}: ${JSON.stringify(provider)}}`,
        ) as unknown;
        const error = await client
          .request('config.set', { path: 'models.providers', value })
          .catch((e: unknown) => e);
        expect(error, key).toMatchObject({
          code: 'INVALID_REQUEST',
          message: expect.stringContaining(`"${key}"`),
        });
      }
      for (const path of [
        'models.providers.constructor',
        'models.providers.__proto__.apiKey',
        'gateway.constructor',
      ]) {
        await expect(
          client.request('config.set', { path, value: 'sk-prototype-path-1234' }),
          path,
        ).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
      }
      expect(await keychain.get('provider:constructor')).toBeNull();
      expect(await sha256(file)).toBe(before);
      client.close();
    });
  },
);

describe('prototype-named provider of an agent', () => {
  it('an agent pointing at provider "constructor" that is not configured is a config error naming the path', async () => {
    const home = await makeTempHome();
    await writeFile(
      join(home, 'config.json5'),
      `{ agents: { list: [{ id: 'main', model: { provider: 'constructor' } }] } }\n`,
    );
    const error = await loadConfig(resolvePaths({ SPECIAL_AGENT_HOME: home }))
      .catch((e: unknown) => e)
      .finally(() => rm(home, { recursive: true, force: true }));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('agents.list.0.model.provider');
    expect((error as ConfigError).message).toContain('"constructor"');
  });
});
