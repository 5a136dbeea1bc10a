import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configSchema, type Config, type ConfigInput } from '../../shared/config-schema.js';
import { GatewayError } from '../../shared/errors.js';
import { OsKeychain } from './keychain.js';
import {
  assertSecretServiceReachable,
  hasSecretService,
  keychainTestName,
} from './keychain.test-support.js';
import { SecretsService, type ConfigEdit } from './secrets-service.js';

/**
 * A stand-in for the config editor (written elsewhere): it records each edit and applies
 * unsets to an in-memory config, so the service sees the file change as it would for real.
 */
function recordingEditor(input: ConfigInput) {
  let config: Config = configSchema.parse(input);
  const calls: ConfigEdit[][] = [];
  const editConfig = (edits: ConfigEdit[]) => {
    calls.push(edits);
    const next = structuredClone(config) as unknown as Record<string, unknown>;
    for (const edit of edits) {
      const parent = edit.path
        .slice(0, -1)
        .reduce<Record<string | number, unknown>>(
          (node, key) => node[key] as Record<string | number, unknown>,
          next,
        );
      const last = edit.path[edit.path.length - 1] as string | number;
      if (edit.unset) delete parent[last];
      else parent[last] = edit.value;
    }
    config = configSchema.parse(next);
    return Promise.resolve();
  };
  return { calls, editConfig, getConfig: () => config };
}

const providerInput = (id: string, apiKey?: string): ConfigInput => ({
  models: {
    providers: { [id]: { type: 'openai', baseUrl: 'https://api.example.com/v1', apiKey } },
  },
});

describe('SecretsService.storeSecret', () => {
  it('refuses a path that is not a secret, touching neither keychain nor file', async () => {
    const editor = recordingEditor({});
    const secrets = new SecretsService({ store: new OsKeychain(), ...editor, env: {} });
    const error = await secrets.storeSecret(['gateway', 'port'], '1234').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe('INVALID_REQUEST');
    expect(editor.calls).toEqual([]);
  });
});

describe.skipIf(!hasSecretService)(
  keychainTestName('SecretsService on the real Secret Service'),
  () => {
    beforeAll(assertSecretServiceReachable);
    const store = new OsKeychain();
    const cleanup: string[] = [];
    const newId = () => {
      const id = `test-${randomUUID().slice(0, 8)}`;
      cleanup.push(`provider:${id}`);
      return id;
    };

    afterEach(async () => {
      for (const account of cleanup.splice(0)) await store.delete(account);
    });

    it('moves a plaintext key from the config file into the keychain', async () => {
      const id = newId();
      const editor = recordingEditor(providerInput(id, 'sk-plaintext-old-1111'));
      const secrets = new SecretsService({ store, ...editor, env: {} });
      const path = ['models', 'providers', id, 'apiKey'];

      const stored = await secrets.storeSecret(path, 'sk-stored-new-key-2222');

      expect(stored).toEqual({ account: `provider:${id}`, source: 'keychain', masked: '…2222' });
      expect(await store.get(`provider:${id}`)).toBe('sk-stored-new-key-2222');
      expect(editor.calls).toEqual([[{ path, unset: true }]]);
      expect(editor.getConfig().models.providers[id]?.apiKey).toBeUndefined();
      expect(await secrets.resolve({ kind: 'provider', id })).toEqual({
        value: 'sk-stored-new-key-2222',
        source: 'keychain',
      });
    });

    it('leaves the config file alone when it holds no plaintext copy', async () => {
      const id = newId();
      const editor = recordingEditor(providerInput(id));
      const secrets = new SecretsService({ store, ...editor, env: {} });
      await secrets.storeSecret(['models', 'providers', id, 'apiKey'], 'sk-only-keychain-3333');
      expect(editor.calls).toEqual([]);
    });

    it('warns when an environment variable still overrides the stored key', async () => {
      const id = newId();
      const envVar = `${id.toUpperCase().replace(/-/g, '_')}_API_KEY`;
      const editor = recordingEditor(providerInput(id));
      const secrets = new SecretsService({ store, ...editor, env: { [envVar]: 'sk-env-4444' } });
      const stored = await secrets.storeSecret(
        ['models', 'providers', id, 'apiKey'],
        'sk-k-55555555',
      );
      expect(stored.shadowedByEnv).toBe(envVar);
      expect((await secrets.resolve({ kind: 'provider', id })).source).toBe('env');
    });

    it('clearSecret removes the key from the keychain and the config file', async () => {
      const id = newId();
      const editor = recordingEditor(providerInput(id, 'sk-plaintext-6666'));
      const secrets = new SecretsService({ store, ...editor, env: {} });
      const path = ['models', 'providers', id, 'apiKey'];
      await store.set(`provider:${id}`, 'sk-keychain-7777');

      expect(await secrets.clearSecret(path)).toEqual({
        account: `provider:${id}`,
        deletedFromKeychain: true,
        removedPlaintext: true,
      });
      expect(await store.get(`provider:${id}`)).toBeNull();
      expect(await secrets.resolve({ kind: 'provider', id })).toEqual({ source: 'none' });
    });
  },
);
