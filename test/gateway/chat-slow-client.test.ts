/**
 * A client that stops reading while a long reply streams: it gets the whole reply once it
 * reads again, and one that takes nothing for `stalledClientMs` is closed 1008 `slow
 * consumer`. That the run stops reading its provider meanwhile is proven where the kernel's
 * socket buffers cannot hide it: src/main/agents/chat-backpressure.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  startFakeProvider,
  type FakeProvider,
} from '../../src/main/providers/fake-provider.test-support.js';
import { GatewayClient } from '../../src/shared/gateway-client.js';
import type { ChatEvent } from '../../src/shared/protocol.js';
import {
  newIdentity,
  startTestGateway,
  TEST_CLIENT,
  type TestGateway,
} from '../helpers/gateway.js';
import { OUTCOME_WAIT_MS, within } from '../helpers/within.js';

let gateway: TestGateway | undefined;
let provider: FakeProvider | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
  await provider?.close();
  provider = undefined;
});

/** 6 MiB of reply: more than the kernel's socket buffers hold for a client that reads nothing. */
const DELTAS = Array.from(
  { length: 600 },
  (_, i) => `${String(i).padStart(4, '0')}${'x'.repeat(10_236)}`,
);

async function start(stalledClientMs: number, maxBufferedBytes = 64 * 1024 * 1024) {
  provider = await startFakeProvider('openai', {
    deltas: DELTAS,
    chunkBytes: 64 * 1024,
    pauseMs: 0,
  });
  gateway = await startTestGateway({
    config: {
      models: { providers: { local: { type: 'openai', baseUrl: provider.baseUrl } } },
      agents: { list: [{ id: 'main', model: { provider: 'local', name: 'm' } }] },
    },
    limits: { stalledClientMs, maxBufferedBytes },
  });
  let socket!: WebSocket;
  const client = new GatewayClient({
    openSocket: () => (socket = new WebSocket(gateway!.wsUrl, { perMessageDeflate: false })),
    identity: await newIdentity(),
    client: TEST_CLIENT,
    auth: { token: gateway.token },
  });
  await client.connect();
  const events: ChatEvent[] = [];
  client.on('chat', (payload) => events.push(payload as ChatEvent));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return { client, socket, events, closed };
}

describe('a chat client that keeps reading', () => {
  it('gets a reply whose final event is larger than maxBufferedBytes, and stays connected', async () => {
    const { client, events, closed } = await start(30_000, 256 * 1024);
    let closedWith: { code: number; reason: string } | undefined;
    void closed.then((how) => (closedWith = how));
    await client.request('chat.send', { message: 'hi' });
    await expect
      .poll(() => events.at(-1)?.state, { timeout: OUTCOME_WAIT_MS, message: 'the last event' })
      .toBe('final');
    expect(events.at(-1)).toMatchObject({ state: 'final', text: DELTAS.join('') });
    await client.request('status');
    expect(closedWith, 'how the connection closed after the final event').toBeUndefined();
    client.close();
  });
});

describe('a chat client that stops reading', () => {
  it('gets the whole reply once it reads again', async () => {
    const { client, socket, events } = await start(30_000);
    const answer = client.request<{ runId: string }>('chat.send', { message: 'hi' });
    socket.pause();
    await new Promise((resolve) => setTimeout(resolve, 300));
    socket.resume();
    await answer;
    await expect
      .poll(() => events.at(-1)?.state, { timeout: OUTCOME_WAIT_MS, message: 'the final event' })
      .toBe('final');
    expect(events.at(-1)).toMatchObject({ state: 'final', text: DELTAS.join('') });
    client.close();
  });

  it('is closed 1008 slow consumer once it has taken nothing for stalledClientMs', async () => {
    const { client, socket, closed } = await start(300);
    void client.request('chat.send', { message: 'hi' }).catch(() => undefined);
    socket.pause();
    // Reading again long after the stall: it finds the close frame behind what it missed.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    socket.resume();
    const { code, reason } = await within(
      OUTCOME_WAIT_MS,
      closed,
      'the gateway closing the stalled client',
    );
    expect({ code, reason }).toEqual({ code: 1008, reason: 'slow consumer' });
  });
});
