import { createHash } from 'node:crypto';
import { readFile, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { signConnect } from '../../src/shared/gateway-client.js';
import {
  connectDevice,
  newIdentity,
  RawSocket,
  startTestGateway,
  TEST_CLIENT,
  type TestGateway,
} from '../helpers/gateway.js';

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

const CONFIG = `// hand-written config
{
  gateway: {
    port: 0,
    trustedProxies: [], // none yet
  },
  models: {
    providers: {
      local: { type: 'openai', baseUrl: 'http://127.0.0.1:11434/v1', apiKey: 'sk-plaintext-in-file-1234' },
    },
  },
}
`;

const sha256 = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

describe('config methods', () => {
  it('config.get replaces every secret with [redacted], the gateway token included', async () => {
    gateway = await startTestGateway({
      config: CONFIG.replace(
        'trustedProxies: [],',
        "trustedProxies: [], auth: { mode: 'token', token: 'file-token-not-used-123' },",
      ),
    });
    const { client } = await connectDevice(gateway);
    const { config } = await client.request<{
      config: {
        gateway: { auth: { token?: string } };
        models: { providers: { local: { apiKey: string } } };
      };
    }>('config.get');
    expect(config.models.providers.local.apiKey).toBe('[redacted]');
    expect(config.gateway.auth.token).toBe('[redacted]');
    const one = await client.request<{ config: unknown }>('config.get', {
      path: 'models.providers.local',
    });
    expect(JSON.stringify(one)).not.toContain('sk-plaintext-in-file-1234');
    client.close();
  });

  it('config.set edits one value, keeps the comments, and says when a restart is required', async () => {
    gateway = await startTestGateway({ config: CONFIG });
    const { client } = await connectDevice(gateway);
    expect(
      await client.request('config.set', { path: 'gateway.pairing.pendingTtlSeconds', value: 120 }),
    ).toEqual({
      path: 'gateway.pairing.pendingTtlSeconds',
      restartRequired: false,
      hash: createHash('sha256')
        .update(await readFile(join(gateway.home, 'config.json5')))
        .digest('hex'),
    });
    expect(
      await client.request('config.set', { path: 'gateway.port', value: 19999 }),
    ).toMatchObject({ restartRequired: true });
    const text = await readFile(join(gateway.home, 'config.json5'), 'utf8');
    expect(text).toContain('// hand-written config');
    expect(text).toContain('trustedProxies: [], // none yet');
    expect(text).toMatch(/pendingTtlSeconds: 120/);
    client.close();
  });

  it('keeps reporting the bind it listens on in status until the restart a new bind needs', async () => {
    gateway = await startTestGateway({ config: CONFIG });
    const { client } = await connectDevice(gateway);
    expect(
      await client.request('config.set', { path: 'gateway.bind', value: 'lan' }),
    ).toMatchObject({ restartRequired: true });
    // Read after the watcher has had time to apply the file (config.get reloads it).
    await client.request('config.get', { path: 'gateway.bind' });
    expect(await client.request('status'), 'status after config.set gateway.bind').toMatchObject({
      bind: 'loopback',
    });
    client.close();
  });

  it('refuses an invalid value with CONFIG_INVALID and leaves the file byte-identical', async () => {
    gateway = await startTestGateway({ config: CONFIG });
    const file = join(gateway.home, 'config.json5');
    const before = await sha256(file);
    const { client } = await connectDevice(gateway);
    await expect(
      client.request('config.set', { path: 'gateway.trustedProxies', value: ['10.0.0.0/33'] }),
    ).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      details: { code: 'CONFIG_INVALID' },
      message: expect.stringContaining('gateway.trustedProxies'),
    });
    await expect(
      client.request('config.set', { path: 'gateway.port', value: 'eighty' }),
    ).rejects.toMatchObject({
      details: { code: 'CONFIG_INVALID' },
    });
    expect(await sha256(file)).toBe(before);
    client.close();
  });

  it('picks up a hand edit without a restart and tells admin connections which paths changed', async () => {
    gateway = await startTestGateway({ config: CONFIG });
    const { client } = await connectDevice(gateway);
    const changes: { paths: string[] }[] = [];
    client.on('config.changed', (payload) => changes.push(payload as { paths: string[] }));
    const file = join(gateway.home, 'config.json5');
    const edited = CONFIG.replace(
      'trustedProxies: [], // none yet',
      "trustedProxies: ['127.0.0.2'], // my proxy",
    );
    // Editors save by writing a new file and renaming it over the old one.
    await writeFile(`${file}.swp`, edited);
    await rename(`${file}.swp`, file);
    await expect
      .poll(
        () =>
          changes.flatMap((c) => c.paths).some((path) => path.startsWith('gateway.trustedProxies')),
        { timeout: 5000 },
      )
      .toBe(true);
    const { config } = await client.request<{ config: { gateway: { trustedProxies: string[] } } }>(
      'config.get',
    );
    expect(config.gateway.trustedProxies).toEqual(['127.0.0.2']);
    client.close();
  });

  it('keeps running on the previous config when a hand edit breaks the file, and logs where', async () => {
    gateway = await startTestGateway({ config: CONFIG });
    const { client } = await connectDevice(gateway);
    const file = join(gateway.home, 'config.json5');
    await writeFile(`${file}.swp`, CONFIG.replace('port: 0,', 'port: 0,,'));
    await rename(`${file}.swp`, file);
    await expect
      .poll(() => gateway!.logs.some((line) => /config\.json5:4:\d+/.test(line)), { timeout: 5000 })
      .toBe(true);
    expect((await client.request<{ authMode: string }>('status')).authMode).toBe('token');
    client.close();
  });
});

describe('known OpenClaw v3 clients', () => {
  for (const [id, mode] of [
    ['cli', 'cli'],
    ['openclaw-control-ui', 'webchat'],
    ['openclaw-macos', 'ui'],
  ] as const) {
    it(`accepts client.id "${id}" (mode ${mode})`, async () => {
      gateway ??= await startTestGateway();
      const { hello, client } = await connectDevice(gateway, { client: { id, mode } });
      expect(hello.type).toBe('hello-ok');
      client.close();
    });
  }

  it("accepts OpenClaw's descriptive connect fields (caps, commands, permissions, locale, userAgent)", async () => {
    gateway = await startTestGateway();
    const socket = new RawSocket(gateway.wsUrl);
    const nonce = await socket.challengeNonce();
    const params = await signConnect({
      identity: await newIdentity(),
      nonce,
      client: { ...TEST_CLIENT, id: 'openclaw-control-ui', mode: 'webchat' },
      auth: { token: gateway.token },
      signedAtMs: Date.now(),
    });
    socket.send({
      type: 'req',
      id: 'c',
      method: 'connect',
      params: {
        ...params,
        caps: ['tools'],
        commands: [],
        permissions: { camera: false },
        locale: 'en-US',
        userAgent: 'openclaw/2026',
      },
    });
    expect((await socket.response('c')).ok).toBe(true);
    socket.ws.close();
  });
});
