import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChatService, type ChatSendParams } from '../../src/main/agents/chat-service.js';
import {
  startFakeProvider,
  type FakeProvider,
} from '../../src/main/providers/fake-provider.test-support.js';
import { GatewayClientError, type GatewayClient } from '../../src/shared/gateway-client.js';
import type {
  ChatEvent,
  SessionsGetPayload,
  SessionsListPayload,
  SessionSummary,
} from '../../src/shared/protocol.js';
import { OUTCOME_WAIT_MS, within } from '../helpers/within.js';
import {
  connectDevice,
  makeTempHome,
  startTestGateway,
  type TestGateway,
} from '../helpers/gateway.js';

let gateway: TestGateway | undefined;
let provider: FakeProvider | undefined;
const homes: string[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await gateway?.stop();
  gateway = undefined;
  await provider?.close();
  provider = undefined;
  for (const home of homes.splice(0)) await rm(home, { recursive: true, force: true });
});

function config(baseUrl: string) {
  return {
    models: {
      providers: { local: { type: 'openai', baseUrl }, other: { type: 'openai', baseUrl } },
    },
    agents: {
      default: 'main',
      list: [
        { id: 'main', model: { provider: 'local', name: 'test-model' } },
        { id: 'writer', model: { provider: 'local', name: 'test-model' } },
      ],
    },
  };
}

async function start(
  options: { home?: string; behaviour?: Parameters<typeof startFakeProvider>[1] } = {},
) {
  provider ??= await startFakeProvider('openai', {
    apiKey: undefined,
    deltas: ['Hel', 'lo'],
    ...options.behaviour,
  });
  gateway = await startTestGateway({
    config: config(provider.baseUrl),
    ...(options.home ? { home: options.home } : {}),
  });
  return (await connectDevice(gateway)).client;
}

/** Sends a message and waits for its run's final (or error) event. */
async function say(client: GatewayClient, params: Record<string, unknown>) {
  const events: ChatEvent[] = [];
  const off = client.on('chat', (payload) => events.push(payload as ChatEvent));
  const sent = await client.request<{ runId: string; sessionId: string }>('chat.send', params);
  const last = () => events.find((e) => e.runId === sent.runId && e.state !== 'delta');
  await expect.poll(last, { timeout: 5000, message: `end of run ${sent.runId}` }).toBeDefined();
  off();
  expect(last()?.state).toBe('final');
  return sent;
}

/**
 * Sends a message and waits until the run is over, whatever its outcome: a pinned profile
 * this test never configured may be refused by the profile code, which is not under test.
 */
async function attempt(client: GatewayClient, params: Record<string, unknown>) {
  const events: ChatEvent[] = [];
  const off = client.on('chat', (payload) => events.push(payload as ChatEvent));
  try {
    const sent = await client.request<{ runId: string }>('chat.send', params);
    const end = () => events.find((e) => e.runId === sent.runId && e.state !== 'delta');
    await expect.poll(end, { timeout: 5000, message: `end of run ${sent.runId}` }).toBeDefined();
  } catch (error) {
    if (!(error instanceof GatewayClientError)) throw error;
  } finally {
    off();
  }
}

const list = (client: GatewayClient, params: Record<string, unknown> = {}) =>
  client.request<SessionsListPayload>('sessions.list', params);
const get = (client: GatewayClient, sessionId: string) =>
  client.request<SessionsGetPayload>('sessions.get', { sessionId });
const patch = (client: GatewayClient, params: Record<string, unknown>) =>
  client.request<{ session: SessionSummary }>('sessions.patch', params);

