/**
 * PROTOCOL.md "Frames" (seq) and "Events": tick, config.changed, chat, shutdown.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  startFakeProvider,
  type FakeProvider,
} from '../../src/main/providers/fake-provider.test-support.js';
import type { EventFrame } from '../../src/shared/protocol.js';
import { gatewayPerCase } from './support.js';

const gw = gatewayPerCase();

describe('seq', () => {
  it('counts the events of each connection from 1, without gaps', async () => {
    const gateway = await gw.start({ limits: { tickIntervalMs: 50 } });
    const a = await gw.operator(gateway);
    const framesA: EventFrame[] = [];
    a.client.on('*', (_payload, frame) => framesA.push(frame));
    await expect.poll(() => framesA.length).toBeGreaterThanOrEqual(3);
    const b = await gw.operator(gateway);
    const framesB: EventFrame[] = [];
    b.client.on('*', (_payload, frame) => framesB.push(frame));
    await expect.poll(() => framesB.length).toBeGreaterThanOrEqual(2);
    for (const frames of [framesA, framesB]) {
      const seqs = frames.map((f) => f.seq);
      expect(seqs.slice(0, 2)).toEqual([1, 2]);
      seqs.forEach((seq, index) => expect(seq).toBe(index + 1));
    }
  });

  it('sends tick {ts} every tickIntervalMs', async () => {
    const gateway = await gw.start({ limits: { tickIntervalMs: 50 } });
    const { client, hello } = await gw.operator(gateway);
    expect(hello.policy.tickIntervalMs).toBe(50);
    const ticks: unknown[] = [];
    client.on('tick', (payload) => ticks.push(payload));
    await expect.poll(() => ticks.length).toBeGreaterThanOrEqual(2);
    expect(ticks[0]).toEqual({ ts: expect.any(Number) });
  });
});

describe('config.changed', () => {
  it('tells admin connections which paths changed', async () => {
    const gateway = await gw.start();
    const admin = await gw.operator(gateway);
    const changes: unknown[] = [];
    admin.client.on('config.changed', (payload) => changes.push(payload));
    expect(
      await admin.client.request('config.set', {
        path: 'gateway.pairing.pendingTtlSeconds',
        value: 120,
      }),
    ).toEqual({
      path: 'gateway.pairing.pendingTtlSeconds',
      restartRequired: false,
      hash: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
    });
    await expect
      .poll(() => changes)
      .toContainEqual({ paths: expect.arrayContaining(['gateway.pairing.pendingTtlSeconds']) });
  });

  // PROTOCOL.md restricts only the pairing events to a scope.
  it('is not withheld from connections without operator.admin', async () => {
    const gateway = await gw.start();
    const admin = await gw.operator(gateway);
    const reader = await gw.operator(gateway, ['operator.read']);
    const changes: unknown[] = [];
    reader.client.on('config.changed', (payload) => changes.push(payload));
    await admin.client.request('config.set', {
      path: 'gateway.pairing.pendingTtlSeconds',
      value: 90,
    });
    await expect.poll(() => changes.length, { timeout: 3000 }).toBeGreaterThan(0);
  });
});

describe('chat', () => {
  const fakes: FakeProvider[] = [];
  afterEach(async () => {
    for (const fake of fakes.splice(0)) await fake.close();
  });
  it('answers chat.send with {runId, sessionId}, then chat events of that shape ending in final', async () => {
    const provider = await startFakeProvider('openai', {});
    fakes.push(provider);
    const gateway = await gw.start({
      config: {
        models: { providers: { local: { type: 'openai', baseUrl: provider.baseUrl } } },
        agents: {
          default: 'main',
          list: [{ id: 'main', model: { provider: 'local', name: 'm' } }],
        },
      },
    });
    const { client } = await gw.operator(gateway, ['operator.write']);
    const events: Record<string, unknown>[] = [];
    client.on('chat', (payload) => events.push(payload as Record<string, unknown>));
    const result = await client.request<Record<string, unknown>>('chat.send', { message: 'hi' });
    expect(Object.keys(result).sort()).toEqual(['runId', 'sessionId']);
    await expect
      .poll(() => events.some((e) => e.state === 'final'), { timeout: 10_000 })
      .toBe(true);
    for (const event of events) {
      expect(event).toMatchObject({ runId: result.runId, sessionId: result.sessionId });
      expect(['delta', 'final', 'error']).toContain(event.state);
      // PROTOCOL.md: the final event also says which provider, model and profile answered.
      const answer = event.state === 'final' ? ['provider', 'model', 'profile'] : [];
      for (const key of Object.keys(event))
        expect(['runId', 'sessionId', 'state', 'text', 'error', ...answer]).toContain(key);
    }
    expect(events.find((e) => e.state === 'final')).toMatchObject({
      provider: 'local',
      model: 'm',
      profile: null,
    });
  });
});

describe('shutdown', () => {
  it('sends shutdown {reason} before closing 1012 "service restart"', async () => {
    const gateway = await gw.start();
    const { client } = await gw.operator(gateway);
    const order: string[] = [];
    client.on('shutdown', (payload) => {
      expect(payload).toMatchObject({ reason: expect.any(String) });
      order.push('shutdown');
    });
    const closed = client.closed().then((c) => {
      order.push('close');
      return c;
    });
    await gateway.app.stop('test');
    const close = await closed;
    expect(close.code).toBe(1012);
    expect(close.reason).toMatch(/^service restart/);
    expect(order).toEqual(['shutdown', 'close']);
  });
});
