import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OUTCOME_WAIT_MS, within } from '../../../test/helpers/within.js';
import type { ConfigInput } from '../../shared/config-schema.js';
import { GatewayError } from '../../shared/errors.js';
import { closedPortUrl } from '../providers/fake-provider.test-support.js';
import type { StreamOptions } from '../providers/provider-types.js';
import type { ChatRunEvent, ChatLimits, ChatSendParams, ChatService } from './chat-service.js';
import { useChatWorld } from './chat-world.test-support.js';
import { SessionStore } from './session-store.js';

const REPLY = 'Hello €uro 👋 done';
const chats = useChatWorld('sa-chat-');
const fake: typeof chats.fake = (type, behaviour) => chats.fake(type, behaviour);

/**
 * A service over a mutable config and a memory keychain, as the gateway would build it.
 * `keys` maps provider ids to their default key (`provider:<id>`).
 */
function setup(
  input: ConfigInput,
  keys: Record<string, string> = {},
  limits: Partial<ChatLimits> = {},
  streamOptions: Partial<StreamOptions> = {},
) {
  const accounts = Object.fromEntries(
    Object.entries(keys).map(([id, key]) => [`provider:${id}`, key]),
  );
  const { service, world } = chats.service(input, { keys: accounts, limits, streamOptions });
  const setKey = (id: string, key: string) => world.keychain.entries.set(`provider:${id}`, key);
  return { service, setKey, keychain: world.keychain, setConfig: world.setConfig };
}

/** Sends and collects events until the run's final or error event. */
async function chat(service: ChatService, params: ChatSendParams) {
  const events: ChatRunEvent[] = [];
  let finish!: () => void;
  const ended = new Promise<void>((resolve) => (finish = resolve));
  const ids = await service.send(params, (event) => {
    events.push(event);
    if (event.state !== 'delta') finish();
  });
  await ended;
  const last = events.at(-1);
  return {
    ...ids,
    events,
    last,
    deltas: events.flatMap((e) => (e.state === 'delta' ? [e.text] : [])),
  };
}

const oneAgent = (type: 'openai' | 'anthropic', baseUrl: string): ConfigInput => ({
  models: { providers: { p: { type, baseUrl } } },
  agents: { list: [{ id: 'main', model: { provider: 'p', name: 'm1' } }] },
});

