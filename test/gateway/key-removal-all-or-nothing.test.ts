/**
 * Removing a key that the config file also names is one step: `models.auth.remove` of a
 * profile in `auth.order` edits the order, `models.providers.clearKey` unsets a plaintext
 * copy. When that file edit is refused (a broken file, a held lock), the key is put back and
 * the file keeps every byte. (`models.providers.remove`: provider-remove-in-use.test.ts.)
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { gatewayPerCase, memoryKeychain } from '../conformance/support.js';

const gw = gatewayPerCase();

it('puts the profile’s key back when the auth.order edit is refused', async () => {
  // A keychain that lists its accounts, as the Secret Service does: named profiles show.
  const memory = memoryKeychain();
  const keychain = { ...memory, listAccounts: () => Promise.resolve([...memory.entries.keys()]) };
  const gateway = await gw.start({
    config: {
      models: { providers: { p: { type: 'openai', baseUrl: 'https://p.example.invalid/v1' } } },
    },
    keychain,
  });
  const { client } = await gw.operator(gateway);
  await client.request('models.auth.add', {
    provider: 'p',
    profile: 'work',
    apiKey: 'sk-work-key-000001',
  });
  await client.request('models.auth.order', { provider: 'p', order: ['work'] });
  const configPath = join(gateway.home, 'config.json5');
  // A broken file (an editor mid-save): every edit is refused with CONFIG_INVALID.
  const broken = `${await readFile(configPath, 'utf8')}\n{ oops`;
  await writeFile(configPath, broken);

  await expect(
    client.request('models.auth.remove', { provider: 'p', profile: 'work' }),
  ).rejects.toMatchObject({ code: 'INVALID_REQUEST', details: { code: 'CONFIG_INVALID' } });
  expect(memory.entries.get('provider:p:work'), 'the key is back in the keychain').toBe(
    'sk-work-key-000001',
  );
  expect(await readFile(configPath, 'utf8'), 'the broken file is not touched').toBe(broken);
});

it('puts the provider’s key back when clearKey cannot unset its plaintext copy', async () => {
  const keychain = memoryKeychain();
  keychain.entries.set('provider:p', 'sk-keychain-key-000001');
  const gateway = await gw.start({
    config: {
      models: {
        providers: {
          p: {
            type: 'openai',
            baseUrl: 'https://p.example.invalid/v1',
            apiKey: 'sk-plaintext-key-000002',
          },
        },
      },
    },
    keychain,
  });
  const { client } = await gw.operator(gateway);
  const configPath = join(gateway.home, 'config.json5');
  const broken = `${await readFile(configPath, 'utf8')}\n{ oops`;
  await writeFile(configPath, broken);

  await expect(client.request('models.providers.clearKey', { id: 'p' })).rejects.toMatchObject({
    code: 'INVALID_REQUEST',
    details: { code: 'CONFIG_INVALID' },
  });
  expect(keychain.entries.get('provider:p'), 'the key is back in the keychain').toBe(
    'sk-keychain-key-000001',
  );
  expect(await readFile(configPath, 'utf8'), 'the broken file is not touched').toBe(broken);
});
