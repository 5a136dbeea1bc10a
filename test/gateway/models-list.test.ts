/**
 * Model discovery through the real gateway (`models.list`, DESIGN.md "Models"): OpenAI's
 * and Anthropic's `/models`, Ollama's `/api/tags`, a minute of cache, and an agent with no
 * model that chats at once with the first listed one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  startFakeProvider,
  type FakeBehaviour,
  type FakeProvider,
} from '../../src/main/providers/fake-provider.test-support.js';
import type { ChatEvent, ModelListPayload } from '../../src/shared/protocol.js';
import { within } from '../helpers/within.js';
import { connectDevice, startTestGateway, type TestGateway } from '../helpers/gateway.js';

let gateway: TestGateway | undefined;
const fakes: FakeProvider[] = [];
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
  for (const fake of fakes.splice(0)) await fake.close();
});

const MODELS = [
  { id: 'model-one', owned_by: 'acme' },
  { id: 'model-two', owned_by: 'acme' },
];

async function fake(type: 'openai' | 'anthropic', behaviour: Partial<FakeBehaviour> = {}) {
  const provider = await startFakeProvider(type, { models: MODELS, pauseMs: 0, ...behaviour });
  fakes.push(provider);
  return provider;
}

function movableClock() {
  let offsetMs = 0;
  return { now: () => Date.now() + offsetMs, advance: (ms: number) => (offsetMs += ms) };
}

async function gatewayFor(
  providers: Record<string, { type: 'openai' | 'anthropic'; baseUrl: string }>,
  clock?: { now(): number },
) {
  gateway = await startTestGateway({
    config: {
      models: { providers },
      agents: { list: [{ id: 'main', model: { provider: Object.keys(providers)[0] } }] },
    },
    ...(clock ? { clock } : {}),
  });
  return (await connectDevice(gateway)).client;
}

const listGets = (provider: FakeProvider) =>
  provider.requests.filter((request) => request.method === 'GET').map((request) => request.path);

describe('models.list', () => {
  it('lists an OpenAI-compatible provider’s models with their owner', async () => {
    const provider = await fake('openai');
    const client = await gatewayFor({ local: { type: 'openai', baseUrl: provider.baseUrl } });
    const listing = await client.request<ModelListPayload>('models.list', { provider: 'local' });
    expect(listing).toEqual({
      provider: 'local',
      models: [
        { id: 'model-one', ownedBy: 'acme' },
        { id: 'model-two', ownedBy: 'acme' },
      ],
      fetchedAtMs: expect.any(Number),
    });
    expect(listGets(provider)).toEqual(['/v1/models']);
    client.close();
  });

  it('lists an Anthropic provider’s models with its version header, in one page', async () => {
    const provider = await fake('anthropic');
    const client = await gatewayFor({ claude: { type: 'anthropic', baseUrl: provider.baseUrl } });
    const listing = await client.request<ModelListPayload>('models.list', { provider: 'claude' });
    expect(listing.models.map((model) => model.id)).toEqual(['model-one', 'model-two']);
    expect(provider.requests[0]?.path).toBe('/v1/models?limit=1000');
    expect(provider.requests[0]?.headers['anthropic-version']).toBe('2023-06-01');
    client.close();
  });

  it('asks Ollama’s /api/tags when the server has no /models', async () => {
    const provider = await fake('openai', { ollamaTags: true });
    const client = await gatewayFor({ ollama: { type: 'openai', baseUrl: provider.baseUrl } });
    const listing = await client.request<ModelListPayload>('models.list', { provider: 'ollama' });
    expect(listing.models).toEqual([{ id: 'model-one' }, { id: 'model-two' }]);
    expect(listGets(provider)).toEqual(['/v1/models', '/api/tags']);
    client.close();
  });

  it('answers from its cache within a minute and asks the provider again after it', async () => {
    const clock = movableClock();
    const provider = await fake('openai');
    const client = await gatewayFor(
      { local: { type: 'openai', baseUrl: provider.baseUrl } },
      clock,
    );
    const first = await client.request<ModelListPayload>('models.list', { provider: 'local' });
    clock.advance(59_000);
    const second = await client.request<ModelListPayload>('models.list', { provider: 'local' });
    expect(second.fetchedAtMs).toBe(first.fetchedAtMs);
    expect(listGets(provider)).toHaveLength(1);
    clock.advance(2_000);
    const third = await client.request<ModelListPayload>('models.list', { provider: 'local' });
    expect(third.fetchedAtMs).toBeGreaterThan(first.fetchedAtMs);
    expect(listGets(provider)).toHaveLength(2);
    client.close();
  });

  it('asks the provider again once its key changed, so a wrong new key is reported at once', async () => {
    const provider = await fake('openai', { apiKey: 'the-right-key-0123456789' });
    const client = await gatewayFor({ local: { type: 'openai', baseUrl: provider.baseUrl } });
    await client.request('models.providers.setKey', {
      id: 'local',
      apiKey: 'the-right-key-0123456789',
    });
    await client.request<ModelListPayload>('models.list', { provider: 'local' });
    await client.request('models.providers.setKey', {
      id: 'local',
      apiKey: 'a-wrong-key-9876543210',
    });
    await expect(
      client.request('models.list', { provider: 'local' }),
      'models.list right after a new, wrong key',
    ).rejects.toMatchObject({ details: { code: 'PROVIDER_REJECTED_KEY' } });
  });

  it('refuses an unknown provider, also one named like an Object.prototype member, with NOT_FOUND', async () => {
    const provider = await fake('openai');
    const client = await gatewayFor({ local: { type: 'openai', baseUrl: provider.baseUrl } });
    for (const id of ['nope', 'constructor']) {
      await expect(client.request('models.list', { provider: id })).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: expect.stringContaining(`provider "${id}" not found`),
      });
    }
    client.close();
  });

  it('says which provider cannot be reached', async () => {
    const provider = await fake('openai', { failWith: { status: 502, body: 'bad gateway' } });
    const client = await gatewayFor({ local: { type: 'openai', baseUrl: provider.baseUrl } });
    await expect(client.request('models.list', { provider: 'local' })).rejects.toMatchObject({
      code: 'PROVIDER_ERROR',
      details: { provider: 'local', httpStatus: 502 },
    });
    client.close();
  });
});

describe('an agent with no model', () => {
  it('chats at once with the first model the provider lists', async () => {
    const provider = await fake('openai', { deltas: ['ok'] });
    const client = await gatewayFor({ local: { type: 'openai', baseUrl: provider.baseUrl } });
    let done!: (event: ChatEvent) => void;
    const ended = new Promise<ChatEvent>((resolve) => (done = resolve));
    client.on('chat', (payload) => {
      if ((payload as ChatEvent).state !== 'delta') done(payload as ChatEvent);
    });
    await client.request('chat.send', { message: 'hi' });
    const last = await within(10_000, ended, 'final chat event');
    expect(last).toMatchObject({
      state: 'final',
      text: 'ok',
      provider: 'local',
      model: 'model-one',
      profile: null,
    });
    expect(provider.requests.at(-1)?.body.model).toBe('model-one');
    client.close();
  });
});
