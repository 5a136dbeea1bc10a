/**
 * Flooding: pairing requests past the per-address and global caps, 500 simultaneous
 * unauthenticated sockets, and a slowloris on the HTTP side. The pre-paired device keeps
 * connecting in under 1 s while each flood is going on.
 */
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { GatewayClientError } from '../../src/shared/gateway-client.js';
import { newIdentity, type RawSocket } from '../helpers/gateway.js';
import type { GuardedGateway } from './guarded-gateway.js';
import { OUTCOME_WAIT_MS, within } from '../helpers/within.js';
import { guardedGateways, rawHttp } from './support.js';

const PROXY = '127.0.0.2';
const start = guardedGateways();

/** A fresh remote device asking to pair from `ip` (through the trusted proxy). */
async function pairingAttempt(g: GuardedGateway, ip: string) {
  const client = g.guard.client({
    identity: await newIdentity(),
    auth: g.sharedAuth,
    localAddress: PROXY,
    headers: { 'x-forwarded-for': ip },
  });
  const error = await client.connect().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GatewayClientError);
  return error as GatewayClientError;
}

describe('pairing request floods', () => {
  it('keeps 3 requests from one address and refuses the other 17 with retryAfterMs', async () => {
    const g = await start({ config: { gateway: { trustedProxies: [PROXY] } } });
    const codes: string[] = [];
    for (let i = 0; i < 20; i++) {
      const error = await pairingAttempt(g, '203.0.113.5');
      codes.push(error.detailCode);
      if (error.detailCode === 'PAIRING_LIMIT_REACHED')
        expect(error.retryAfterMs).toBeGreaterThan(0);
    }
    expect(codes.filter((c) => c === 'PAIRING_REQUIRED')).toHaveLength(3);
    expect(codes.filter((c) => c === 'PAIRING_LIMIT_REACHED')).toHaveLength(17);
    expect(g.gateway.app.pairing.list().pending).toHaveLength(3);
    await g.guard.check({ allowChanged: ['pairing-store'] });
  });

  it('caps pending requests at 32 overall, across addresses', async () => {
    const g = await start({ config: { gateway: { trustedProxies: [PROXY] } } });
    for (let i = 1; i <= 32; i++)
      expect((await pairingAttempt(g, `198.51.100.${i}`)).detailCode).toBe('PAIRING_REQUIRED');
    const over = await pairingAttempt(g, '198.51.100.200');
    expect(over.detailCode).toBe('PAIRING_LIMIT_REACHED');
    expect(over.closeReason).toBe('pairing request limit reached');
    expect(over.retryAfterMs).toBeGreaterThan(0);
    await g.guard.prePairedConnectMs();
    expect(g.gateway.app.pairing.list().pending).toHaveLength(32);
    await g.guard.check({ allowChanged: ['pairing-store'] });
  });
});

describe('connection floods', () => {
  it('serves the pre-paired device while 500 unauthenticated sockets sit open', async () => {
    const g = await start();
    const sockets: RawSocket[] = [];
    // 20 loopback addresses with 25 each: one address may hold only 32 (below).
    for (let i = 0; i < 500; i++) {
      sockets.push(g.guard.raw({ localAddress: `127.0.1.${Math.floor(i / 25) + 1}` }));
    }
    await Promise.all(sockets.map((socket) => socket.challengeNonce()));
    await g.guard.prePairedConnectMs();
    for (const socket of sockets) socket.ws.close();
    await Promise.all(sockets.map((socket) => socket.closed));
    await g.guard.check();
  }, 60_000);
});

/** An upgrade from `ip` through the trusted proxy; resolves with the HTTP answer. */
function upgradeThroughProxy(port: number, ip: string) {
  return upgradeFrom(port, PROXY, [`X-Forwarded-For: ${ip}`]);
}

/** An upgrade from the loopback address `localAddress`; resolves with the HTTP answer. */
function upgradeFrom(port: number, localAddress: string, extraHeaders: string[] = []) {
  const head = [
    'GET / HTTP/1.1',
    `Host: 127.0.0.1:${port}`,
    ...extraHeaders,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
  ].join('\r\n');
  return rawHttp(port, head, { localAddress });
}

/** A TCP connection from `localAddress` that sends nothing; resolves once it is open. */
function idleSocket(port: number, localAddress: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: '127.0.0.1', port, localAddress }, () => resolve(socket));
    socket.once('error', reject);
  });
}

const closed = (socket: Socket) =>
  new Promise<void>((resolve) => {
    if (socket.destroyed) return resolve();
    socket.once('close', () => resolve());
    socket.destroy();
  });

