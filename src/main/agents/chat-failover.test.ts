/**
 * Which key and provider a chat run uses, and when it moves on (DESIGN.md "Auth profiles"),
 * through `ChatService` against local fake providers and a memory keychain.
 */
import { describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../shared/config-schema.js';
import type { FakeBehaviour } from '../providers/fake-provider.test-support.js';
import type { ChatRunEvent, ChatSendParams, ChatService } from './chat-service.js';
import { useChatWorld } from './chat-world.test-support.js';

const chats = useChatWorld('sa-failover-');

function fake(behaviour: Partial<FakeBehaviour>, type: 'openai' | 'anthropic' = 'openai') {
  return chats.fake(type, { deltas: ['fine'], pauseMs: 0, ...behaviour });
}

/** `accounts`: keychain account → key, e.g. `provider:p:a`. */
function setup(input: ConfigInput, accounts: Record<string, string>) {
  // Every reading is a little later than the last, so "least recently used" is never a tie.
  let tick = Date.now();
  const clock = { now: () => (tick += 10) };
  const { service, world } = chats.service(input, { keys: accounts, clock });
  return { service, profiles: world.profiles };
}

async function chat(service: ChatService, params: Partial<ChatSendParams> = {}) {
  const events: ChatRunEvent[] = [];
  let finish!: () => void;
  const ended = new Promise<void>((resolve) => (finish = resolve));
  await service.send({ message: 'hi', ...params }, (event) => {
    events.push(event);
    if (event.state !== 'delta') finish();
  });
  await ended;
  return { events, last: events.at(-1) };
}

const agentOn = (
  baseUrl: string,
  extra: Record<string, unknown> = {},
  type = 'openai',
): ConfigInput => ({
  models: { providers: { p: { type: type as 'openai', baseUrl, ...extra } } },
  agents: { list: [{ id: 'main', model: { provider: 'p', name: 'm1' } }] },
});

describe('chat failover', () => {
  it('does not retry with another key once text reached the client: the failure is the run’s error', async () => {
    const server = await fake(
      {
        keys: { 'sk-a-000000000000': 'ok', 'sk-b-000000000000': 'ok' },
        deltas: ['par', 'tial'],
        errorEvent: { type: 'overloaded_error', message: 'busy' },
      },
      'anthropic',
    );
    const { service, profiles } = setup(
      agentOn(server.baseUrl, { auth: { order: ['a', 'b'] } }, 'anthropic'),
      {
        'provider:p:a': 'sk-a-000000000000',
        'provider:p:b': 'sk-b-000000000000',
      },
    );
    const { events, last } = await chat(service);
    // Pieces read together go out as one delta (delta-relay.ts): the text is what counts.
    expect(
      events
        .filter((e) => e.state === 'delta')
        .map((e) => (e as { text: string }).text)
        .join(''),
    ).toBe('partial');
    expect(last).toMatchObject({
      state: 'error',
      error: {
        code: 'PROVIDER_ERROR',
        message: expect.stringContaining('overloaded_error: busy'),
        details: { attempts: [{ profile: 'a' }] },
      },
    });
    expect(server.requestsWithKey('sk-b-000000000000')).toBe(0);
    expect((await profiles.list('p')).find((row) => row.profile === 'a')?.state).toBe('cooldown');
  });

  it('does not try another key for an error no key would fix (400)', async () => {
    const server = await fake({
      keys: { 'sk-a-000000000000': { status: 400 }, 'sk-b-000000000000': 'ok' },
    });
    const { service } = setup(agentOn(server.baseUrl, { auth: { order: ['a', 'b'] } }), {
      'provider:p:a': 'sk-a-000000000000',
      'provider:p:b': 'sk-b-000000000000',
    });
    const { last } = await chat(service);
    expect(last).toMatchObject({
      state: 'error',
      error: { details: { httpStatus: 400, attempts: [{ profile: 'a', httpStatus: 400 }] } },
    });
    expect(server.requestsWithKey('sk-b-000000000000')).toBe(0);
  });

  it('rotates to the least recently used profile when no order is set', async () => {
    const server = await fake({ keys: { 'sk-a-000000000000': 'ok', 'sk-b-000000000000': 'ok' } });
    const { service } = setup(agentOn(server.baseUrl), {
      'provider:p:a': 'sk-a-000000000000',
      'provider:p:b': 'sk-b-000000000000',
    });
    const used: unknown[] = [];
    for (let run = 0; run < 4; run += 1) {
      const { last } = await chat(service);
      used.push(last?.state === 'final' ? last.profile : last?.state);
    }
    expect(used).toEqual(['a', 'b', 'a', 'b']);
  });

  it('tries an override or preferred profile first, and refuses an override profile that does not exist', async () => {
    const server = await fake({ keys: { 'sk-a-000000000000': 'ok', 'sk-b-000000000000': 'ok' } });
    const { service } = setup(agentOn(server.baseUrl, { auth: { order: ['a', 'b'] } }), {
      'provider:p:a': 'sk-a-000000000000',
      'provider:p:b': 'sk-b-000000000000',
    });
    expect((await chat(service, { override: { profile: 'b' } })).last).toMatchObject({
      profile: 'b',
    });
    expect((await chat(service, { preferredProfile: 'b' })).last).toMatchObject({ profile: 'b' });
    expect((await chat(service, { preferredProfile: 'gone' })).last).toMatchObject({
      profile: 'a',
    });
    await expect(
      service.send({ message: 'hi', override: { profile: 'gone' } }, () => undefined),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('profile "gone" of provider "p" not found'),
    });
  });

  it('uses an override provider and model instead of the agent’s', async () => {
    const agents = await fake({ apiKey: undefined });
    const other = await fake({ apiKey: undefined, deltas: ['other'] });
    const { service } = setup(
      {
        models: {
          providers: {
            p: { type: 'openai', baseUrl: agents.baseUrl },
            q: { type: 'openai', baseUrl: other.baseUrl },
          },
        },
        agents: { list: [{ id: 'main', model: { provider: 'p', name: 'm1' } }] },
      },
      {},
    );
    const { last } = await chat(service, { override: { provider: 'q', model: 'big' } });
    expect(last).toMatchObject({
      state: 'final',
      text: 'other',
      provider: 'q',
      model: 'big',
      profile: null,
    });
    expect(agents.requests).toHaveLength(0);
    await expect(
      service.send({ message: 'hi', override: { provider: 'nope' } }, () => undefined),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('falls back when the agent’s provider has no key at all, and names it in the attempts if all fail', async () => {
    const backup = await fake({ keys: { 'sk-backup-0000000': 'ok' }, deltas: ['saved'] });
    const config: ConfigInput = {
      models: {
        providers: {
          cloud: { type: 'openai', baseUrl: 'https://api.example.invalid/v1' },
          backup: { type: 'openai', baseUrl: backup.baseUrl },
        },
      },
      agents: {
        list: [
          {
            id: 'main',
            model: {
              provider: 'cloud',
              name: 'm1',
              fallbacks: [{ provider: 'backup', name: 'b1' }],
            },
          },
        ],
      },
    };
    const { service } = setup(config, { 'provider:backup': 'sk-backup-0000000' });
    expect((await chat(service)).last).toMatchObject({
      state: 'final',
      text: 'saved',
      provider: 'backup',
      model: 'b1',
      profile: 'default',
    });
    backup.behaviour.keys = { 'sk-backup-0000000': { status: 500 } };
    expect((await chat(service)).last).toMatchObject({
      state: 'error',
      error: {
        details: {
          code: 'PROVIDER_EXHAUSTED',
          attempts: [
            { provider: 'cloud', profile: null, code: 'PROVIDER_NO_CREDENTIALS' },
            { provider: 'backup', model: 'b1', profile: 'default', httpStatus: 500 },
          ],
        },
      },
    });
  });
});
