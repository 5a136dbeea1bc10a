/**
 * Where a handshake's signature is verified: on the event loop only when no other socket
 * is between its upgrade and hello-ok (a lone connect, where the thread-pool hop costs more
 * than the verify); in the thread pool whenever another handshake is under way, so a
 * connect storm never blocks the loop. Real sockets; the authenticator records the choice
 * and admits.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ClientAddressResolver } from '../auth/client-address.js';
import { RequestGates } from '../auth/request-gates.js';
import { createLogger } from '../util/logger.js';
import { systemClock } from '../util/clock.js';
import type { PairedDevice } from '../pairing/types.js';
import { DEFAULT_LIMITS } from './limits.js';
import { GatewayServer } from './gateway-server.js';
import { MethodRouter } from './router.js';

const DEVICE: PairedDevice = {
  deviceId: 'a'.repeat(64),
  publicKey: 'k',
  clientId: 'test',
  roles: ['operator'],
  scopes: ['operator.read'],
  createdAtMs: 1,
  approvedAtMs: 1,
  approvedBy: 'operator',
  tokens: [],
};
const ADMISSION = {
  device: DEVICE,
  role: 'operator',
  scopes: ['operator.read'],
  authMethod: 'shared' as const,
};

const servers: GatewayServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

async function start() {
  const choices: (boolean | undefined)[] = [];
  const logger = createLogger({ level: 'error', write: () => undefined });
  const gates = new RequestGates({
    port: 0,
    listenAddresses: ['127.0.0.1'],
    allowedHosts: [],
    allowedOrigins: [],
  });
  const server = new GatewayServer({
    limits: DEFAULT_LIMITS,
    version: '0.0.0',
    clock: systemClock,
    logger,
    gates,
    addresses: new ClientAddressResolver({ trustedProxies: [], logger }),
    // Records the choice and admits: an admitted socket is no longer handshaking.
    authenticator: {
      authenticate: (_params, _nonce, _peer, options) => {
        choices.push(options?.verifyOnEventLoop);
        return Promise.resolve(ADMISSION);
      },
    },
    router: new MethodRouter({ logger, maxForbiddenCalls: 10 }),
    authMode: () => 'token',
  });
  servers.push(server);
  const port = await server.listen('127.0.0.1', 0);
  gates.update({ port, listenAddresses: ['127.0.0.1'], allowedHosts: [], allowedOrigins: [] });
  return { url: `ws://127.0.0.1:${port}/`, choices };
}

/** An upgraded socket that has received its challenge. */
async function challenged(url: string) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise((resolve) => ws.once('message', resolve));
  return ws;
}

/** Sends a well-formed connect and resolves with the gateway's answer (hello-ok). */
async function connect(ws: WebSocket) {
  const answered = new Promise((resolve) => ws.once('message', resolve));
  ws.send(
    JSON.stringify({
      type: 'req',
      id: 'c',
      method: 'connect',
      params: {
        minProtocol: 3,
        maxProtocol: 3,
        client: { id: 'test', version: '0', platform: 'linux', mode: 'test' },
        device: { id: 'a'.repeat(64), publicKey: 'k', signature: 's', signedAt: 1, nonce: 'n' },
      },
    }),
  );
  await answered;
}

describe('where a handshake verifies its signature', () => {
  it('on the event loop when it is the only handshake, in the thread pool beside another', async () => {
    const { url, choices } = await start();
    const sockets = [await challenged(url)];
    await connect(sockets[0]!);
    sockets.push(await challenged(url), await challenged(url));
    await connect(sockets[2]!);
    expect(choices, 'alone, then beside a socket still waiting for its connect').toEqual([
      true,
      false,
    ]);
    await connect(sockets[1]!);
    expect(choices.at(-1), 'the waiting one, once the others are admitted').toBe(true);
    for (const ws of sockets) ws.close();
  });
});
