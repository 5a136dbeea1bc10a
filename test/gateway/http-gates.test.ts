import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connectDevice, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { rawHttp } from '../security/support.js';

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

/** Attempts a WebSocket upgrade with raw headers; resolves with the HTTP status or 101. */
function upgradeStatus(port: number, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { headers, perMessageDeflate: false });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.on('error', (error) => {
      if (!String(error.message).includes('Unexpected server response')) reject(error);
    });
  });
}

function httpGet(
  port: number,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, setHost: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Host and Origin gates', () => {
  it('refuses Host: evil.example with 403 before any upgrade, on HTTP and WebSocket', async () => {
    gateway = await startTestGateway();
    const { port } = gateway.app;
    expect(await upgradeStatus(port, { host: 'evil.example' })).toBe(403);
    expect((await httpGet(port, '/healthz', { host: 'evil.example' })).status).toBe(403);
    expect(await upgradeStatus(port, { host: `evil.example:${port}` })).toBe(403);
  });

  it('refuses Origin: http://evil.example with 403', async () => {
    gateway = await startTestGateway();
    const { port } = gateway.app;
    expect(await upgradeStatus(port, { origin: 'http://evil.example' })).toBe(403);
    expect(
      (await httpGet(port, '/', { host: `127.0.0.1:${port}`, origin: 'http://evil.example' }))
        .status,
    ).toBe(403);
  });

  it('refuses Origin: null with 403', async () => {
    gateway = await startTestGateway();
    expect(await upgradeStatus(gateway.app.port, { origin: 'null' })).toBe(403);
  });

  it("accepts the gateway's own origins and completes the handshake from them", async () => {
    gateway = await startTestGateway();
    const { port } = gateway.app;
    expect(await upgradeStatus(port, { origin: `http://127.0.0.1:${port}` })).toBe(101);
    expect(
      await upgradeStatus(port, { origin: `http://localhost:${port}`, host: `localhost:${port}` }),
    ).toBe(101);
    const { hello } = await connectDevice(gateway, { headers: { origin: gateway.origin } });
    expect(hello.type).toBe('hello-ok');
  });

  it('accepts configured extra hosts and origins', async () => {
    gateway = await startTestGateway({
      config: {
        gateway: {
          allowedHosts: ['agent.example.com:443'],
          controlUi: { allowedOrigins: ['https://ui.example.com'] },
        },
      },
    });
    const { port } = gateway.app;
    expect(await upgradeStatus(port, { host: 'agent.example.com:443' })).toBe(101);
    expect(await upgradeStatus(port, { origin: 'https://ui.example.com' })).toBe(101);
    expect(await upgradeStatus(port, { origin: 'https://other.example.com' })).toBe(403);
  });

  it('answers /healthz with the service name, for port-conflict detection', async () => {
    gateway = await startTestGateway();
    const { port } = gateway.app;
    const res = await httpGet(port, '/healthz', { host: `127.0.0.1:${port}` });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({
      ok: true,
      service: 'special-agent-gateway',
      port,
    });
  });
});

/** A WebSocket upgrade request head (no final blank line) with these extra header lines. */
function upgradeHead(target: string, headerLines: readonly string[]): string {
  return [
    `GET ${target} HTTP/1.1`,
    ...headerLines,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
  ].join('\r\n');
}

/** A plain GET request head with these extra header lines. */
function getHead(target: string, headerLines: readonly string[]): string {
  return [`GET ${target} HTTP/1.1`, ...headerLines, 'Connection: close'].join('\r\n');
}

describe('request line and Host header edge cases (PROTOCOL.md "Transport")', () => {
  it('answers two Host headers (allowed first, evil second) with 400, never a 101', async () => {
    gateway = await startTestGateway();
    const { port } = gateway.app;
    const hosts = [`Host: 127.0.0.1:${port}`, 'Host: evil.example'];
    const upgrade = await rawHttp(port, upgradeHead('/', hosts));
    const page = await rawHttp(port, getHead('/healthz', hosts));
    expect(upgrade.status).toBe(400);
    expect(upgrade.body).toContain('more than one Host header');
    expect(page.status).toBe(400);
    expect(page.body).toContain('more than one Host header');
  });

  it('answers two identical allowed Host headers in different letter case with 400', async () => {
    gateway = await startTestGateway();
    const { port } = gateway.app;
    const hosts = [`Host: 127.0.0.1:${port}`, `host: 127.0.0.1:${port}`];
    expect((await rawHttp(port, upgradeHead('/', hosts))).status).toBe(400);
    expect((await rawHttp(port, getHead('/healthz', hosts))).status).toBe(400);
  });

  it('refuses an absolute-form target naming another host with 403, even with an allowed Host', async () => {
    gateway = await startTestGateway();
    const { port } = gateway.app;
    const host = [`Host: 127.0.0.1:${port}`];
    const upgrade = await rawHttp(port, upgradeHead(`http://evil.example:${port}/`, host));
    const page = await rawHttp(port, getHead(`http://evil.example:${port}/healthz`, host));
    expect(upgrade.status).toBe(403);
    expect(upgrade.body).toContain(`request target host not allowed: evil.example:${port}`);
    expect(page.status).toBe(403);
    expect(page.body).toContain('request target host not allowed');
  });

  it.each([
    ['userinfo', (p: number) => `http://evil.example@127.0.0.1:${p}/`],
    ['no port', () => 'http://127.0.0.1/'],
    ['a trailing dot', (p: number) => `http://localhost.:${p}/`],
    ['an empty authority', () => 'http:///'],
  ])('refuses an absolute-form target with %s with 403', async (_name, target) => {
    gateway = await startTestGateway();
    const { port } = gateway.app;
    const host = [`Host: 127.0.0.1:${port}`];
    expect((await rawHttp(port, upgradeHead(target(port), host))).status).toBe(403);
    expect((await rawHttp(port, getHead(target(port), host))).status).toBe(403);
  });

  it.each([
    ['a ws: scheme', (p: number) => `ws://127.0.0.1:${p}/`],
    ['the asterisk form', () => '*'],
    ['a bare path without a slash', () => 'healthz'],
  ])('answers a request target with %s with 400', async (_name, target) => {
    gateway = await startTestGateway();
    const { port } = gateway.app;
    const host = [`Host: 127.0.0.1:${port}`];
    expect((await rawHttp(port, upgradeHead(target(port), host))).status).toBe(400);
    expect((await rawHttp(port, getHead(target(port), host))).status).toBe(400);
  });

  it('serves an absolute-form target whose authority is allowed like its path', async () => {
    gateway = await startTestGateway();
    const { port } = gateway.app;
    const host = [`Host: 127.0.0.1:${port}`];
    expect((await rawHttp(port, upgradeHead(`http://LOCALHOST:${port}/`, host))).status).toBe(101);
    const page = await rawHttp(port, getHead(`http://127.0.0.1:${port}/healthz?x=1`, host));
    expect(page.status).toBe(200);
    // Chunked: the raw body has chunk sizes around the JSON.
    expect(page.body).toContain('"service":"special-agent-gateway"');
  });

  it('refuses two Origin headers, even when the first is the own origin', async () => {
    gateway = await startTestGateway();
    const { port } = gateway.app;
    const lines = [
      `Host: 127.0.0.1:${port}`,
      `Origin: http://127.0.0.1:${port}`,
      'Origin: http://evil.example',
    ];
    expect([400, 403]).toContain((await rawHttp(port, upgradeHead('/', lines))).status);
    expect([400, 403]).toContain((await rawHttp(port, getHead('/healthz', lines))).status);
  });
});
