/**
 * Relaying a long reply (issue 16): many tiny provider deltas reach the client as fewer
 * `chat` events whose text is exactly the provider's, and the reply saved in the session is
 * that same text; coalescing never holds text back: the first delta, and whatever arrived
 * before the provider paused, go out while the provider still holds the stream open.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  startFakeProvider,
  type FakeBehaviour,
  type FakeProvider,
} from '../../src/main/providers/fake-provider.test-support.js';
import type { GatewayClient } from '../../src/shared/gateway-client.js';
import type { ChatEvent } from '../../src/shared/protocol.js';
import { connectDevice, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { OUTCOME_WAIT_MS } from '../helpers/within.js';

let gateway: TestGateway | undefined;
let provider: FakeProvider | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
  await provider?.close();
  provider = undefined;
});

/** A gateway whose one agent talks to a fake OpenAI-type provider on loopback (no key). */
async function start(behaviour: Partial<FakeBehaviour>) {
  provider = await startFakeProvider('openai', behaviour);
  gateway = await startTestGateway({
    config: {
      models: { providers: { local: { type: 'openai', baseUrl: provider.baseUrl } } },
      agents: { list: [{ id: 'main', model: { provider: 'local', name: 'test-model' } }] },
    },
  });
  const { client } = await connectDevice(gateway);
  const events: ChatEvent[] = [];
  client.on('chat', (payload) => events.push(payload as ChatEvent));
  return { client, events };
}

/** Resolves once `match(events)` holds; fails naming `what` after OUTCOME_WAIT_MS. */
async function seen(events: ChatEvent[], match: (events: ChatEvent[]) => boolean, what: string) {
  await expect
    .poll(() => match(events), { timeout: OUTCOME_WAIT_MS, interval: 5, message: what })
    .toBe(true);
}

const deltaText = (events: ChatEvent[]) =>
  events.flatMap((event) => (event.state === 'delta' ? [event.text] : [])).join('');

async function send(client: GatewayClient) {
  return client.request<{ runId: string; sessionId: string }>('chat.send', { message: 'hi' });
}

describe('chat relay of a long reply', () => {
  it('sends many tiny provider deltas as fewer chat events whose text, and the saved reply, is exactly the provider’s', async () => {
    const deltas = Array.from({ length: 2000 }, (_, i) => (i % 7 === 0 ? `€${i} ` : `w${i} `));
    // Few large writes: each socket read then holds hundreds of deltas.
    const { client, events } = await start({ deltas, chunkBytes: 64 * 1024, pauseMs: 0 });
    const { sessionId } = await send(client);
    await seen(events, (all) => all.some((e) => e.state !== 'delta'), 'the final event');

    const expected = deltas.join('');
    const deltaEvents = events.filter((event) => event.state === 'delta');
    expect(deltaText(events), 'the delta texts joined').toBe(expected);
    expect(deltaEvents.length, 'chat delta events for 2000 provider deltas').toBeLessThan(200);
    expect(events.at(-1)).toMatchObject({ state: 'final', text: expected });
    const { messages } = await client.request<{ messages: { role: string; text: string }[] }>(
      'sessions.get',
      { sessionId },
    );
    expect(messages.map((m) => [m.role, m.text])).toEqual([
      ['user', 'hi'],
      ['assistant', expected],
    ]);
    client.close();
  });

  it('sends the first delta while the provider holds the stream open after it', async () => {
    const { client, events } = await start({ deltas: ['first'], hang: true });
    await send(client);
    await seen(events, (all) => deltaText(all) === 'first', 'the first delta before the end');
    expect(events.map((event) => event.state)).toEqual(['delta']);
    client.close();
  });

  it('sends every delta that arrived before the provider paused, without waiting for more', async () => {
    const deltas = Array.from({ length: 500 }, (_, i) => `d${i} `);
    const { client, events } = await start({
      deltas,
      chunkBytes: 64 * 1024,
      pauseMs: 0,
      hang: true,
    });
    await send(client);
    await seen(
      events,
      (all) => deltaText(all) === deltas.join(''),
      'all 500 deltas before the end',
    );
    expect(events.every((event) => event.state === 'delta')).toBe(true);
    client.close();
  });
});
