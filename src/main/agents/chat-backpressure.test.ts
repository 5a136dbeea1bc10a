/**
 * A run whose listener cannot take more (its connection's queue is full) stops reading the
 * provider until the listener is ready, so a slow client keeps the reply upstream instead
 * of in the gateway's memory. The provider client is stood in for by a stream function that
 * counts how far it was read (over HTTP, the kernel's socket buffers would hide that).
 */
import { describe, expect, it } from 'vitest';
import { OUTCOME_WAIT_MS, within } from '../../../test/helpers/within.js';
import type { StreamChatFn } from '../providers/provider-types.js';
import type { ChatRunEvent } from './chat-service.js';
import { useChatWorld } from './chat-world.test-support.js';

const BATCHES = 5;
const chats = useChatWorld('sa-chat-backpressure-');

/** A provider of BATCHES reads of one token each; `pulled` counts the reads asked for. */
function countingProvider() {
  const state = { pulled: 0 };
  const stream: StreamChatFn = async function* () {
    for (let batch = 0; batch < BATCHES; batch += 1) {
      state.pulled += 1;
      // As a network read would: each batch arrives in a later turn.
      await new Promise((resolve) => setImmediate(resolve));
      yield [`t${batch} `];
    }
  };
  return { state, stream };
}

function service(stream: StreamChatFn) {
  return chats.service(
    {
      models: { providers: { local: { type: 'openai', baseUrl: 'http://127.0.0.1:9/v1' } } },
      agents: { list: [{ id: 'main', model: { provider: 'local', name: 'm' } }] },
    },
    { streamFns: { openai: stream, anthropic: stream } },
  ).service;
}

describe('chat backpressure', () => {
  it('reads no further from the provider while the listener is full, and finishes once it drains', async () => {
    const provider = countingProvider();
    const chat = service(provider.stream);
    let drain!: () => void;
    const drained = new Promise<void>((resolve) => (drain = resolve));
    let full = true;
    const events: ChatRunEvent[] = [];
    let ended!: () => void;
    const end = new Promise<void>((resolve) => (ended = resolve));
    await chat.send(
      { message: 'hi' },
      (event) => {
        events.push(event);
        if (event.state !== 'delta') ended();
      },
      () => (full ? drained : undefined),
    );
    await expect
      .poll(() => events.length, { timeout: OUTCOME_WAIT_MS, message: 'the first delta' })
      .toBe(1);
    // Several turns of the event loop: a run that ignored the listener would read on.
    for (let turn = 0; turn < 20; turn += 1) await new Promise((r) => setImmediate(r));
    expect(provider.state.pulled, 'provider reads while the listener was full').toBe(1);

    full = false;
    drain();
    await within(OUTCOME_WAIT_MS, end, 'the final event after the listener drained');
    expect(provider.state.pulled).toBe(BATCHES);
    expect(events.at(-1)).toMatchObject({ state: 'final', text: 't0 t1 t2 t3 t4 ' });
  });

  it('ends an aborted run at once, without waiting for a listener that never drains', async () => {
    const provider = countingProvider();
    const chat = service(provider.stream);
    const events: ChatRunEvent[] = [];
    let ended!: () => void;
    const end = new Promise<void>((resolve) => (ended = resolve));
    const { runId } = await chat.send(
      { message: 'hi' },
      (event) => {
        events.push(event);
        if (event.state !== 'delta') ended();
      },
      () => new Promise<void>(() => undefined),
    );
    await expect.poll(() => events.length, { timeout: OUTCOME_WAIT_MS }).toBe(1);
    expect(chat.abort(runId)).toBe(true);
    await within(OUTCOME_WAIT_MS, end, 'the final event of the aborted run');
    expect(events.at(-1)).toMatchObject({ state: 'final', text: 't0 ' });
    expect(provider.state.pulled).toBe(1);
  });
});