describe.each(['openai', 'anthropic'] as const)('chat through %s', (type) => {
  it('streams deltas in order, ends with the full text, and keeps the conversation', async () => {
    const server = await fake(type, { apiKey: 'sk-key-one-000000' });
    const { service } = setup(oneAgent(type, server.baseUrl), { p: 'sk-key-one-000000' });

    const first = await chat(service, { message: 'hi €' });
    // Deltas that arrive in one turn of the event loop go out joined (delta-relay.ts), and
    // a loaded machine hands over several of the fake's writes in one read.
    expect(first.deltas.join(''), 'the deltas, in order').toBe(REPLY);
    expect(first.last).toEqual({
      runId: first.runId,
      sessionId: first.sessionId,
      state: 'final',
      text: REPLY,
      provider: 'p',
      model: 'm1',
      profile: 'default',
    });

    const second = await chat(service, { sessionId: first.sessionId, message: 'again' });
    expect(second.last).toMatchObject({ state: 'final', text: REPLY });
    expect(server.requests[1]?.body.messages).toEqual([
      { role: 'user', content: 'hi €' },
      { role: 'assistant', content: REPLY },
      { role: 'user', content: 'again' },
    ]);
    const file = await readFile(join(chats.sessionsDir(), `${first.sessionId}.jsonl`), 'utf8');
    expect(file.trim().split('\n')).toHaveLength(5);
  });

  it('an empty reply is kept in the session but never sent upstream again (Anthropic refuses empty turns)', async () => {
    const server = await fake(type, { deltas: [] });
    const { service } = setup(oneAgent(type, server.baseUrl));
    const first = await chat(service, { message: 'hi' });
    expect(first.last).toMatchObject({ state: 'final', text: '' });
    server.behaviour.deltas = ['ok'];
    const second = await chat(service, { sessionId: first.sessionId, message: 'again' });
    expect(second.last).toMatchObject({ state: 'final', text: 'ok' });
    expect(server.requests[1]?.body.messages, 'the history sent with the second message').toEqual([
      { role: 'user', content: 'hi' },
      { role: 'user', content: 'again' },
    ]);
  });

  it('a stream cut off before its end marker ends the run as an error, not as a complete answer', async () => {
    // Anthropic: content_block_stop, message_delta and message_stop never come; OpenAI: the
    // finish chunk and [DONE].
    const server = await fake(type, { dropLastEvents: type === 'openai' ? 2 : 3 });
    const { service } = setup(oneAgent(type, server.baseUrl));
    const run = await chat(service, { message: 'hi' });
    expect(run.last?.state, 'how the cut run ended').toBe('error');
    expect(run.last).toMatchObject({
      error: { code: 'PROVIDER_ERROR', message: expect.stringContaining('ended before') },
    });
  });

  it('a stream that gave its stop reason but left the end marker out is a complete answer', async () => {
    // Some compatible servers never send [DONE] (OpenAI) or the last message_stop (Anthropic).
    const server = await fake(type, { dropLastEvents: 1 });
    const { service } = setup(oneAgent(type, server.baseUrl));
    const run = await chat(service, { message: 'hi' });
    expect(run.last).toMatchObject({ state: 'final', text: REPLY });
  });

  it('a reply that fails mid-stream keeps the text the user saw in the session, marked failed', async () => {
    const server = await fake(
      type,
      type === 'anthropic'
        ? { deltas: ['par', 'tial'], errorEvent: { type: 'overloaded_error', message: 'busy' } }
        : { deltas: ['par', 'tial'], dropLastEvents: 2 },
    );
    const { service } = setup(oneAgent(type, server.baseUrl));
    const run = await chat(service, { message: 'hi' });
    expect(run.last?.state).toBe('error');
    expect(run.deltas.join('')).toBe('partial');
    const saved = await new SessionStore({
      sessionsDir: chats.sessionsDir(),
      clock: { now: () => 0 },
    }).readAll(run.sessionId);
    expect(saved?.messages.at(-1), 'the last message on disk').toMatchObject({
      role: 'assistant',
      content: 'partial',
      failed: true,
    });
  });
});

