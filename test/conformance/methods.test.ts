/**
 * PROTOCOL.md "Scopes" and "Methods": scope implication, and the params → payload shape
 * of each method of the minimum set.
 */
import { describe, expect, it } from 'vitest';
import { OUTCOME_WAIT_MS, within } from '../helpers/within.js';
import { failure, gatewayPerCase, memoryKeychain } from './support.js';

const gw = gatewayPerCase();

const CONFIG = {
  models: {
    providers: {
      ollama: { type: 'openai', baseUrl: 'http://127.0.0.1:11434/v1' },
      remote: { type: 'anthropic', baseUrl: 'https://api.example.invalid/v1' },
    },
  },
  agents: {
    default: 'main',
    list: [
      { id: 'main', name: 'Main', model: { provider: 'ollama', name: 'llama3.2' } },
      { id: 'other', model: { provider: 'remote' } },
    ],
  },
};

describe('scopes', () => {
  it('write implies read, admin implies all, pairing implies nothing else', async () => {
    const gateway = await gw.start({ config: CONFIG });
    const writer = await gw.operator(gateway, ['operator.write']);
    expect(await writer.client.request('status')).toMatchObject({ authMode: 'token' });
    await expect(writer.client.request('device.pair.list')).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: { code: 'MISSING_SCOPE', requiredScope: 'operator.pairing' },
    });
    const pairer = await gw.operator(gateway, ['operator.pairing']);
    await expect(pairer.client.request('status')).rejects.toMatchObject({
      details: { code: 'MISSING_SCOPE', requiredScope: 'operator.read' },
    });
    expect(await pairer.client.request('device.pair.list')).toHaveProperty('paired');
    const admin = await gw.operator(gateway, ['operator.admin']);
    expect(await admin.client.request('device.pair.list')).toHaveProperty('pending');
    expect(await admin.client.request('agents.list')).toHaveProperty('agents');
  });

  it('accepts and records unknown scopes such as operator.approvals, which grant nothing', async () => {
    const gateway = await gw.start();
    const { client, identity } = await gw.operator(gateway, ['operator.approvals']);
    await expect(client.request('status')).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: { code: 'MISSING_SCOPE', requiredScope: 'operator.read' },
    });
    expect(gateway.app.pairing.getPaired(identity.deviceId)?.scopes).toEqual([
      'operator.approvals',
    ]);
  });

  it('refuses a scope name outside [a-z][a-z0-9._-]{0,63} as INVALID_REQUEST', async () => {
    const gateway = await gw.start();
    const error = await failure(gw.operator(gateway, ['Operator.Admin']).then((c) => c.hello));
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.closeCode).toBe(1008);
  });
});

