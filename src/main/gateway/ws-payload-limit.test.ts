/**
 * ws-payload-limit.ts reaches into ws internals; these cases fail when a ws upgrade moves
 * them, instead of the pre-auth limit silently staying at 64 KiB or at 1 MiB.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { OUTCOME_WAIT_MS, within as withinMs } from '../../../test/helpers/within.js';
import { onPayloadTooLarge, setMaxPayload } from './ws-payload-limit.js';

const within = <T>(promise: Promise<T>, what: string) => withinMs(OUTCOME_WAIT_MS, promise, what);

const SMALL = 1024;
const LARGE = 64 * 1024;

let server: WebSocketServer | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A ws server at `SMALL` and one client; `setup` runs on the server's socket. */
async function pair(setup: (ws: WebSocket) => void) {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: SMALL });
  const listening = server;
  await new Promise((resolve) => listening.once('listening', resolve));
  const serverSide = new Promise<WebSocket>((resolve, reject) =>
    listening.once('connection', (ws) => {
      ws.on('error', () => undefined);
      try {
        setup(ws);
        resolve(ws);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    }),
  );
  const { port } = listening.address() as AddressInfo;
  const client = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
  await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    client.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return { client, serverSide: await within(serverSide, 'server-side socket'), closed };
}

describe('setMaxPayload', () => {
  it('lets a socket upgraded at a small limit receive a frame up to the raised one', async () => {
    const { client, serverSide, closed } = await pair((ws) => setMaxPayload(ws, LARGE));
    const received = new Promise<{ received: number }>((resolve) =>
      serverSide.once('message', (data: Buffer) => resolve({ received: data.length })),
    );
    client.send('x'.repeat(LARGE));
    const outcome = await within(
      Promise.race([received, closed.then(({ code }) => ({ closed: code }))]),
      'message or close',
    );
    expect(outcome).toEqual({ received: LARGE });
    client.close();
  });

  it('closes 1009 past the raised limit', async () => {
    const { client, closed } = await pair((ws) => setMaxPayload(ws, LARGE));
    client.send('x'.repeat(LARGE + 1));
    expect((await within(closed, 'close')).code).toBe(1009);
  });
});

describe('onPayloadTooLarge', () => {
  it('runs before ws closes by itself, so its close reason is the one sent', async () => {
    const { client, closed } = await pair((ws) => {
      onPayloadTooLarge(ws, () => ws.close(1009, 'preauth payload too large'));
    });
    client.send('x'.repeat(SMALL + 1));
    expect(await within(closed, 'close')).toEqual({
      code: 1009,
      reason: 'preauth payload too large',
    });
  });

  it('is not called for a frame within the limit', async () => {
    let calls = 0;
    const { client, serverSide } = await pair((ws) => onPayloadTooLarge(ws, () => (calls += 1)));
    const received = new Promise((resolve) => serverSide.once('message', resolve));
    client.send('x'.repeat(SMALL));
    await within(received, 'message');
    expect(calls).toBe(0);
    client.close();
  });
});
