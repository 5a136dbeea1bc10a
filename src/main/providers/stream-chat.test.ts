import { afterEach, describe, expect, it } from 'vitest';
import { OUTCOME_WAIT_MS, within } from '../../../test/helpers/within.js';
import { GatewayError } from '../../shared/errors.js';
import { closedPortUrl, startFakeProvider } from './fake-provider.test-support.js';
import type { FakeProvider } from './fake-provider.test-support.js';
import { ChatAbortedError } from './provider-errors.js';
import type { ChatStreamRequest, StreamOptions } from './provider-types.js';
import { streamChat } from './stream-chat.js';

const KEY = 'sk-test-0123456789abcdef';
const servers: FakeProvider[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function fake(
  type: 'openai' | 'anthropic',
  behaviour: Parameters<typeof startFakeProvider>[1] = {},
) {
  const server = await startFakeProvider(type, behaviour);
  servers.push(server);
  return server;
}

function request(
  type: 'openai' | 'anthropic',
  baseUrl: string,
  extra: Partial<ChatStreamRequest> = {},
): ChatStreamRequest {
  return {
    provider: { id: `my-${type}`, type, baseUrl },
    apiKey: KEY,
    model: 'test-model',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Say hi €' },
    ],
    ...extra,
  };
}

async function collect(
  req: ChatStreamRequest,
  options?: Partial<StreamOptions>,
): Promise<string[]> {
  const deltas: string[] = [];
  for await (const delta of streamChat(req, options)) deltas.push(delta);
  return deltas;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a failure'),
    (error: unknown) => error,
  );
}