describe('ChatService', () => {
  it('uses each agent’s own provider and key', async () => {
    const openai = await fake('openai', { apiKey: 'sk-openai-key-0000' });
    const claude = await fake('anthropic', { apiKey: 'sk-claude-key-0000' });
    const { service } = setup(
      {
        models: {
          providers: {
            one: { type: 'openai', baseUrl: openai.baseUrl },
            two: { type: 'anthropic', baseUrl: claude.baseUrl },
          },
        },
        agents: {
          default: 'writer',
          list: [
            { id: 'main', model: { provider: 'one', name: 'gpt' } },
            { id: 'writer', model: { provider: 'two', name: 'claude' } },
          ],
        },
      },
      { one: 'sk-openai-key-0000', two: 'sk-claude-key-0000' },
    );
    expect((await chat(service, { message: 'to the default agent' })).last).toMatchObject({
      state: 'final',
    });
    expect((await chat(service, { agentId: 'main', message: 'to main' })).last).toMatchObject({
      state: 'final',
    });
    expect(claude.requests.map((r) => r.headers['x-api-key'])).toEqual(['sk-claude-key-0000']);
    expect(openai.requests.map((r) => r.headers.authorization)).toEqual([
      'Bearer sk-openai-key-0000',
    ]);
  });

  it('uses a rotated key on the very next request', async () => {
    const server = await fake('openai', { apiKey: 'sk-old-key-000000' });
    const { service, setKey } = setup(oneAgent('openai', server.baseUrl), {
      p: 'sk-old-key-000000',
    });
    expect((await chat(service, { message: 'one' })).last?.state).toBe('final');

    setKey('p', 'sk-new-key-000000');
    server.behaviour.apiKey = 'sk-new-key-000000';
    expect((await chat(service, { message: 'two' })).last?.state).toBe('final');
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([
      'Bearer sk-old-key-000000',
      'Bearer sk-new-key-000000',
    ]);
  });

  it('ends the run with PROVIDER_REJECTED_KEY when the provider refuses the key', async () => {
    const server = await fake('anthropic', { apiKey: 'sk-right-key-00000' });
    const { service } = setup(oneAgent('anthropic', server.baseUrl), { p: 'sk-wrong-key-00000' });
    const { last } = await chat(service, { message: 'hi' });
    expect(last).toMatchObject({
      state: 'error',
      error: { code: 'PROVIDER_ERROR', details: { code: 'PROVIDER_REJECTED_KEY', provider: 'p' } },
    });
    expect(JSON.stringify(last)).not.toContain('sk-wrong-key');
  });

  it('ends the run with PROVIDER_UNREACHABLE at once when nothing listens, without waiting for the connect timeout', async () => {
    // A connect timeout past the bound below: only the refusal itself can end the run in time.
    const agent = oneAgent('openai', await closedPortUrl());
    const { service } = setup(agent, {}, {}, { connectTimeoutMs: 2 * OUTCOME_WAIT_MS });
    const { last } = await within(
      OUTCOME_WAIT_MS,
      chat(service, { message: 'hi' }),
      'the run to end with PROVIDER_UNREACHABLE',
    );
    expect(last, 'the last chat event, refused rather than timed out').toMatchObject({
      state: 'error',
      error: {
        details: { code: 'PROVIDER_UNREACHABLE' },
        message: expect.stringContaining('ECONNREFUSED'),
      },
    });
  });

  it('refuses before answering when a remote provider has no key, with the exact message', async () => {
    const { service } = setup(oneAgent('openai', 'https://api.example.com/v1'));
    const error = await service
      .send({ message: 'hi' }, () => undefined)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).toWire()).toEqual({
      code: 'PROVIDER_ERROR',
      message:
        'No credentials found for provider "p" (set one with: special-agent configure set models.providers.p.apiKey -)',
      details: { code: 'PROVIDER_NO_CREDENTIALS', provider: 'p' },
    });
    await expect(readdir(chats.sessionsDir())).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('says the keychain is unavailable, rather than "no credentials", when it cannot be read', async () => {
    const { service, keychain } = setup(oneAgent('openai', 'https://api.example.com/v1'));
    keychain.state.unavailable = true;
    await expect(service.send({ message: 'hi' }, () => undefined)).rejects.toMatchObject({
      details: { code: 'KEYCHAIN_UNAVAILABLE' },
    });
  });

  it('says the keychain is unavailable, not "profile not found", for a pinned profile it cannot read', async () => {
    const { service, world } = chats.service(oneAgent('openai', 'https://api.example.com/v1'), {
      keys: { 'provider:p:work': 'sk-work-key-000000' },
    });
    world.keychain.state.unavailable = true;
    await expect(
      service.send({ message: 'hi', override: { profile: 'work' } }, () => undefined),
      'a run pinned to a profile in a locked keychain',
    ).rejects.toMatchObject({ details: { code: 'KEYCHAIN_UNAVAILABLE' } });
  });

  it('models.auth.list fails KEYCHAIN_UNAVAILABLE when the keychain cannot be read, instead of listing nothing', async () => {
    const { world } = chats.service(oneAgent('openai', 'https://api.example.com/v1'), {
      keys: { 'provider:p:work': 'sk-work-key-000000' },
    });
    world.keychain.state.unavailable = true;
    await expect(world.profiles.list('p'), 'the profile list').rejects.toMatchObject({
      details: { code: 'KEYCHAIN_UNAVAILABLE' },
    });
  });

  it('a key that cannot go in a header (set outside the gateway) fails at once, naming it, with no cooldown', async () => {
    const server = await fake('openai');
    const { service, world } = chats.service(oneAgent('openai', server.baseUrl), {
      keys: { 'provider:p': 'sk-abcdef\u200b1234567890' },
    });
    const run = await chat(service, { message: 'hi' });
    expect(run.last?.state).toBe('error');
    expect(run.last).toMatchObject({
      error: { message: expect.stringContaining('has a character no API key has (U+200B') },
    });
    expect(server.requests, 'requests that reached the provider').toHaveLength(0);
    const [profile] = await world.profiles.list('p');
    expect(profile?.state, 'the profile after the failure').not.toBe('cooldown');
  });

  it('models.auth.list still lists a key from the config when the keychain cannot be read', async () => {
    const input = oneAgent('openai', 'https://api.example.com/v1');
    const withKey = {
      ...input,
      models: {
        providers: {
          p: {
            type: 'openai' as const,
            baseUrl: 'https://api.example.com/v1',
            apiKey: 'sk-config-key-0000',
          },
        },
      },
    };
    const { world } = chats.service(withKey);
    world.keychain.state.unavailable = true;
    expect((await world.profiles.list('p')).map((row) => [row.profile, row.source])).toEqual([
      ['default', 'config'],
    ]);
    // The full list too, though another provider then has nothing to list.
    world.setConfig({
      ...withKey,
      models: {
        providers: {
          ...withKey.models.providers,
          q: { type: 'openai' as const, baseUrl: 'https://q.example.com/v1' },
        },
      },
    });
    expect((await world.profiles.list()).map((row) => [row.provider, row.profile])).toEqual([
      ['p', 'default'],
    ]);
  });

  it('a key with a space or newline at its end still works (fetch trims header values)', async () => {
    const server = await fake('openai', { apiKey: 'sk-good-key-000000' });
    const { service } = setup(oneAgent('openai', server.baseUrl), { p: 'sk-good-key-000000 \n' });
    expect((await chat(service, { message: 'hi' })).last?.state).toBe('final');
  });

  it('a rejected named profile says how to replace that profile’s key, not the provider’s own', async () => {
    const server = await fake('openai', { keys: {} });
    const { service } = chats.service(oneAgent('openai', server.baseUrl), {
      keys: { 'provider:p:work': 'sk-work-key-000000' },
    });
    const run = await chat(service, { message: 'hi', override: { profile: 'work' } });
    expect(run.last).toMatchObject({
      state: 'error',
      error: {
        message:
          'provider "p" rejected the API key of profile "work" (HTTP 401; set a new one with: special-agent models auth add p work)',
      },
    });
  });

  it('an override naming a provider that is gone says so, and how to clear it', async () => {
    const { service } = setup(oneAgent('openai', 'https://api.example.com/v1'), {
      p: 'sk-key-000000',
    });
    await expect(
      service.send({ message: 'hi', override: { provider: 'gone' } }, () => undefined),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/^provider "gone" of this chat’s override .*override: null/),
    });
  });

  it('talks to a loopback provider without any key', async () => {
    const server = await fake('openai');
    const { service } = setup(oneAgent('openai', server.baseUrl));
    const { last } = await chat(service, { message: 'hi' });
    expect(last).toMatchObject({ state: 'final', text: REPLY });
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('abort drops the upstream request and ends with the partial text, saved as aborted', async () => {
    const server = await fake('openai', { hang: true });
    const { service } = setup(oneAgent('openai', server.baseUrl));
    const disconnected = server.nextDisconnect();
    const events: ChatRunEvent[] = [];
    let finish!: () => void;
    const ended = new Promise<void>((resolve) => (finish = resolve));
    // Pieces that arrive in one read go out as one delta (delta-relay.ts): abort once the
    // text so far holds "Hello ", whichever delta brought it.
    let shown = '';
    const { runId, sessionId } = await service.send(
      { message: 'tell me a long story' },
      (event) => {
        events.push(event);
        if (event.state === 'delta') {
          shown += event.text;
          if (shown.startsWith('Hello ')) service.abort(runId);
        }
        if (event.state !== 'delta') finish();
      },
    );
    await within(OUTCOME_WAIT_MS, ended, 'the final event of the aborted run');
    await within(OUTCOME_WAIT_MS, disconnected, 'the upstream request dropped');
    expect(events.at(-1)).toEqual({
      runId,
      sessionId,
      state: 'final',
      text: shown,
      provider: 'p',
      model: 'm1',
      profile: null,
    });
    expect(service.abort(runId)).toBe(false);
    const saved = await new SessionStore({
      sessionsDir: chats.sessionsDir(),
      clock: { now: () => 0 },
    }).readAll(sessionId);
    expect(saved?.messages.at(-1)).toMatchObject({
      role: 'assistant',
      content: shown,
      aborted: true,
    });
  });

  it('close() aborts every run in progress', async () => {
    const server = await fake('anthropic', { hang: true });
    const { service } = setup(oneAgent('anthropic', server.baseUrl));
    const disconnected = server.nextDisconnect();
    const events: ChatRunEvent[] = [];
    let firstDelta!: () => void;
    const streaming = new Promise<void>((resolve) => (firstDelta = resolve));
    await service.send({ message: 'hi' }, (event) => {
      events.push(event);
      firstDelta();
    });
    await streaming;
    await service.close();
    await disconnected;
    expect(events.at(-1)?.state).toBe('final');
    expect(service.activeRuns).toBe(0);
    await expect(service.send({ message: 'after' }, () => undefined)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
  });

  it('allows one run per session, and no more runs than the cap', async () => {
    const server = await fake('openai', { hang: true });
    const { service } = setup(oneAgent('openai', server.baseUrl), {}, { maxConcurrentRuns: 2 });
    const first = await service.send({ sessionId: 'busy', message: 'one' }, () => undefined);
    await expect(
      service.send({ sessionId: 'busy', message: 'two' }, () => undefined),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await service.send({ message: 'other session' }, () => undefined);
    await expect(service.send({ message: 'third' }, () => undefined)).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
    expect(first.sessionId).toBe('busy');
  });

  it('names an unknown agent, and keeps a session to the agent that started it', async () => {
    const server = await fake('openai');
    const { service } = setup({
      models: { providers: { p: { type: 'openai', baseUrl: server.baseUrl } } },
      agents: {
        list: [
          { id: 'main', model: { provider: 'p', name: 'm' } },
          { id: 'other', model: { provider: 'p', name: 'm' } },
        ],
      },
    });
    await expect(
      service.send({ agentId: 'ghost', message: 'hi' }, () => undefined),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('"ghost"') as unknown,
    });
    const { sessionId } = await chat(service, { message: 'hi' });
    await expect(
      service.send({ agentId: 'other', sessionId, message: 'hi' }, () => undefined),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('refuses empty and over-long messages, and bad session ids', async () => {
    const server = await fake('openai');
    const { service } = setup(oneAgent('openai', server.baseUrl));
    await expect(service.send({ message: '   ' }, () => undefined)).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
    await expect(
      service.send({ message: 'x'.repeat(32_001) }, () => undefined),
    ).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
    await expect(
      service.send({ sessionId: '../../etc', message: 'hi' }, () => undefined),
    ).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
    expect(server.requests).toHaveLength(0);
  });

  it('uses the provider’s first configured model, else its first listed one, when the agent names none', async () => {
    const server = await fake('openai', { models: [{ id: 'listed-a' }, { id: 'listed-b' }] });
    const { service, setConfig } = setup({
      models: { providers: { p: { type: 'openai', baseUrl: server.baseUrl } } },
      agents: { list: [{ id: 'main', model: { provider: 'p' } }] },
    });
    const listed = await chat(service, { message: 'hi' });
    expect(listed.last).toMatchObject({ state: 'final', text: REPLY, model: 'listed-a' });
    expect(server.requests.map((r) => [r.method, r.path])).toEqual([
      ['GET', '/v1/models'],
      ['POST', '/v1/chat/completions'],
    ]);
    expect(server.requests[1]?.body.model).toBe('listed-a');
    setConfig({
      models: {
        providers: { p: { type: 'openai', baseUrl: server.baseUrl, models: ['first', 'second'] } },
      },
      agents: { list: [{ id: 'main', model: { provider: 'p' } }] },
    });
    await chat(service, { message: 'hi' });
    expect(server.requests.at(-1)?.body.model).toBe('first');
  });

  it('ends the run with CONFIG_INVALID naming both places when the provider lists no model', async () => {
    const server = await fake('openai', { models: [] });
    const { service } = setup({
      models: { providers: { p: { type: 'openai', baseUrl: server.baseUrl } } },
      agents: { list: [{ id: 'main', model: { provider: 'p' } }] },
    });
    const { last } = await chat(service, { message: 'hi' });
    expect(last).toMatchObject({
      state: 'error',
      error: {
        details: { code: 'CONFIG_INVALID' },
        message: expect.stringContaining('models.providers.p.models or agents.list[].model.name'),
      },
    });
  });
});