describe('method payloads', () => {
  it('status → exactly the documented fields', async () => {
    const gateway = await gw.start({ keychain: memoryKeychain() });
    const { client } = await gw.operator(gateway);
    const status = await client.request<Record<string, unknown>>('status');
    expect(Object.keys(status).sort()).toEqual(
      [
        'authMode',
        'bind',
        'connections',
        'keychain',
        'pendingPairings',
        'port',
        'tls',
        'uptimeMs',
        'version',
      ].sort(),
    );
    expect(status.keychain).toEqual({ available: true, backend: 'memory' });
    expect(status.tls).toEqual({ enabled: false });
    expect(status.uptimeMs).toEqual(expect.any(Number));
  });

  it('agents.list → {agents:[{id, name?, provider, model?}], default}', async () => {
    const gateway = await gw.start({ config: CONFIG });
    const { client } = await gw.operator(gateway, ['operator.read']);
    expect(await client.request('agents.list')).toEqual({
      agents: [
        { id: 'main', name: 'Main', provider: 'ollama', model: 'llama3.2' },
        { id: 'other', provider: 'remote' },
      ],
      default: 'main',
    });
  });

  it('models.authStatus → providers with credential source/status, agents with status', async () => {
    const gateway = await gw.start({
      config: CONFIG,
      keychain: memoryKeychain(),
      env: { REMOTE_API_KEY: 'sk-remote-key-123456' },
    });
    const { client } = await gw.operator(gateway, ['operator.read']);
    const result = await client.request<{
      providers: Record<string, unknown>[];
      agents: unknown[];
    }>('models.authStatus', {});
    const byId: Record<string, Record<string, unknown>> = Object.fromEntries(
      result.providers.map((p) => [String(p.id), p]),
    );
    expect(byId.ollama).toMatchObject({
      id: 'ollama',
      type: 'openai',
      baseUrl: 'http://127.0.0.1:11434/v1',
      credential: { source: 'none' },
      status: 'not-required',
    });
    expect(byId.remote).toMatchObject({
      credential: { source: 'env', envVar: 'REMOTE_API_KEY', masked: expect.any(String) },
      status: 'ok',
    });
    expect(JSON.stringify(result)).not.toContain('sk-remote-key-123456');
    for (const row of result.providers) {
      for (const key of Object.keys(row))
        expect(['id', 'type', 'baseUrl', 'credential', 'status', 'probe']).toContain(key);
    }
    expect(result.agents).toEqual([
      { id: 'main', provider: 'ollama', status: 'not-required' },
      { id: 'other', provider: 'remote', status: 'ok' },
    ]);
  });

  it('models.providers.upsert/setKey/clearKey/remove → documented payloads; keys never echoed', async () => {
    const keychain = memoryKeychain();
    const gateway = await gw.start({ config: CONFIG, keychain });
    const { client } = await gw.operator(gateway);
    expect(
      await client.request('models.providers.upsert', {
        id: 'extra',
        type: 'openai',
        baseUrl: 'https://llm.example.invalid/v1',
      }),
    ).toEqual({
      provider: { id: 'extra', type: 'openai', baseUrl: 'https://llm.example.invalid/v1' },
    });
    const setKey = await client.request<{ id: string; credential: Record<string, unknown> }>(
      'models.providers.setKey',
      { id: 'extra', apiKey: 'sk-extra-secret-0001' },
    );
    expect(setKey).toMatchObject({ id: 'extra', credential: { source: 'keychain' } });
    expect(JSON.stringify(setKey)).not.toContain('sk-extra-secret-0001');
    expect([...keychain.entries.values()]).toContain('sk-extra-secret-0001');
    expect(await client.request('models.providers.clearKey', { id: 'extra' })).toEqual({
      id: 'extra',
    });
    await client.request('models.providers.setKey', {
      id: 'extra',
      apiKey: 'sk-extra-secret-0002',
    });
    expect(await client.request('models.providers.remove', { id: 'extra' })).toEqual({
      id: 'extra',
    });
    expect([...keychain.entries.values()]).not.toContain('sk-extra-secret-0002');
  });

  it('config.get {path} and config.unset → documented payloads, secrets redacted', async () => {
    // The file's hash after the edit: what the next baseHash is.
    const SHA256 = expect.stringMatching(/^[0-9a-f]{64}$/) as unknown;
    const gateway = await gw.start({
      config: { ...CONFIG, gateway: { auth: { mode: 'token', token: 'config-file-token-0001' } } },
    });
    const { client } = await gw.operator(gateway);
    const all = await client.request<{ config: { gateway: { auth: { token: string } } } }>(
      'config.get',
      {},
    );
    expect(all.config.gateway.auth.token).toBe('[redacted]');
    const one = await client.request<{ config: unknown }>('config.get', { path: 'gateway.auth' });
    expect(one.config).toMatchObject({ token: '[redacted]' });
    expect(
      await client.request('config.unset', { path: 'gateway.pairing.pendingTtlSeconds' }),
    ).toEqual({ path: 'gateway.pairing.pendingTtlSeconds', restartRequired: false, hash: SHA256 });
    expect(await client.request('config.set', { path: 'gateway.port', value: 18999 })).toEqual({
      path: 'gateway.port',
      restartRequired: true,
      hash: SHA256,
    });
  });

  it('gateway.auth.rotate {} → {mode}; other shared-secret sessions close 4001 "gateway auth changed"', async () => {
    const keychain = memoryKeychain();
    const gateway = await gw.start({ noEnvToken: true, keychain });
    const token = keychain.entries.get('gateway:token')!;
    const rotator = await gw.operator({ ...gateway, token });
    const other = await gw.operator({ ...gateway, token });
    expect(await rotator.client.request('gateway.auth.rotate', {})).toEqual({ mode: 'token' });
    const closed = await within(
      OUTCOME_WAIT_MS,
      other.client.closed(),
      'close 4001 of the other session after rotate',
    );
    expect(closed, 'close of the other shared-token session').toEqual({
      code: 4001,
      reason: 'gateway auth changed',
    });
    expect(await rotator.client.request('status')).toMatchObject({ authMode: 'token' });
  });
});
