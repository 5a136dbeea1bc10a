import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../shared/config-schema.js';
import type { ConfigInput } from '../../shared/config-schema.js';
import { computeAuthStatus, providerNeedsKey } from './auth-status.js';
import { maskSecret as maskKey } from '../secrets/resolve.js';
import { startFakeProvider } from './fake-provider.test-support.js';
import type { FakeProvider } from './fake-provider.test-support.js';
import type { ResolvedSecret } from './provider-types.js';

const servers: FakeProvider[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const config = (input: ConfigInput) => configSchema.parse(input);

describe('providerNeedsKey', () => {
  it.each([
    ['http://localhost:11434/v1', false],
    ['http://LOCALHOST:11434/v1', false],
    ['http://127.0.0.1:8080/v1', false],
    ['http://127.8.9.10/v1', false],
    ['http://[::1]:8080/v1', false],
    ['http://[::ffff:127.0.0.1]:8080/v1', false],
    ['https://api.openai.com/v1', true],
    ['https://api.anthropic.com/v1', true],
    ['http://10.0.0.5:11434/v1', true],
    ['http://localhost.example.com/v1', true],
    ['http://[::2]/v1', true],
  ])('%s → %s', (baseUrl, needsKey) => {
    expect(providerNeedsKey({ baseUrl })).toBe(needsKey);
  });
});

describe('maskKey', () => {
  it('shows only the last four characters of a long key, and nothing of a short one', () => {
    expect(maskKey('sk-abcdefghijklmnop1234')).toBe('…1234');
    expect(maskKey('abcdefghijkl')).toBe('…ijkl');
    expect(maskKey('short-key')).toBe('…');
  });
});

describe('computeAuthStatus', () => {
  const cfg = config({
    models: {
      providers: {
        openai: { type: 'openai', baseUrl: 'https://api.openai.com/v1' },
        claude: { type: 'anthropic', baseUrl: 'https://api.anthropic.com/v1' },
        ollama: { type: 'openai', baseUrl: 'http://localhost:11434/v1' },
        tiny: { type: 'openai', baseUrl: 'https://tiny.example/v1' },
        broken: { type: 'openai', baseUrl: 'https://broken.example/v1' },
      },
    },
    agents: {
      list: [
        { id: 'main', model: { provider: 'openai', name: 'gpt-4o' } },
        { id: 'writer', model: { provider: 'claude', name: 'claude-x' } },
        { id: 'local', model: { provider: 'ollama', name: 'llama3.2' } },
      ],
    },
  });
  const secrets: Record<string, ResolvedSecret> = {
    openai: { value: 'sk-env-abcdefghijklmnopWXYZ', source: 'env', envVar: 'OPENAI_API_KEY' },
    tiny: { value: 'abc', source: 'keychain' },
  };
  const resolveKey = (id: string) => {
    if (id === 'broken') return Promise.reject(new Error('keychain down'));
    return Promise.resolve(secrets[id] ?? { source: 'none' as const });
  };

  it('says for each provider which source won and whether it is usable, without the key', async () => {
    const status = await computeAuthStatus({ config: cfg, resolveKey });
    expect(status.providers).toEqual([
      {
        id: 'openai',
        type: 'openai',
        baseUrl: 'https://api.openai.com/v1',
        credential: { source: 'env', envVar: 'OPENAI_API_KEY', masked: '…WXYZ' },
        status: 'ok',
      },
      {
        id: 'claude',
        type: 'anthropic',
        baseUrl: 'https://api.anthropic.com/v1',
        credential: { source: 'none', envVar: 'CLAUDE_API_KEY' },
        status: 'missing',
      },
      {
        id: 'ollama',
        type: 'openai',
        baseUrl: 'http://localhost:11434/v1',
        credential: { source: 'none', envVar: 'OLLAMA_API_KEY' },
        status: 'not-required',
      },
      {
        id: 'tiny',
        type: 'openai',
        baseUrl: 'https://tiny.example/v1',
        credential: { source: 'keychain', envVar: 'TINY_API_KEY', masked: '…' },
        status: 'ok',
      },
      {
        id: 'broken',
        type: 'openai',
        baseUrl: 'https://broken.example/v1',
        credential: { source: 'none', envVar: 'BROKEN_API_KEY' },
        status: 'missing',
      },
    ]);
    expect(JSON.stringify(status)).not.toContain('sk-env');
    expect(status.agents).toEqual([
      { id: 'main', provider: 'openai', status: 'ok' },
      { id: 'writer', provider: 'claude', status: 'missing' },
      { id: 'local', provider: 'ollama', status: 'not-required' },
    ]);
  });

  it('with probe, marks a key the provider rejects as invalid and leaves missing ones unprobed', async () => {
    const good = await startFakeProvider('openai', { apiKey: 'sk-good-key-123456' });
    const bad = await startFakeProvider('anthropic', { apiKey: 'sk-other-key-123456' });
    servers.push(good, bad);
    const probed = config({
      models: {
        providers: {
          good: { type: 'openai', baseUrl: good.baseUrl },
          bad: { type: 'anthropic', baseUrl: bad.baseUrl },
          nokey: { type: 'openai', baseUrl: 'https://nokey.example/v1' },
        },
      },
      agents: { list: [{ id: 'main', model: { provider: 'bad' } }] },
    });
    const keys: Record<string, string> = { good: 'sk-good-key-123456', bad: 'sk-stale-key-123456' };
    const status = await computeAuthStatus({
      config: probed,
      probe: true,
      resolveKey: (id) =>
        Promise.resolve(keys[id] ? { value: keys[id], source: 'keychain' } : { source: 'none' }),
    });
    const byId = Object.fromEntries(status.providers.map((row) => [row.id, row]));
    // The good provider is on loopback, but a key was found, so it is "ok", not "not-required".
    expect(byId.good).toMatchObject({ status: 'ok', probe: { ok: true, httpStatus: 200 } });
    expect(byId.bad).toMatchObject({
      status: 'invalid',
      probe: { ok: false, httpStatus: 401, error: { kind: 'rejected' } },
    });
    expect(byId.nokey).toMatchObject({ status: 'missing' });
    expect(byId.nokey?.probe).toBeUndefined();
    expect(status.agents).toEqual([{ id: 'main', provider: 'bad', status: 'invalid' }]);
  });
});
