import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import {
  startFakeProvider,
  type FakeProvider,
} from '../../src/main/providers/fake-provider.test-support.js';
import { OsKeychain } from '../../src/main/secrets/keychain.js';
import type { ChatEvent } from '../../src/shared/protocol.js';
import { describeWithKeychain } from '../../src/main/secrets/keychain.test-support.js';
import { connectDevice, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { OUTCOME_WAIT_MS, within } from '../helpers/within.js';

let gateway: TestGateway | undefined;
let provider: FakeProvider | undefined;
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await gateway?.stop();
  await provider?.close();
  gateway = undefined;
  provider = undefined;
  for (const step of cleanup.splice(0)) await step().catch(() => undefined);
});

const uniqueId = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

/** Every file under `dir`, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if ((await stat(path)).isFile()) out.push(path);
  }
  return out;
}

describeWithKeychain('secrets through the gateway (real Secret Service)', () => {
  it('never shows a canary key in any response, log line or file under the home folder', async () => {
    const id = uniqueId('canary');
    const other = uniqueId('plain');
    const canary = `sk-canary-${randomBytes(16).toString('hex')}`;
    const canary2 = `sk-canary2-${randomBytes(16).toString('hex')}`;
    gateway = await startTestGateway({
      config: {
        models: {
          providers: {
            [id]: { type: 'openai', baseUrl: 'https://api.example.invalid/v1' },
            [other]: { type: 'anthropic', baseUrl: 'https://api.example.invalid/v1' },
          },
        },
        agents: { list: [{ id: 'main', model: { provider: id } }] },
      },
    });
    const { keychain } = gateway;
    cleanup.push(
      () => keychain.delete(`provider:${id}`),
      () => keychain.delete(`provider:${other}`),
    );
    const { client } = await connectDevice(gateway);
    const frames: string[] = [];
    client.on('*', (_payload, frame) => frames.push(JSON.stringify(frame)));
    const responses: unknown[] = [];
    responses.push(await client.request('models.providers.setKey', { id, apiKey: canary }));
    responses.push(
      await client.request('config.set', {
        path: `models.providers.${other}.apiKey`,
        value: canary2,
      }),
    );
    expect(await keychain.get(`provider:${id}`)).toBe(canary);
    expect(await keychain.get(`provider:${other}`)).toBe(canary2);
    for (const [method, params] of [
      ['config.get', {}],
      ['config.get', { path: `models.providers.${id}` }],
      ['models.authStatus', {}],
      ['status', {}],
      ['agents.list', {}],
      ['device.pair.list', {}],
    ] as const) {
      responses.push(await client.request(method, params));
    }
    const status = responses[4] as {
      providers: { id: string; credential: { source: string; masked?: string } }[];
    };
    expect(status.providers.find((p) => p.id === id)?.credential).toMatchObject({
      source: 'keychain',
      masked: `…${canary.slice(-4)}`,
    });
    const everything = [JSON.stringify(responses), ...frames, ...gateway.logs].join('\n');
    expect(everything).not.toContain(canary);
    expect(everything).not.toContain(canary2);
    for (const file of await filesUnder(gateway.home)) {
      const content = await readFile(file, 'utf8');
      expect(content, file).not.toContain(canary);
      expect(content, file).not.toContain(canary2);
    }
    client.close();
  });

  it('removes a plaintext key from the config file when it is stored, keeping the comments', async () => {
    const id = uniqueId('plain');
    const text = `// my providers\n{\n  gateway: { port: 0 },\n  models: {\n    providers: {\n      // the cloud one\n      '${id}': { type: 'openai', baseUrl: 'https://api.example.invalid/v1', apiKey: 'sk-plaintext-old-key' },\n    },\n  },\n}\n`;
    gateway = await startTestGateway({ config: text });
    const { keychain } = gateway;
    cleanup.push(() => keychain.delete(`provider:${id}`));
    const { client } = await connectDevice(gateway);
    const redacted = await client.request<{
      config: { models: { providers: Record<string, { apiKey?: string }> } };
    }>('config.get');
    expect(redacted.config.models.providers[id]?.apiKey).toBe('[redacted]');
    await client.request('models.providers.setKey', { id, apiKey: 'sk-new-key-in-keychain-123' });
    const after = await readFile(join(gateway.home, 'config.json5'), 'utf8');
    expect(after).not.toContain('sk-plaintext-old-key');
    expect(after).toContain('// my providers');
    expect(after).toContain('// the cloud one');
    client.close();
  });

  it('uses a rotated key on the very next chat request, with no restart', async () => {
    const id = uniqueId('rot');
    provider = await startFakeProvider('openai', { apiKey: 'sk-first-key-0001' });
    gateway = await startTestGateway({
      config: {
        models: { providers: { [id]: { type: 'openai', baseUrl: provider.baseUrl } } },
        agents: { list: [{ id: 'main', model: { provider: id, name: 'm' } }] },
      },
    });
    const { keychain } = gateway;
    cleanup.push(() => keychain.delete(`provider:${id}`));
    const { client } = await connectDevice(gateway);
    const finals: ChatEvent[] = [];
    client.on('chat', (payload) => {
      const event = payload as ChatEvent;
      if (event.state !== 'delta') finals.push(event);
    });
    await client.request('models.providers.setKey', { id, apiKey: 'sk-first-key-0001' });
    await client.request('chat.send', { message: 'one' });
    await expect.poll(() => finals.length).toBe(1);
    provider.behaviour.apiKey = 'sk-second-key-0002';
    await client.request('models.providers.setKey', { id, apiKey: 'sk-second-key-0002' });
    await client.request('chat.send', { message: 'two' });
    await expect.poll(() => finals.length).toBe(2);
    expect(finals.map((e) => e.state)).toEqual(['final', 'final']);
    expect(provider.requests.map((r) => r.headers.authorization)).toEqual([
      'Bearer sk-first-key-0001',
      'Bearer sk-second-key-0002',
    ]);
    client.close();
  });

  it('gateway.auth.rotate closes the other shared-secret sessions with 4001 and keeps device-token ones', async () => {
    const service = uniqueId('special-agent-test');
    const isolated = new OsKeychain({ service });
    cleanup.push(() => isolated.delete('gateway:token'));
    gateway = await startTestGateway({ noEnvToken: true, keychain: isolated });
    const token = (await isolated.get('gateway:token'))!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rotator = await connectDevice(gateway, { auth: { token } });
    const other = await connectDevice(gateway, { auth: { token } });
    const viaDevice = await connectDevice(gateway, {
      identity: other.identity,
      auth: { deviceToken: other.hello.auth!.deviceToken },
    });
    expect(await rotator.client.request('gateway.auth.rotate', {})).toEqual({ mode: 'token' });
    const closed = await within(
      OUTCOME_WAIT_MS,
      other.client.closed(),
      'close 4001 of the other shared-token session after rotate',
    );
    expect(closed, 'close of the other shared-token session').toEqual({
      code: 4001,
      reason: 'gateway auth changed',
    });
    expect((await rotator.client.request<{ authMode: string }>('status')).authMode).toBe('token');
    expect((await viaDevice.client.request<{ authMode: string }>('status')).authMode).toBe('token');
    const rotated = (await isolated.get('gateway:token'))!;
    expect(rotated).not.toBe(token);
    await expect(connectDevice(gateway, { auth: { token } })).rejects.toMatchObject({
      details: { code: 'AUTH_TOKEN_MISMATCH' },
    });
    expect((await connectDevice(gateway, { auth: { token: rotated } })).hello.type).toBe(
      'hello-ok',
    );
    rotator.client.close();
    viaDevice.client.close();
  });
});