describe('sessions through the gateway', () => {
  it('lists, gets, renames and deletes sessions', async () => {
    const client = await start();
    const { sessionId } = await say(client, { message: 'Plan a trip to Lisbon' });
    const other = await say(client, { agentId: 'writer', message: 'Write a haiku' });

    const listed = (await list(client)).sessions;
    expect(listed.map((s) => s.sessionId)).toEqual([other.sessionId, sessionId]);
    expect(listed[1]).toMatchObject({
      agentId: 'main',
      title: 'Plan a trip to Lisbon',
      messageCount: 2,
    });
    expect((await list(client, { agentId: 'writer' })).sessions.map((s) => s.sessionId)).toEqual([
      other.sessionId,
    ]);
    expect((await list(client, { limit: 1 })).sessions).toHaveLength(1);

    const { session, messages } = await get(client, sessionId);
    expect(session).toEqual(listed[1]);
    expect(messages).toEqual([
      { role: 'user', text: 'Plan a trip to Lisbon', ts: expect.any(Number) },
      {
        role: 'assistant',
        text: 'Hello',
        ts: expect.any(Number),
        provider: 'local',
        model: 'test-model',
      },
    ]);

    const renamed = await patch(client, { sessionId, title: '  Lisbon  ' });
    expect(renamed.session).toMatchObject({ sessionId, title: 'Lisbon', messageCount: 2 });
    expect((await list(client)).sessions[0]).toMatchObject({ sessionId, title: 'Lisbon' });

    expect(await client.request('sessions.delete', { sessionId })).toEqual({ sessionId });
    expect((await list(client)).sessions.map((s) => s.sessionId)).toEqual([other.sessionId]);
    await expect(get(client, sessionId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    client.close();
  });

  it('keeps a conversation across a gateway restart: get returns every message in order and chat continues it', async () => {
    const home = await makeTempHome();
    homes.push(home);
    let client = await start({ home });
    const { sessionId } = await say(client, { message: 'one' });
    await say(client, { sessionId, message: 'two' });
    client.close();
    await gateway!.stop();

    client = await start({ home });
    expect((await get(client, sessionId)).messages.map((m) => `${m.role}:${m.text}`)).toEqual([
      'user:one',
      'assistant:Hello',
      'user:two',
      'assistant:Hello',
    ]);
    await say(client, { sessionId, message: 'three' });
    const upstream = provider!.requests.at(-1)?.body as { messages: { content: string }[] };
    expect(upstream.messages.map((m) => m.content)).toEqual([
      'one',
      'Hello',
      'two',
      'Hello',
      'three',
    ]);
    expect((await list(client)).sessions[0]).toMatchObject({
      sessionId,
      messageCount: 6,
      title: 'one',
    });
    client.close();
  });

  it('pins an override with sessions.patch: stored, shown by list and get, passed into every run of the session until override:null clears it', async () => {
    const client = await start();
    const send = vi.spyOn(ChatService.prototype, 'send');
    const overrideOfRun = (n: number) => (send.mock.calls[n]?.[0] as ChatSendParams).override;
    const { sessionId } = await say(client, { message: 'hi' });
    expect(overrideOfRun(0)).toBeUndefined();

    const pinned = await patch(client, { sessionId, override: { profile: 'b' } });
    expect(pinned.session.override).toEqual({ profile: 'b' });
    expect((await list(client)).sessions[0]?.override).toEqual({ profile: 'b' });
    expect((await get(client, sessionId)).session.override).toEqual({ profile: 'b' });

    await attempt(client, { sessionId, message: 'again' });
    await attempt(client, { sessionId, message: 'and again' });
    expect([overrideOfRun(1), overrideOfRun(2)]).toEqual([{ profile: 'b' }, { profile: 'b' }]);
    // A run's own override wins field by field; another session is not affected.
    await attempt(client, { sessionId, message: 'once', override: { model: 'big-model' } });
    expect(overrideOfRun(3)).toEqual({ profile: 'b', model: 'big-model' });
    await say(client, { message: 'elsewhere' });
    expect(overrideOfRun(4)).toBeUndefined();

    const cleared = await patch(client, { sessionId, override: null });
    expect(cleared.session).not.toHaveProperty('override');
    expect((await get(client, sessionId)).session).not.toHaveProperty('override');
    await say(client, { sessionId, message: 'plain' });
    expect(overrideOfRun(5)).toBeUndefined();
    client.close();
  });

  it('refuses an override naming a provider that is not configured (constructor too) with NOT_FOUND, or a malformed name with INVALID_REQUEST, changing nothing', async () => {
    const client = await start();
    const { sessionId } = await say(client, { message: 'hi' });
    await patch(client, { sessionId, override: { provider: 'other' } });
    for (const name of ['missing', 'constructor']) {
      await expect(
        patch(client, { sessionId, override: { provider: name } }),
      ).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: expect.stringContaining(`provider "${name}" not found`),
      });
    }
    for (const name of ['__proto__', 'Bad/Name', ''])
      await expect(
        patch(client, { sessionId, override: { provider: name } }),
        name,
      ).rejects.toMatchObject({
        code: 'INVALID_REQUEST',
      });
    expect((await get(client, sessionId)).session.override).toEqual({ provider: 'other' });
    await expect(patch(client, { sessionId })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(
      patch(client, { sessionId, override: { provider: 'local', key: 'x' } }),
    ).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    client.close();
  });

  it('refuses malformed session ids with INVALID_REQUEST and unknown ones with NOT_FOUND', async () => {
    const client = await start();
    await say(client, { sessionId: 'known', message: 'hi' });
    for (const sessionId of ['../x', '..\\x', 'a/b', 'x'.repeat(200), '']) {
      for (const call of [
        () => get(client, sessionId),
        () => patch(client, { sessionId, title: 't' }),
        () => client.request('sessions.delete', { sessionId }),
      ])
        await expect(call(), sessionId).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    }
    for (const sessionId of ['constructor', '__proto__', 'unknown'])
      await expect(get(client, sessionId), sessionId).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(list(client, { limit: 201 })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(list(client, { limit: 0 })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    expect((await list(client)).sessions.map((s) => s.sessionId)).toEqual(['known']);
    client.close();
  });

  it('refuses to delete a session while a reply streams in it (CONFLICT), and deletes it once the run ended', async () => {
    const client = await start({ behaviour: { hang: true, deltas: ['partial'] } });
    const arrived = provider!.nextRequest();
    let finals = 0;
    client.on('chat', (payload) => {
      if ((payload as ChatEvent).state === 'final') finals += 1;
    });
    const { runId, sessionId } = await client.request<{ runId: string; sessionId: string }>(
      'chat.send',
      { message: 'long story' },
    );
    await within(OUTCOME_WAIT_MS, arrived, 'the request at the provider');
    await expect(client.request('sessions.delete', { sessionId })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining(runId),
    });
    await client.request('chat.abort', { runId });
    await expect.poll(() => finals, { timeout: 5000 }).toBe(1);
    await client.request('sessions.delete', { sessionId });
    expect((await list(client)).sessions).toEqual([]);
    client.close();
  });

  it('lets a read-only device list and get sessions but not patch or delete them', async () => {
    const client = await start();
    const { sessionId } = await say(client, { message: 'hi' });
    const reader = (await connectDevice(gateway!, { scopes: ['operator.read'] })).client;
    expect((await list(reader)).sessions).toHaveLength(1);
    expect((await get(reader, sessionId)).messages).toHaveLength(2);
    for (const call of [
      () => patch(reader, { sessionId, title: 'x' }),
      () => reader.request('sessions.delete', { sessionId }),
    ])
      await expect(call()).rejects.toMatchObject({
        code: 'FORBIDDEN',
        details: { code: 'MISSING_SCOPE' },
      });
    expect((await get(client, sessionId)).session.title).toBe('hi');
    reader.close();
    client.close();
  });
});
