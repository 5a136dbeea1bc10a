import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { configSchema, type Config, type ConfigInput } from '../../shared/config-schema.js';
import { GatewayError } from '../../shared/errors.js';
import { ConfigEditor } from '../config/edit.js';
import { resolvePaths } from '../config/paths.js';
import { OsKeychain, type SecretStore } from './keychain.js';
import {
  assertSecretServiceReachable,
  hasSecretService,
  keychainTestName,
} from './keychain.test-support.js';
import { SecretsService, type SecretsConfigEdit } from './secrets-service.js';

/**
 * A stand-in for the config editor (written elsewhere): it records each edit and applies
 * unsets to an in-memory config, so the service sees the file change as it would for real.
 */
function recordingEditor(input: ConfigInput) {
  let config: Config = configSchema.parse(input);
  const calls: SecretsConfigEdit[][] = [];
  const editConfig = (edits: SecretsConfigEdit[]) => {
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

describe.skipIf(!hasSecretService)(
  keychainTestName('SecretsService.setConfigValue with the real editor and Secret Service'),
  () => {
    beforeAll(assertSecretServiceReachable);
    const store = new OsKeychain({
      service: `special-agent-test-setvalue-${randomUUID().slice(0, 8)}`,
    });
    const ACCOUNTS = ['provider:a', 'provider:b', 'gateway:token'];
    let home: string;

    beforeEach(async () => {
      home = await mkdtemp(join(tmpdir(), 'sa-setvalue-'));
      await writeFile(
        join(home, 'config.json5'),
        '// mine\n{\n  gateway: { port: 0 }, // any\n}\n',
      );
    });
    afterEach(async () => {
      for (const account of ACCOUNTS) await store.delete(account);
      await rm(home, { recursive: true, force: true });
    });

    const serviceFor = (secretStore: SecretStore) => {
      const paths = resolvePaths({ SPECIAL_AGENT_HOME: home });
      const editor = new ConfigEditor({ paths });
      return new SecretsService({
        store: secretStore,
        editConfig: (edits) => editor.applyEdits(edits),
        getConfig: () => configSchema.parse({}),
        env: {},
      });
    };

    it('writes a whole config at the top level with its secrets in the keychain only', async () => {
      const written = await serviceFor(store).setConfigValue([], {
        gateway: { port: 0, auth: { mode: 'token', token: 'tok-top-level-1234' } },
        models: {
          providers: {
            a: { type: 'openai', baseUrl: 'https://a.example/v1', apiKey: 'sk-a-top-1234' },
          },
        },
      });
      expect(written.stored.map((stored) => stored.account)).toEqual([
        'gateway:token',
        'provider:a',
      ]);
      expect(await store.get('gateway:token')).toBe('tok-top-level-1234');
      expect(await store.get('provider:a')).toBe('sk-a-top-1234');
      const text = await readFile(join(home, 'config.json5'), 'utf8');
      expect(text).toContain('// mine');
      expect(text).toContain('https://a.example/v1');
      expect(text).not.toContain('tok-top-level');
      expect(text).not.toContain('sk-a-top');
    });

    it('a keychain failure on the second secret puts the first back and writes nothing', async () => {
      await store.set('provider:a', 'sk-a-old-key-1234');
      const failingOnB: SecretStore = {
        get: (account) => store.get(account),
        delete: (account) => store.delete(account),
        probe: () => store.probe(),
        set: (account, value) =>
          account === 'provider:b'
            ? Promise.reject(GatewayError.of('KEYCHAIN_UNAVAILABLE'))
            : store.set(account, value),
      };
      const file = join(home, 'config.json5');
      const before = await readFile(file, 'utf8');
      const provider = (apiKey: string) => ({
        type: 'openai',
        baseUrl: 'https://x.example/v1',
        apiKey,
      });
      const error = await serviceFor(failingOnB)
        .setConfigValue(['models'], {
          providers: { a: provider('sk-a-new-5678'), b: provider('sk-b-new-5678') },
        })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ details: { code: 'KEYCHAIN_UNAVAILABLE' } });
      expect(await store.get('provider:a')).toBe('sk-a-old-key-1234');
      expect(await store.get('provider:b')).toBeNull();
      expect(await readFile(file, 'utf8')).toBe(before);
    });
  },
);