describe.each(['openai', 'anthropic'] as const)('%s stream', (type) => {
  it('yields the deltas in order, whole characters intact, even when cut mid-character and mid-line', async () => {
    const server = await fake(type, { apiKey: KEY, chunkBytes: 'tricky' });
    const deltas = await collect(request(type, server.baseUrl));
    expect(deltas).toEqual(['Hel', 'lo ', '€uro ', '👋', ' done']);
    expect(deltas.join('')).toBe('Hello €uro 👋 done');
  });

  it('sends the model, the conversation and stream:true in the format of its API', async () => {
    const server = await fake(type, { apiKey: KEY, chunkBytes: 64 });
    await collect(request(type, server.baseUrl));
    const [sent] = server.requests;
    expect(sent?.body).toMatchObject({ model: 'test-model', stream: true });
    if (type === 'openai') {
      expect(sent?.path).toBe('/v1/chat/completions');
      expect(sent?.headers.authorization).toBe(`Bearer ${KEY}`);
      expect(sent?.body.messages).toEqual(request(type, '').messages);
    } else {
      expect(sent?.path).toBe('/v1/messages');
      expect(sent?.headers['x-api-key']).toBe(KEY);
      expect(sent?.headers['anthropic-version']).toBe('2023-06-01');
      expect(sent?.body).toMatchObject({ system: 'Be brief.', max_tokens: 4096 });
      expect(sent?.body.messages).toEqual([{ role: 'user', content: 'Say hi €' }]);
    }
  });

  it('sends no auth header at all to a local server when there is no key', async () => {
    const server = await fake(type, { chunkBytes: 64 });
    const deltas = await collect(request(type, server.baseUrl, { apiKey: undefined }));
    expect(deltas.join('')).toBe('Hello €uro 👋 done');
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
    expect(server.requests[0]?.headers['x-api-key']).toBeUndefined();
  });

  it('reports a wrong key as PROVIDER_REJECTED_KEY naming the provider, never the key', async () => {
    const server = await fake(type, { apiKey: 'the-right-key-000000' });
    const error = await failure(collect(request(type, server.baseUrl)));
    expect(error).toBeInstanceOf(GatewayError);
    const wire = (error as GatewayError).toWire();
    expect(wire).toMatchObject({
      code: 'PROVIDER_ERROR',
      details: { code: 'PROVIDER_REJECTED_KEY', provider: `my-${type}` },
    });
    expect(wire.message).toContain(`"my-${type}"`);
    expect(JSON.stringify(wire)).not.toContain(KEY);
  });

  it('passes on the provider’s own error text, trimmed, with an echoed key scrubbed', async () => {
    const echo = `upstream exploded while using ${KEY}: ${'x'.repeat(1000)}`;
    const server = await fake(type, {
      failWith: { status: 500, body: JSON.stringify({ error: { message: echo } }) },
    });
    const error = (await failure(collect(request(type, server.baseUrl)))) as GatewayError;
    expect(error.code).toBe('PROVIDER_ERROR');
    expect(error.details?.code).toBeUndefined();
    expect(error.details).toMatchObject({ provider: `my-${type}`, httpStatus: 500 });
    expect(error.message).toContain('upstream exploded while using [redacted]');
    expect(error.message).not.toContain(KEY);
    expect(error.message.length).toBeLessThan(400);
  });

  it('reports a closed port as PROVIDER_UNREACHABLE at once, without waiting for connectTimeoutMs', async () => {
    // A connect timeout past the bound below: only the refusal itself can end this in time.
    const url = await closedPortUrl();
    const error = (await within(
      OUTCOME_WAIT_MS,
      failure(collect(request(type, url), { connectTimeoutMs: 2 * OUTCOME_WAIT_MS })),
      'PROVIDER_UNREACHABLE for a closed port',
    )) as GatewayError;
    expect(error.details).toMatchObject({ code: 'PROVIDER_UNREACHABLE', provider: `my-${type}` });
    expect(error.message, 'why the provider is unreachable').toContain('ECONNREFUSED');
  });

  it('gives up with PROVIDER_UNREACHABLE when the server never answers', async () => {
    const server = await fake(type, { silent: true });
    const error = (await failure(
      collect(request(type, server.baseUrl), { connectTimeoutMs: 300 }),
    )) as GatewayError;
    expect(error.details?.code).toBe('PROVIDER_UNREACHABLE');
    expect(error.message).toContain('no response within 300 ms');
  });

  it('gives up with PROVIDER_UNREACHABLE when the stream goes silent', async () => {
    const server = await fake(type, { hang: true, chunkBytes: 4096 });
    const deltas: string[] = [];
    const run = async () => {
      for await (const delta of streamChat(request(type, server.baseUrl), { idleTimeoutMs: 300 }))
        deltas.push(delta);
    };
    const error = (await failure(run())) as GatewayError;
    expect(deltas.join('')).toBe('Hello €uro 👋 done');
    expect(error.details?.code).toBe('PROVIDER_UNREACHABLE');
    expect(error.message).toContain('no data for 300 ms');
  });

  it('ends with ChatAbortedError when the caller aborts, and the server sees the request dropped', async () => {
    const server = await fake(type, { hang: true, chunkBytes: 4096 });
    const controller = new AbortController();
    const disconnected = server.nextDisconnect();
    const deltas: string[] = [];
    const run = async () => {
      for await (const delta of streamChat(
        request(type, server.baseUrl, { signal: controller.signal }),
      )) {
        deltas.push(delta);
        if (deltas.length === 2) controller.abort();
      }
    };
    const error = await failure(run());
    expect(error).toBeInstanceOf(ChatAbortedError);
    expect(deltas).toEqual(['Hel', 'lo ']);
    await disconnected;
  });
});

describe('stream limits', () => {
  it('fails PROVIDER_ERROR on an event longer than maxEventChars instead of buffering it', async () => {
    const server = await fake('openai', {
      apiKey: KEY,
      deltas: ['x'.repeat(2000)],
      chunkBytes: 256,
    });
    const error = (await failure(
      collect(request('openai', server.baseUrl), { maxEventChars: 500 }),
    )) as GatewayError;
    expect(error.code).toBe('PROVIDER_ERROR');
    expect(error.message).toContain('longer than 500 characters');
  });
});

describe('anthropic error events', () => {
  it('turns a mid-stream error event into PROVIDER_ERROR with the provider’s words', async () => {
    const server = await fake('anthropic', {
      errorEvent: { type: 'overloaded_error', message: 'Overloaded' },
    });
    const error = (await failure(collect(request('anthropic', server.baseUrl)))) as GatewayError;
    expect(error.code).toBe('PROVIDER_ERROR');
    expect(error.message).toBe('provider "my-anthropic" failed: overloaded_error: Overloaded');
  });
});
