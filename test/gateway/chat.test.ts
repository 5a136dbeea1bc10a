import { afterEach, describe, expect, it } from 'vitest';
import {
  startFakeProvider,
  closedPortUrl,
  type FakeProvider,
} from '../../src/main/providers/fake-provider.test-support.js';
import type { ChatEvent } from '../../src/shared/protocol.js';
import type { GatewayClient } from '../../src/shared/gateway-client.js';
import { itWithKeychain } from '../../src/main/secrets/keychain.test-support.js';
import { connectDevice, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { OUTCOME_WAIT_MS, within } from '../helpers/within.js';

let gateway: TestGateway | undefined;
const fakes: FakeProvider[] = [];
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
  for (const fake of fakes.splice(0)) await fake.close();
});

async function fake(
  type: 'openai' | 'anthropic',
  behaviour: Parameters<typeof startFakeProvider>[1] = {},
) {
  const provider = await startFakeProvider(type, behaviour);
  fakes.push(provider);
  return provider;
}

function agentConfig(
  providers: Record<string, { type: string; baseUrl: string }>,
  agents: { id: string; provider: string }[],
) {
  return {
    models: { providers },
    agents: {
      default: agents[0]?.id,
      list: agents.map((a) => ({ id: a.id, model: { provider: a.provider, name: 'test-model' } })),
    },
  };
}

/** A gateway whose one agent `main` chats with `provider` (openai type) as `local`. */
function oneAgentGateway(provider: { baseUrl: string }): Promise<TestGateway> {
  return startTestGateway({
    config: agentConfig({ local: { type: 'openai', baseUrl: provider.baseUrl } }, [
      { id: 'main', provider: 'local' },
    ]),
  });
}

/** Sends a message and collects the chat events of that run until final or error. */
async function chat(client: GatewayClient, params: Record<string, unknown>) {
  const events: ChatEvent[] = [];
  const unsubscribe = client.on('chat', (payload) => events.push(payload as ChatEvent));
  const { runId } = await client.request<{ runId: string; sessionId: string }>('chat.send', params);
  await expect
    .poll(() => events.some((e) => e.runId === runId && e.state !== 'delta'), { timeout: 10_000 })
    .toBe(true);
  unsubscribe();
  return events.filter((e) => e.runId === runId);
}

