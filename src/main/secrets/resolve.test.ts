import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configSchema, type ConfigInput } from '../../shared/config-schema.js';
import { OsKeychain } from './keychain.js';
import {
  assertSecretServiceReachable,
  hasSecretService,
  keychainTestName,
} from './keychain.test-support.js';
import {
  ensureGatewayToken,
  generateGatewayToken,
  maskSecret,
  resolveSecret,
  type SecretRef,
} from './resolve.js';

describe('maskSecret', () => {
  it('shows only the last four characters of a key', () => {
    expect(maskSecret('sk-proj-abcdefghijklmnopWXYZ')).toBe('…WXYZ');
  });

  it('shows nothing of a short value, where four characters would be too much', () => {
    expect(maskSecret('hunter2')).toBe('…');
    expect(maskSecret('elevenchars')).toBe('…');
    expect(maskSecret('twelve-chars')).toBe('…hars');
  });
});

describe('generateGatewayToken', () => {
  it('is 32 random bytes in base64url, different every time', () => {
    const token = generateGatewayToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(generateGatewayToken()).not.toBe(token);
  });

  it('uses the injected randomness', () => {
    const token = generateGatewayToken((size) => Buffer.alloc(size, 0xff));
    expect(Buffer.from(token, 'base64url')).toEqual(Buffer.alloc(32, 0xff));
  });
});

describe.skipIf(!hasSecretService)(
  keychainTestName('resolveSecret on the real Secret Service'),
  () => {
    beforeAll(assertSecretServiceReachable);
    // A service of its own, so gateway:token here never meets another test's or the app's.
    const store = new OsKeychain({ service: `special-agent-test-${randomUUID().slice(0, 8)}` });
    const cleanup: string[] = [];

    afterEach(async () => {
      for (const account of cleanup.splice(0)) await store.delete(account);
    });

    const config = (input: ConfigInput) => configSchema.parse(input);
    const providerConfig = (id: string, apiKey?: string) =>
      config({
        models: {
          providers: { [id]: { type: 'openai', baseUrl: 'https://api.example.com/v1', apiKey } },
        },
      });

    it('prefers the env var, then the config file, then the keychain, and says which won', async () => {
      const id = `test-${randomUUID().slice(0, 8)}`;
      const ref: SecretRef = { kind: 'provider', id };
      const envVar = `${id.toUpperCase().replace(/-/g, '_')}_API_KEY`;
      cleanup.push(`provider:${id}`);
      await store.set(`provider:${id}`, 'key-from-keychain-0001');

      const all = await resolveSecret(ref, {
        env: { [envVar]: 'key-from-env-0002' },
        config: providerConfig(id, 'key-from-config-0003'),
        store,
      });
      expect(all).toEqual({ value: 'key-from-env-0002', source: 'env', envVar });

      const noEnv = await resolveSecret(ref, {
        env: {},
        config: providerConfig(id, 'key-from-config-0003'),
        store,
      });
      expect(noEnv).toEqual({ value: 'key-from-config-0003', source: 'config' });

      const keychainOnly = await resolveSecret(ref, { env: {}, config: providerConfig(id), store });
      expect(keychainOnly).toEqual({ value: 'key-from-keychain-0001', source: 'keychain' });

      // An empty env var is a common leftover (`export X=`); it must not hide the stored key.
      const emptyEnv = await resolveSecret(ref, {
        env: { [envVar]: '' },
        config: config({}),
        store,
      });
      expect(emptyEnv.source).toBe('keychain');
    });

    it('reports no source and no error when a key is nowhere', async () => {
      const ref: SecretRef = { kind: 'provider', id: `test-${randomUUID().slice(0, 8)}` };
      expect(await resolveSecret(ref, { env: {}, config: config({}), store })).toEqual({
        source: 'none',
      });
    });

    it('resolves the gateway token and password by the same rule', async () => {
      cleanup.push('gateway:token', 'gateway:password');
      await store.set('gateway:token', 'token-from-keychain');
      await store.set('gateway:password', 'password-from-keychain');
      const withConfig = config({ gateway: { auth: { mode: 'password', password: 'pw-config' } } });
      const env = { SPECIAL_AGENT_GATEWAY_TOKEN: 'token-from-env' };

      expect(
        await resolveSecret({ kind: 'gateway-token' }, { env, config: withConfig, store }),
      ).toEqual({
        value: 'token-from-env',
        source: 'env',
        envVar: 'SPECIAL_AGENT_GATEWAY_TOKEN',
      });
      expect(
        await resolveSecret({ kind: 'gateway-password' }, { env, config: withConfig, store }),
      ).toEqual({ value: 'pw-config', source: 'config' });
      expect(
        await resolveSecret({ kind: 'gateway-password' }, { env, config: config({}), store }),
      ).toEqual({ value: 'password-from-keychain', source: 'keychain' });
    });

    it('ensureGatewayToken creates a token once and then keeps returning it', async () => {
      cleanup.push('gateway:token');
      expect(await store.get('gateway:token')).toBeNull();
      const first = await ensureGatewayToken(store);
      expect(Buffer.from(first, 'base64url')).toHaveLength(32);
      expect(await store.get('gateway:token')).toBe(first);
      expect(await ensureGatewayToken(store)).toBe(first);
    });
  },
);
