import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connectDevice, startTestGateway, type TestGateway } from '../helpers/gateway.js';

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

function httpGet(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
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
    expect((await httpGet(port, '/', { host: `127.0.0.1:${port}`, origin: 'http://evil.example' })).status).toBe(403);
  });

  it('refuses Origin: null with 403', async () => {
    gateway = await startTestGateway();
    expect(await upgradeStatus(gateway.app.port, { origin: 'null' })).toBe(403);
  });

  it("accepts the gateway's own origins and completes the handshake from them", async () => {
    gateway = await startTestGateway();
    const { port } = gateway.app;
    expect(await upgradeStatus(port, { origin: `http://127.0.0.1:${port}` })).toBe(101);
    expect(await upgradeStatus(port, { origin: `http://localhost:${port}`, host: `localhost:${port}` })).toBe(101);
    const { hello } = await connectDevice(gateway, { headers: { origin: gateway.origin } });
    expect(hello.type).toBe('hello-ok');
  });

  it('accepts configured extra hosts and origins', async () => {
    gateway = await startTestGateway({
      config: { gateway: { allowedHosts: ['agent.example.com:443'], controlUi: { allowedOrigins: ['https://ui.example.com'] } } },
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
    expect(JSON.parse(res.body)).toMatchObject({ ok: true, service: 'special-agent-gateway', port });
  });
});
