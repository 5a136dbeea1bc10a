/**
 * TLS on the gateway itself (DESIGN.md "Remote devices", PROTOCOL.md "Transport"): with
 * `gateway.tls.enabled` the one port speaks HTTPS and WSS only, clients pin its
 * self-signed certificate, and a restart keeps the certificate.
 *
 * Bound to 127.0.0.1 with TLS forced on, as a `lan` bind would have it: no test sends a
 * byte to a non-loopback address.
 */
import { X509Certificate } from 'node:crypto';
import { readFile, rm, stat } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { pinnedTlsConnect, TlsPinMismatchError } from '../../src/main/tls/pin-socket.js';
import { pinnedWebSocketOptions } from '../../src/main/tls/pinned-websocket.js';
import { GatewayClient } from '../../src/shared/gateway-client.js';
import type { StatusPayload } from '../../src/shared/protocol.js';
import { childEnv, runCli, runGateway } from '../helpers/child.js';
import { OUTCOME_WAIT_MS, within } from '../helpers/within.js';
import {
  makeTempHome,
  newIdentity,
  startTestGateway,
  TEST_CLIENT,
  writeConfig,
  type TestGateway,
} from '../helpers/gateway.js';

const OTHER_FINGERPRINT = Array.from({ length: 32 }, () => 'AB').join(':');

const gateways: TestGateway[] = [];
const homes: string[] = [];
afterEach(async () => {
  for (const gateway of gateways.splice(0)) await gateway.stop();
  for (const home of homes.splice(0)) await rm(home, { recursive: true, force: true });
});

async function tempHome(): Promise<string> {
  const home = await makeTempHome();
  homes.push(home);
  return home;
}

/** A TLS gateway in `home` (kept after stop, so a restart finds its certificate). */
async function startTls(home: string, port = 0): Promise<TestGateway> {
  await writeConfig(home, { gateway: { port, tls: { enabled: true } } });
  const gateway = await startTestGateway({ home });
  gateways.push(gateway);
  return gateway;
}

async function stopGateway(gateway: TestGateway): Promise<void> {
  gateways.splice(gateways.indexOf(gateway), 1);
  await gateway.stop();
}

const wssUrl = (gateway: TestGateway) => `wss://127.0.0.1:${gateway.app.port}/`;

/** The fingerprint as a person gets it: `special-agent gateway status --json` on this machine. */
async function fingerprintFromCli(gateway: TestGateway): Promise<string> {
  const result = await runCli(
    ['gateway', 'status', '--json'],
    childEnv(gateway.home, {
      SPECIAL_AGENT_GATEWAY_TOKEN: gateway.token,
      SPECIAL_AGENT_GATEWAY_URL: wssUrl(gateway),
    }),
  );
  expect(result.code, result.stderr).toBe(0);
  const status = JSON.parse(result.stdout) as StatusPayload;
  expect(status.tls.enabled).toBe(true);
  return status.tls.fingerprintSha256 ?? '';
}

/** A device client over `wss://` pinned to `fingerprint`; `errors` gets what the socket reported. */
async function pinnedDevice(gateway: TestGateway, fingerprint: string) {
  const errors: Error[] = [];
  let opened = false;
  const client = new GatewayClient({
    openSocket: () => {
      const ws = new WebSocket(wssUrl(gateway), {
        perMessageDeflate: false,
        ...pinnedWebSocketOptions(fingerprint),
      });
      ws.on('open', () => (opened = true));
      ws.on('error', (error) => errors.push(error));
      return ws;
    },
    identity: await newIdentity(),
    client: TEST_CLIENT,
    auth: { token: gateway.token },
  });
  return { client, errors, opened: () => opened };
}

/** Upgrade requests the gateway has seen (its debug log has one line each). */
function upgradesSeen(gateway: TestGateway): number {
  return gateway.logs.filter((line) => line.includes('upgrade request from')).length;
}

/** Writes a plain HTTP request to `port`; resolves with every byte that came back, once closed. */
function plainHttp(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(received));
    socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
  });
}

/** GET `path` over HTTPS pinned to `fingerprint`, with extra headers. */
function pinnedGet(
  port: number,
  path: string,
  fingerprint: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        headers,
        createConnection: pinnedTlsConnect(fingerprint) as never,
      },
      (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
        );
      },
    );
    request.on('error', reject);
    request.end();
  });
}

