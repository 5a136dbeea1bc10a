import { once } from 'node:events';
import type { ClientRequestArgs } from 'node:http';
import { createServer, get, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { connect } from 'node:tls';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { systemClock } from '../util/clock.js';
import { ensureGatewayCertificate, type EnsuredGatewayCertificate } from './gateway-certificate.js';
import {
  pinnedConnectionOptions,
  pinnedTlsConnect,
  pinTlsSocket,
  TlsPinMismatchError,
} from './pin-socket.js';
import { tempHome, within } from './test-fixtures/support.js';

let home: Awaited<ReturnType<typeof tempHome>>;
let gateway: EnsuredGatewayCertificate;
let server: Server;
let port: number;
let requests = 0;
let upgrades = 0;
const webSockets = new WebSocketServer({ noServer: true });
const OTHER_PIN =
  '9A:23:32:45:66:07:32:7A:2A:67:4F:C5:28:A6:1D:E0:9E:58:E7:5F:54:4B:FB:92:21:7B:79:73:B1:FD:B6:47';

beforeAll(async () => {
  home = await tempHome();
  gateway = await ensureGatewayCertificate({
    home: home.path,
    addresses: ['127.0.0.1'],
    clock: systemClock,
  });
  server = createServer({ cert: gateway.cert, key: gateway.key }, (_request, response) => {
    requests += 1;
    response.end('hello from the gateway');
  });
  server.on('upgrade', (request, socket, head) => {
    upgrades += 1;
    webSockets.handleUpgrade(request, socket, head, (ws) => ws.send('hello over wss'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const client of webSockets.clients) client.terminate();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await home.remove();
});
beforeEach(() => {
  requests = 0;
  upgrades = 0;
});

/** Resolves when the server's side of its next TCP connection has closed. */
function nextServerConnectionClosed(): Promise<void> {
  return new Promise((resolve) => {
    server.once('connection', (socket: Socket) => socket.once('close', () => resolve()));
  });
}

/** GET / over a fresh connection pinned to `pin`; the body, or the error that ended it. */
function pinnedGet(pin: string): Promise<string> {
  const createConnection = pinnedTlsConnect(pin) as ClientRequestArgs['createConnection'];
  return new Promise((resolve, reject) => {
    const request = get({ host: '127.0.0.1', port, path: '/', createConnection }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(body));
    });
    request.on('error', reject);
  });
}

/** A `wss://` client pinned to `pin`: its first message, or the error that ended it. */
function pinnedWebSocket(pin: string): Promise<string> {
  const createConnection = pinnedTlsConnect(
    pin,
  ) as unknown as WebSocket.ClientOptions['createConnection'];
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${port}/`, { createConnection });
    ws.once('message', (data: Buffer) => {
      resolve(data.toString());
      ws.close();
    });
    ws.once('error', reject);
  });
}

describe('pinning the gateway certificate', () => {
  it('a client pinned to the gateway fingerprint gets its HTTPS response, however the pin is written', async () => {
    const bare = gateway.fingerprintSha256.replace(/:/g, '').toLowerCase();

    expect(await within(pinnedGet(gateway.fingerprintSha256), 'the pinned GET')).toBe(
      'hello from the gateway',
    );
    expect(await within(pinnedGet(bare), 'the pinned GET (bare pin)')).toBe(
      'hello from the gateway',
    );
    expect(requests).toBe(2);
  });

  it('a wss:// client opens when pinned to the gateway and is refused before its upgrade request when not', async () => {
    expect(await within(pinnedWebSocket(gateway.fingerprintSha256), 'the pinned WebSocket')).toBe(
      'hello over wss',
    );
    expect(upgrades).toBe(1);

    const serverSide = nextServerConnectionClosed();
    const error: unknown = await within(
      pinnedWebSocket(OTHER_PIN).catch((caught: unknown) => caught),
      'the refused WebSocket to fail',
    );
    await within(serverSide, 'the server side of the refused WebSocket to close');

    expect(error).toBeInstanceOf(TlsPinMismatchError);
    expect(upgrades).toBe(1);
  });

  it('a client pinned to another fingerprint is refused before the server receives its request', async () => {
    const serverSide = nextServerConnectionClosed();

    const error: unknown = await within(
      pinnedGet(OTHER_PIN).catch((caught: unknown) => caught),
      'the refused GET to fail',
    );
    await within(serverSide, 'the server side of the refused connection to close');

    expect(error).toBeInstanceOf(TlsPinMismatchError);
    expect((error as Error).message).toContain(gateway.fingerprintSha256);
    expect((error as Error).message).toContain(OTHER_PIN);
    expect(requests).toBe(0);
  });

  it('bytes written before the handshake ends never reach a server whose certificate is not the pinned one', async () => {
    const serverSide = nextServerConnectionClosed();
    const socket = connect({ host: '127.0.0.1', port, ...pinnedConnectionOptions() });
    pinTlsSocket(socket, OTHER_PIN);
    socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));

    const [error] = (await within(once(socket, 'error'), 'the pinned socket to fail')) as [Error];
    await within(serverSide, 'the server side of the refused connection to close');

    expect(error).toBeInstanceOf(TlsPinMismatchError);
    expect(requests).toBe(0);
    expect(received).toBe('');
  });

  it('an unreadable pin is refused at once rather than connecting unchecked', () => {
    const socket = connect({ host: '127.0.0.1', port, ...pinnedConnectionOptions() });
    try {
      expect(() => pinTlsSocket(socket, 'AB:CD')).toThrow('"AB:CD" is not a SHA-256 fingerprint');
      expect(() => pinnedTlsConnect('AB:CD')).toThrow('"AB:CD" is not a SHA-256 fingerprint');
    } finally {
      socket.destroy();
    }
  });
});