describe('unauthenticated sockets per address', () => {
  const LIMIT = 32;

  it('refuses the 33rd unauthenticated socket from one address with 503, and only from it', async () => {
    const g = await start({ config: { gateway: { trustedProxies: [PROXY] } } });
    const { port } = g.gateway.app;
    const attacker = '203.0.113.7';
    const open = (ip: string) =>
      g.guard.raw({ localAddress: PROXY, headers: { 'x-forwarded-for': ip } });
    const sockets: RawSocket[] = [];
    for (let i = 0; i < LIMIT; i++) sockets.push(open(attacker));
    await within(
      OUTCOME_WAIT_MS,
      Promise.all(sockets.map((socket) => socket.challengeNonce())),
      `connect challenges on ${LIMIT} sockets`,
    );

    const refused = await upgradeThroughProxy(port, attacker);
    g.guard.record(refused.head + refused.body);
    expect(refused.status).toBe(503);
    expect(refused.body).toBe('too many unauthenticated connections from this address\n');
    // Another address behind the same proxy is not affected.
    expect((await upgradeThroughProxy(port, '203.0.113.8')).status).toBe(101);
    await g.guard.prePairedConnectMs();

    // Two hang up: their address may open sockets again.
    for (const socket of sockets.splice(0, 2)) socket.ws.close();
    await expect
      .poll(async () => (await upgradeThroughProxy(port, attacker)).status, { timeout: 5000 })
      .toBe(101);

    for (const socket of sockets) socket.ws.close();
    await Promise.all(sockets.map((socket) => socket.closed));
    await g.guard.check();
  });
  it('holds a loopback address to the same limit, and only that address', async () => {
    const g = await start();
    const { port } = g.gateway.app;
    const local = '127.0.0.3';
    const sockets: RawSocket[] = [];
    for (let i = 0; i < LIMIT; i++) sockets.push(g.guard.raw({ localAddress: local }));
    await within(
      OUTCOME_WAIT_MS,
      Promise.all(sockets.map((socket) => socket.challengeNonce())),
      `connect challenges on ${LIMIT} loopback sockets`,
    );
    const refused = await upgradeFrom(port, local);
    g.guard.record(refused.head + refused.body);
    expect(refused.status, 'the 33rd upgrade from one loopback address').toBe(503);
    expect(refused.body).toBe('too many unauthenticated connections from this address\n');
    expect((await upgradeFrom(port, '127.0.0.4')).status, 'another loopback address').toBe(101);
    for (const socket of sockets) socket.ws.close();
    await Promise.all(sockets.map((socket) => socket.closed));
    await g.guard.check();
  });

  it('counts sockets that have not upgraded yet', async () => {
    const g = await start();
    const { port } = g.gateway.app;
    const local = '127.0.0.5';
    const idle = await within(
      OUTCOME_WAIT_MS,
      Promise.all(Array.from({ length: LIMIT }, () => idleSocket(port, local))),
      `${LIMIT} idle TCP connections`,
    );
    // The upgrade's own socket is the 33rd unauthenticated one of its address.
    expect((await upgradeFrom(port, local)).status, `an upgrade beside ${LIMIT} idle sockets`).toBe(
      503,
    );
    await Promise.all(idle.splice(0, 2).map(closed));
    await expect
      .poll(async () => (await upgradeFrom(port, local)).status, { timeout: 5000 })
      .toBe(101);
    await Promise.all(idle.map(closed));
    await g.guard.check();
  });

  it('stops counting a socket once it is admitted (hello-ok)', async () => {
    const g = await start({
      config: { gateway: { trustedProxies: [PROXY] } },
      limits: { maxUnauthenticatedPerAddress: 2 },
    });
    const ip = '203.0.113.9';
    const headers = { 'x-forwarded-for': ip };
    const { identity, deviceToken } = g.guard.prePaired;
    const admitted = g.guard.client({
      identity,
      auth: { deviceToken },
      localAddress: PROXY,
      headers,
    });
    await admitted.connect();
    const waiting = [1, 2].map(() => g.guard.raw({ localAddress: PROXY, headers }));
    // Rejects (403/503 on the upgrade) if the admitted socket were still counted.
    await within(
      OUTCOME_WAIT_MS,
      Promise.all(waiting.map((socket) => Promise.all([socket.opened, socket.challengeNonce()]))),
      'connect challenges on both waiting sockets',
    );
    // Two sockets wait for their connect: the admitted one left the count at hello-ok.
    expect((await upgradeThroughProxy(g.gateway.app.port, ip)).status).toBe(503);
    admitted.close();
    await admitted.closed();
    for (const socket of waiting) socket.ws.close();
    await Promise.all(waiting.map((socket) => socket.closed));
    await g.guard.check();
  });
});

describe('slowloris', () => {
  it('cuts a request whose headers trickle in one byte at a time at headersTimeout', async () => {
    const g = await start({ limits: { headersTimeoutMs: 1000, requestTimeoutMs: 2000 } });
    const { port } = g.gateway.app;
    const socket = tcpConnect({ host: '127.0.0.1', port });
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `);
    // Trickle for up to 20 s, far past the 1 s limit; the server must hang up first.
    let bytesSent = 0;
    const trickle = setInterval(() => {
      if (socket.writable) socket.write('a');
      bytesSent += 1;
    }, 100);
    const deadline = new Promise<'still open'>((resolve) =>
      setTimeout(() => resolve('still open'), 20_000),
    );
    const outcome = await Promise.race([
      closed.then(() => 'closed by the server' as const),
      deadline,
    ]);
    clearInterval(trickle);
    socket.destroy();
    g.guard.record(received);
    expect(outcome).toBe('closed by the server');
    expect(bytesSent).toBeLessThan(200);
    await g.guard.check();
  }, 30_000);
});