describe('chat through the gateway', () => {
  for (const type of ['openai', 'anthropic'] as const) {
    it(`streams deltas in order from an ${type}-type agent and ends with their concatenation`, async () => {
      const provider = await fake(type, { deltas: ['Hel', 'lo ', '€uro ', '👋', ' done'] });
      gateway = await startTestGateway({
        config: agentConfig({ local: { type, baseUrl: provider.baseUrl } }, [
          { id: 'main', provider: 'local' },
        ]),
      });
      const { client } = await connectDevice(gateway);
      const events = await chat(client, { message: 'hi' });
      const deltas = events.filter((e) => e.state === 'delta').map((e) => e.text);
      expect(deltas.join('')).toBe('Hello €uro 👋 done');
      expect(events.at(-1)).toMatchObject({ state: 'final', text: 'Hello €uro 👋 done' });
      client.close();
    });
  }

  it('sends chat events only to the connection that asked, not to other connections of the same device', async () => {
    const provider = await fake('openai');
    gateway = await oneAgentGateway(provider);
    const asking = await connectDevice(gateway);
    const sibling = await connectDevice(gateway, { identity: asking.identity });
    const seenBySibling: unknown[] = [];
    sibling.client.on('chat', (payload) => seenBySibling.push(payload));
    await chat(asking.client, { message: 'hi' });
    // A status round trip on the sibling flushes anything the gateway would have sent it.
    await sibling.client.request('status');
    expect(seenBySibling).toEqual([]);
    asking.client.close();
    sibling.client.close();
  });

  it('continues a session of a non-default agent with that agent when chat.send names only the session', async () => {
    const first = await fake('openai', { deltas: ['from a'] });
    const second = await fake('openai', { deltas: ['from b'] });
    gateway = await startTestGateway({
      config: agentConfig(
        {
          pa: { type: 'openai', baseUrl: first.baseUrl },
          pb: { type: 'openai', baseUrl: second.baseUrl },
        },
        [
          { id: 'a', provider: 'pa' },
          { id: 'b', provider: 'pb' },
        ],
      ),
    });
    const { client } = await connectDevice(gateway);
    const started = await chat(client, { agentId: 'b', message: 'hi' });
    const sessionId = started[0]?.sessionId;
    // PROTOCOL.md: chat.send {agentId?, sessionId?, message}; the session knows its agent.
    const next = await chat(client, { sessionId, message: 'and then?' });
    expect(next.at(-1), 'the follow-up without agentId').toMatchObject({
      state: 'final',
      text: 'from b',
      provider: 'pb',
    });
    client.close();
  });

  it('answers a chat with no agent configured NOT_FOUND, naming special-agent onboard', async () => {
    gateway = await startTestGateway({ config: {} });
    const { client } = await connectDevice(gateway);
    await expect(client.request('chat.send', { message: 'hi' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('special-agent onboard'),
    });
    client.close();
  });

  it('works with an Ollama-style loopback provider and zero credentials configured', async () => {
    const provider = await fake('openai', { apiKey: undefined });
    gateway = await startTestGateway({
      config: agentConfig({ ollama: { type: 'openai', baseUrl: provider.baseUrl } }, [
        { id: 'main', provider: 'ollama' },
      ]),
    });
    const { client } = await connectDevice(gateway);
    const events = await chat(client, { message: 'hi' });
    expect(events.at(-1)?.state).toBe('final');
    expect(provider.requests[0]?.headers.authorization).toBeUndefined();
    client.close();
  });

  it('reports a 401 as PROVIDER_REJECTED_KEY, a closed port as PROVIDER_UNREACHABLE, and stays up', async () => {
    const rejecting = await fake('openai', {
      failWith: { status: 401, body: '{"error":{"message":"Incorrect API key provided"}}' },
    });
    const closed = await closedPortUrl();
    gateway = await startTestGateway({
      config: agentConfig(
        {
          rejecting: { type: 'openai', baseUrl: rejecting.baseUrl },
          gone: { type: 'openai', baseUrl: closed },
        },
        [
          { id: 'main', provider: 'rejecting' },
          { id: 'offline', provider: 'gone' },
        ],
      ),
    });
    const { client } = await connectDevice(gateway);
    const rejected = await chat(client, { message: 'hi' });
    expect(rejected.at(-1)).toMatchObject({
      state: 'error',
      error: { code: 'PROVIDER_ERROR', details: { code: 'PROVIDER_REJECTED_KEY' } },
    });
    const unreachable = await chat(client, { agentId: 'offline', message: 'hi' });
    expect(unreachable.at(-1)).toMatchObject({
      state: 'error',
      error: { details: { code: 'PROVIDER_UNREACHABLE' } },
    });
    expect((await client.request<{ authMode: string }>('status')).authMode).toBe('token');
    client.close();
  });

  // Without a keychain the gateway rightly answers KEYCHAIN_UNAVAILABLE instead: the key may be in it.
  itWithKeychain(
    'refuses chat.send with PROVIDER_NO_CREDENTIALS when a remote provider has no key',
    async () => {
      gateway = await startTestGateway({
        config: agentConfig(
          { cloudy: { type: 'openai', baseUrl: 'https://api.example.invalid/v1' } },
          [{ id: 'main', provider: 'cloudy' }],
        ),
        env: { CLOUDY_API_KEY: '' },
      });
      const { client } = await connectDevice(gateway);
      await expect(client.request('chat.send', { message: 'hi' })).rejects.toMatchObject({
        code: 'PROVIDER_ERROR',
        details: { code: 'PROVIDER_NO_CREDENTIALS' },
        message: expect.stringContaining('No credentials found for provider "cloudy"'),
      });
      client.close();
    },
  );

  it('keeps no listener per finished run on a long-lived connection, and still cancels the run in flight when it closes', async () => {
    const quick = await fake('openai', { deltas: ['ok'] });
    const hanging = await fake('openai', { hang: true, deltas: ['Hel'] });
    gateway = await startTestGateway({
      config: agentConfig(
        {
          quick: { type: 'openai', baseUrl: quick.baseUrl },
          hanging: { type: 'openai', baseUrl: hanging.baseUrl },
        },
        [
          { id: 'main', provider: 'quick' },
          { id: 'slow', provider: 'hanging' },
        ],
      ),
    });
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    try {
      const { client } = await connectDevice(gateway);
      // Node warns past 10 listeners of one event: one per run would pass that at run 11.
      for (let run = 0; run < 15; run += 1)
        expect((await chat(client, { message: `m${run}` })).at(-1)?.state).toBe('final');
      const disconnected = hanging.nextDisconnect();
      await client.request('chat.send', { agentId: 'slow', message: 'hi' });
      client.close();
      await within(
        OUTCOME_WAIT_MS,
        disconnected,
        'the upstream request to end with the connection',
      );
      expect(warnings, 'process warnings while 15 runs went through one connection').toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('ends a run aborted before its first token with a final that names who was being asked', async () => {
    const provider = await fake('openai', { hang: true, deltas: [] });
    gateway = await oneAgentGateway(provider);
    const { client } = await connectDevice(gateway);
    const events: ChatEvent[] = [];
    client.on('chat', (payload) => events.push(payload as ChatEvent));
    const asked = provider.nextRequest();
    const { runId } = await client.request<{ runId: string }>('chat.send', { message: 'hi' });
    await within(OUTCOME_WAIT_MS, asked, 'the provider to be asked');
    await client.request('chat.abort', { runId });
    await expect
      .poll(() => events.at(-1)?.state, { timeout: OUTCOME_WAIT_MS, message: 'the final' })
      .toBe('final');
    // PROTOCOL.md: the final event carries {provider, model, profile}.
    expect(events.at(-1), 'the final of the run aborted before any text').toMatchObject({
      runId,
      text: '',
      provider: 'local',
      model: 'test-model',
      profile: null,
    });
    client.close();
  });

  it('cancels the upstream request of a run whose connection closed while its message was being saved', async () => {
    const provider = await fake('openai', { hang: true, deltas: ['Hel'] });
    gateway = await oneAgentGateway(provider);
    const { client } = await connectDevice(gateway);
    const disconnected = provider.nextDisconnect();
    // Gone before the answer: the close arrives while the user message is being fsynced.
    void client.request('chat.send', { message: 'hi' }).catch(() => undefined);
    client.close();
    await within(OUTCOME_WAIT_MS, disconnected, 'the upstream request to end with the connection');
  });

  it('stops the upstream request on chat.abort and ends the run with the text that had arrived', async () => {
    const provider = await fake('openai', { hang: true, deltas: ['Hel', 'lo ', 'wor'] });
    gateway = await oneAgentGateway(provider);
    const { client } = await connectDevice(gateway);
    const events: ChatEvent[] = [];
    client.on('chat', (payload) => events.push(payload as ChatEvent));
    const disconnected = provider.nextDisconnect();
    const { runId } = await client.request<{ runId: string }>('chat.send', { message: 'hi' });
    // The provider streams these and then hangs without finishing the reply.
    const seen = () =>
      events
        .filter((e) => e.state === 'delta')
        .map((e) => e.text)
        .join('');
    await expect
      .poll(seen, { timeout: OUTCOME_WAIT_MS, message: 'the deltas before the hang' })
      .toBe('Hello wor');
    expect(await client.request('chat.abort', { runId }), 'the chat.abort answer').toEqual({
      runId,
      aborted: true,
    });
    await within(
      OUTCOME_WAIT_MS,
      disconnected,
      'the upstream request to be cancelled after chat.abort',
    );
    await expect
      .poll(() => events.at(-1)?.state, {
        timeout: OUTCOME_WAIT_MS,
        message: 'the run to end after chat.abort',
      })
      .toBe('final');
    // An aborted run's final still says who was answering (PROTOCOL.md: provider, model, profile).
    expect(events.at(-1), 'the last chat event').toEqual({
      runId,
      sessionId: events[0]?.sessionId,
      state: 'final',
      text: 'Hello wor',
      provider: 'local',
      model: 'test-model',
      profile: null,
    });
    await expect(
      client.request('chat.abort', { runId }),
      'aborting the ended run again',
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    client.close();
  });
});
