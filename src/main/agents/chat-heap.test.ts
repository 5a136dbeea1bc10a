import { expect, it } from 'vitest';
import { closedPortUrl } from '../providers/fake-provider.test-support.js';
import { useChatWorld } from './chat-world.test-support.js';
import type { ChatRunEvent, ChatService } from './chat-service.js';

// The small heap is held while any run streams and let go when the last one ends, however
// it ends: held too long, every handshake pays for it; let go early, streams grow the heap.
const chats = useChatWorld('sa-chat-heap-');

function serviceOver(baseUrl: string) {
  const heap = { holds: 0, held: false };
  const { service } = chats.service(
    {
      models: { providers: { p: { type: 'openai', baseUrl } } },
      agents: { list: [{ id: 'main', model: { provider: 'p', name: 'm1' } }] },
    },
    {
      holdSmallHeap: () => {
        heap.holds += 1;
        heap.held = true;
        return () => (heap.held = false);
      },
    },
  );
  return { service, heap };
}

/** Starts a run; `streaming` resolves at its first delta, `ended` at its last event. */
async function start(service: ChatService, message: string) {
  let streamed!: () => void;
  let finish!: (event: ChatRunEvent) => void;
  const streaming = new Promise<void>((resolve) => (streamed = resolve));
  const ended = new Promise<ChatRunEvent>((resolve) => (finish = resolve));
  const ids = await service.send({ message }, (event) => {
    if (event.state === 'delta') streamed();
    else finish(event);
  });
  return { ...ids, streaming, ended };
}

it('holds the small heap once while runs stream and lets go when the last one ends', async () => {
  const server = await chats.fake('openai', { hang: true });
  const { service, heap } = serviceOver(server.baseUrl);

  const first = await start(service, 'one');
  const second = await start(service, 'two');
  await Promise.all([first.streaming, second.streaming]);
  expect(heap, 'one hold for both runs').toEqual({ holds: 1, held: true });

  service.abort(first.runId);
  await first.ended;
  expect(heap.held, 'held while the second run still streams').toBe(true);

  service.abort(second.runId);
  expect(await second.ended).toMatchObject({ state: 'final' });
  expect(heap.held, 'let go once no run streams').toBe(false);
});

it('lets go of the small heap when a run fails, and never takes it for a refused send', async () => {
  const { service, heap } = serviceOver(await closedPortUrl());

  const failing = await start(service, 'hi');
  expect(await failing.ended).toMatchObject({ state: 'error' });
  expect(heap, 'taken for the run, let go at its error').toEqual({ holds: 1, held: false });

  await expect(service.send({ message: ' ' }, () => undefined)).rejects.toMatchObject({
    code: 'INVALID_REQUEST',
  });
  expect(heap, 'a refused send takes nothing').toEqual({ holds: 1, held: false });
});