describe('a gateway with TLS on', () => {
  it('completes hello-ok for a client pinned to the fingerprint that gateway status --json shows', async () => {
    const gateway = await startTls(await tempHome());
    const fingerprint = await fingerprintFromCli(gateway);
    expect(fingerprint).toBe(gateway.app.tls.fingerprintSha256);

    const { client } = await pinnedDevice(gateway, fingerprint);
    const hello = await within(OUTCOME_WAIT_MS, client.connect(), 'hello-ok over wss');
    client.close();

    expect(hello.type).toBe('hello-ok');
    expect(gateway.app.url).toBe(`https://127.0.0.1:${gateway.app.port}/`);
  });

  it('refuses a client pinned to another fingerprint before it sends an upgrade request', async () => {
    const gateway = await startTls(await tempHome());
    const before = upgradesSeen(gateway);

    const refused = await pinnedDevice(gateway, OTHER_FINGERPRINT);
    const failure = await within(
      OUTCOME_WAIT_MS,
      refused.client.connect().then(
        () => 'connected',
        (error: Error) => error,
      ),
      'the mispinned connect to fail',
    );
    expect(failure).not.toBe('connected');
    expect(refused.opened()).toBe(false);
    expect(refused.errors[0]).toBeInstanceOf(TlsPinMismatchError);
    expect(refused.errors[0]?.message).toContain(gateway.app.tls.fingerprintSha256);
    expect(refused.errors[0]?.message).toContain(OTHER_FINGERPRINT);

    // A rightly pinned client afterwards is the one upgrade the gateway saw.
    const { client } = await pinnedDevice(gateway, gateway.app.tls.fingerprintSha256 ?? '');
    await within(OUTCOME_WAIT_MS, client.connect(), 'hello-ok of the rightly pinned client');
    client.close();
    expect(upgradesSeen(gateway) - before).toBe(1);
  });

  it('gives a plain http:// request no Control UI, only a closed connection', async () => {
    const gateway = await startTls(await tempHome());
    const received = await within(
      OUTCOME_WAIT_MS,
      plainHttp(gateway.app.port),
      'the plain request to end',
    );
    expect(received).not.toContain('HTTP/1.1');
    expect(received.toLowerCase()).not.toContain('<html');
  });

  it('shows the fingerprint on /healthz and in status, and takes its own https:// origin', async () => {
    const gateway = await startTls(await tempHome());
    const { port, tls } = gateway.app;
    const fingerprint = tls.fingerprintSha256 ?? '';
    expect(fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(tls.expiresAtMs).toBeGreaterThan(Date.now());

    const health = await pinnedGet(port, '/healthz', fingerprint);
    expect(JSON.parse(health.body)).toMatchObject({
      tls: { enabled: true, fingerprintSha256: fingerprint },
    });

    const ownOrigin = await pinnedGet(port, '/', fingerprint, {
      origin: `https://127.0.0.1:${port}`,
    });
    expect(ownOrigin.status).not.toBe(403);
    expect(String(ownOrigin.headers['content-security-policy'])).toContain(
      `connect-src 'self' wss://127.0.0.1:${port}`,
    );
    const plainOrigin = await pinnedGet(port, '/', fingerprint, {
      origin: `http://127.0.0.1:${port}`,
    });
    expect(plainOrigin.status).toBe(403);
  });

  it('names the listen address and localhost in a 0600 certificate that a restart keeps', async () => {
    const home = await tempHome();
    const first = await startTls(home);
    const fingerprint = first.app.tls.fingerprintSha256;
    const port = first.app.port;
    await stopGateway(first);

    const pemPath = join(home, 'tls', 'gateway.pem');
    expect((await stat(pemPath)).mode & 0o777).toBe(0o600);
    const certificate = new X509Certificate(await readFile(pemPath, 'utf8'));
    expect(certificate.fingerprint256).toBe(fingerprint);
    const names = (certificate.subjectAltName ?? '').split(', ');
    expect(names).toEqual(expect.arrayContaining(['IP Address:127.0.0.1', 'DNS:localhost']));

    const second = await startTls(home, port);
    expect(second.app.tls.fingerprintSha256).toBe(fingerprint);
  });

  it('has TLS off, and says so in status, on a loopback bind by default', async () => {
    const gateway = await startTestGateway();
    gateways.push(gateway);
    expect(gateway.app.tls).toEqual({ enabled: false });
    expect(gateway.app.url).toMatch(/^http:\/\//);
  });
});

describe('a user certificate that cannot serve', () => {
  it('stops the gateway with exit 78 naming the missing certificate file', async () => {
    const home = await tempHome();
    const certPath = join(home, 'no-such-cert.pem');
    await writeConfig(home, {
      gateway: { tls: { enabled: true, certPath, keyPath: join(home, 'no-such-key.pem') } },
    });
    const result = await runGateway(
      childEnv(home, { SPECIAL_AGENT_GATEWAY_TOKEN: 'tls-test-token-0123456789' }),
    ).exited;
    expect(result.code).toBe(78);
    expect(result.stderr).toContain(certPath);
    expect(result.stderr).toContain('gateway.tls.certPath');
    expect(result.stdout).not.toContain('listening');
  });

  it('refuses a certificate path given without its key, naming gateway.tls.keyPath', async () => {
    const home = await tempHome();
    await writeConfig(home, { gateway: { tls: { certPath: '/etc/ssl/gateway.pem' } } });
    const result = await runGateway(
      childEnv(home, { SPECIAL_AGENT_GATEWAY_TOKEN: 'tls-test-token-0123456789' }),
    ).exited;
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('gateway.tls.keyPath');
  });
});
