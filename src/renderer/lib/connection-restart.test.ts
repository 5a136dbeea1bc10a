/**
 * The Control UI's connection across a gateway restart: a real gateway on 127.0.0.1:0
 * behind a small `ws` relay, which plays the restart's end as PROTOCOL.md has it (a
 * `shutdown` event with `restartExpectedMs`, then close 1012) without stopping the
 * gateway, so the test sees when the connection plans its first attempt back.
 */
import WebSocket, { WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../../test/helpers/gateway.js';
import { newIdentity } from '../../../test/helpers/gateway.js';
import { OUTCOME_WAIT_MS, within } from '../../../test/helpers/within.js';
import { CLOSE } from '../../shared/protocol.js';
import { Backoff } from './backoff.js';
import type { ConnectionSnapshot } from './connection-state.js';
import { UiGatewayConnection } from './connection.js';
import { SessionSecrets } from './session-secrets.js';
import type { KeyValueStore } from './session-secrets.js';

let gateway: TestGateway | undefined;
let relay: WebSocketServer | undefined;
const connections: UiGatewayConnection[] = [];
afterEach(async () => {
  for (const connection of connections.splice(0)) connection.stop();
  await new Promise((done) => (relay ? relay.close(done) : done(undefined)));
  relay = undefined;
  await gateway?.stop();
  gateway = undefined;
});

function memoryStore(): KeyValueStore {
  const data = new Map<string, string>();
  return {
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

/** Relays every frame between the UI and `upstream`; `end(payload)` plays a shutdown. */
async function startRelay(upstream: string) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  relay = server;
  await new Promise((done) => server.once('listening', done));
  const clients = new Set<WebSocket>();
  server.on('connection', (client) => {
    clients.add(client);
    // Text stays text: the gateway refuses binary frames.
    const queued: WebSocket.RawData[] = [];
    const gatewaySide = new WebSocket(upstream, { perMessageDeflate: false });
    gatewaySide.on('open', () =>
      queued.splice(0).forEach((data) => gatewaySide.send(data, { binary: false })),
    );
    gatewaySide.on('message', (data, isBinary) => client.send(data, { binary: isBinary }));
    gatewaySide.on('close', () => client.close());
    client.on('message', (data, isBinary) => {
      if (gatewaySide.readyState === WebSocket.OPEN) gatewaySide.send(data, { binary: isBinary });
      else queued.push(data);
    });
    client.on('close', () => {
      clients.delete(client);
      gatewaySide.close();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the relay has no port');
  return {
    url: `ws://127.0.0.1:${address.port}/`,
    end: (payload: Record<string, unknown>) => {
      for (const client of clients) {
        client.send(JSON.stringify({ type: 'event', event: 'shutdown', payload }));
        client.close(CLOSE.serviceRestart, 'service restart');
      }
    },
  };
}

async function connectedThroughRelay() {
  gateway = await startTestGateway();
  const through = await startRelay(gateway.wsUrl);
  const identity = await newIdentity();
  const secrets = new SessionSecrets({
    session: memoryStore(),
    local: memoryStore(),
    origin: gateway.origin,
  });
  secrets.token = gateway.token;
  const scheduled: number[] = [];
  const connection = new UiGatewayConnection({
    openSocket: () => new WebSocket(through.url, { perMessageDeflate: false }),
    identity: () => Promise.resolve(identity),
    secrets,
    client: { id: 'special-agent-control-ui', version: '0.0.0', platform: 'test', mode: 'ui' },
    // No jitter: the usual first delay is exactly 500 ms.
    backoff: new Backoff({}, () => 0),
    now: () => Date.now(),
    // No retry ever runs: the test sees that one was scheduled, and when.
    timers: { set: (_fn, ms) => scheduled.push(ms), clear: () => undefined },
  });
  connections.push(connection);
  connection.start();
  await until(connection, (state) => state.phase === 'connected', 'the first connect');
  return { connection, scheduled, end: through.end };
}

function until(
  connection: UiGatewayConnection,
  done: (state: ConnectionSnapshot) => boolean,
  what: string,
): Promise<ConnectionSnapshot> {
  return within(
    OUTCOME_WAIT_MS,
    new Promise<ConnectionSnapshot>((resolve) => {
      const check = () => {
        const state = connection.getSnapshot();
        if (done(state)) resolve(state);
      };
      connection.subscribe(check);
      check();
    }),
    what,
  );
}

describe('UiGatewayConnection across a gateway restart', () => {
  it('waits the restartExpectedMs the gateway announced before its first attempt back', async () => {
    const { connection, scheduled, end } = await connectedThroughRelay();
    end({ reason: 'restart', restartExpectedMs: 1500 });
    const state = await until(
      connection,
      (snapshot) => snapshot.phase === 'reconnecting',
      'the close after the shutdown event',
    );
    expect(scheduled).toEqual([1500]);
    expect(state.restartExpectedMs).toBe(1500);
    expect(state.stopped).toBe(true);
  });

  it('after a plain stop (no restartExpectedMs) it retries on the usual backoff', async () => {
    const { connection, scheduled, end } = await connectedThroughRelay();
    end({ reason: 'gateway stopping' });
    const state = await until(
      connection,
      (snapshot) => snapshot.phase === 'reconnecting',
      'the close after the shutdown event',
    );
    expect(scheduled).toEqual([500]);
    expect(state.restartExpectedMs).toBeUndefined();
  });

  it('tells request watchers about each request it sends (chat.abort marks a stopped answer)', async () => {
    const { connection } = await connectedThroughRelay();
    const seen: [string, unknown][] = [];
    const off = connection.onRequest((method, params) => seen.push([method, params]));
    await connection.request('status');
    off();
    await connection.request('status');
    expect(seen).toEqual([['status', undefined]]);
  });
});
