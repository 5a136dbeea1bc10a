/**
 * `models.providers.remove` of a provider an agent still needs, as its provider or as a
 * fallback, answers CONFLICT naming the agent and changes nothing: the provider's key
 * stays in the keychain and the config file stays byte for byte as it was (removing it
 * would leave a config the gateway refuses to start with).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OUTCOME_WAIT_MS, within } from '../helpers/within.js';
import { gatewayPerCase, memoryKeychain } from '../conformance/support.js';

const gw = gatewayPerCase();

const CONFIG = {
  models: {
    providers: {
      primary: { type: 'openai', baseUrl: 'https://primary.example.invalid/v1' },
      spare: { type: 'anthropic', baseUrl: 'https://spare.example.invalid/v1' },
    },
  },
  agents: {
    list: [
      {
        id: 'main',
        model: { provider: 'primary', name: 'm1', fallbacks: [{ provider: 'spare' }] },
      },
    ],
  },
};

describe('models.providers.remove of a provider in use', () => {
  it.each([
    ['its provider', 'primary', 'provider "primary" is used by agent "main"'],
    ['a fallback', 'spare', 'provider "spare" is a fallback of agent "main"'],
  ])('refuses when an agent has it as %s, and keeps its key and the file', async (_, id, said) => {
    const keychain = memoryKeychain();
    keychain.entries.set(`provider:${id}`, `sk-${id}-key-000001`);
    const gateway = await gw.start({ config: CONFIG, keychain });
    const configPath = join(gateway.home, 'config.json5');
    const before = await readFile(configPath, 'utf8');
    const { client } = await gw.operator(gateway);

    await expect(client.request('models.providers.remove', { id })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining(said) as unknown,
    });
    expect(keychain.entries.get(`provider:${id}`), 'the key is still in the keychain').toBe(
      `sk-${id}-key-000001`,
    );
    expect(await readFile(configPath, 'utf8'), 'the config file is unchanged').toBe(before);
  });
});

describe('models.providers.remove while the config file cannot be written', () => {
  it('puts the provider’s keys back, its named profiles’ too, when the file edit is refused', async () => {
    // A keychain that can list its accounts, as the Secret Service can: named profiles show.
    const memory = memoryKeychain();
    const keychain = {
      ...memory,
      listAccounts: () => Promise.resolve([...memory.entries.keys()]),
    };
    memory.entries.set('provider:unused', 'sk-unused-key-000001');
    memory.entries.set('provider:unused:work', 'sk-unused-work-000002');
    const gateway = await gw.start({
      config: {
        ...CONFIG,
        models: {
          providers: {
            ...CONFIG.models.providers,
            unused: { type: 'openai', baseUrl: 'https://unused.example.invalid/v1' },
          },
        },
      },
      keychain,
    });
    const { client } = await gw.operator(gateway);
    // A broken file (an editor mid-save): the gateway keeps its last good config and
    // refuses every edit with CONFIG_INVALID.
    const configPath = join(gateway.home, 'config.json5');
    const broken = `${await readFile(configPath, 'utf8')}\n{ oops`;
    await writeFile(configPath, broken);

    await expect(client.request('models.providers.remove', { id: 'unused' })).rejects.toMatchObject(
      { code: 'INVALID_REQUEST', details: { code: 'CONFIG_INVALID' } },
    );
    expect(memory.entries.get('provider:unused'), 'the key is back in the keychain').toBe(
      'sk-unused-key-000001',
    );
    expect(memory.entries.get('provider:unused:work'), 'the named profile’s key too').toBe(
      'sk-unused-work-000002',
    );

    expect(await readFile(configPath, 'utf8'), 'the broken file is not touched').toBe(broken);

    // With the file put right, the same call removes the provider and every key of it.
    await writeFile(configPath, broken.slice(0, broken.lastIndexOf('\n{ oops')));
    await within(
      OUTCOME_WAIT_MS,
      client.request('models.providers.remove', { id: 'unused' }),
      'the removal once the file is good again',
    );
    expect([...memory.entries.keys()], 'no key of the removed provider is left').toEqual([]);
  });
});
