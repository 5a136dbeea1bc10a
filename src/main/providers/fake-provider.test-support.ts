/**
 * Test support (not shipped behaviour): a local HTTP server speaking the real streaming
 * formats of OpenAI chat completions and the Anthropic Messages API. It writes each
 * response in tiny pieces, so lines and multi-byte UTF-8 characters are split across
 * writes, and it checks the API key that arrived the way the real service would.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeBehaviour {
  /** The key the server accepts; `undefined` accepts anything (a local server). */
  apiKey?: string | undefined;
  deltas: string[];
  /**
   * How the body is cut into writes: a byte count, or `tricky` (the default): a cut inside
   * every multi-byte UTF-8 character and in the middle of every line.
   */
  chunkBytes: number | 'tricky';
  /** Pause between writes, so the client's socket reads see the pieces apart. */
  pauseMs: number;
  /** Send the deltas, then keep the stream open: no end marker, no end of body. */
  hang: boolean;
  /**
   * Leave out this many events at the end, then end the body normally: a stream cut off
   * before its end marker (OpenAI: 1 drops `[DONE]`, 2 also the finish chunk).
   */
  dropLastEvents: number;
  /** Accept the request but never send the response headers. */
  silent: boolean;
  /** Answer with this status and body instead of streaming. */
  failWith?: { status: number; body: string } | undefined;
  /** Anthropic only: an `error` event after the deltas. */
  errorEvent?: { type: string; message: string } | undefined;
  /**
   * Several keys, each with its own answer (`ok`, or a status with optional `Retry-After`);
   * any other key gets a 401. Set, it replaces `apiKey`.
   */
  keys?: Record<string, KeyAnswer> | undefined;
  /** What `GET /v1/models` lists (OpenAI `{data:[…]}` or Anthropic `{data:[…], has_more}`). */
  models: { id: string; owned_by?: string }[];
  /** Speak like an old Ollama: no `/v1/models` (404), the list at `/api/tags` instead. */
  ollamaTags: boolean;
}

/** How the fake answers one key of `FakeBehaviour.keys`. */
export type KeyAnswer = 'ok' | { status: number; retryAfter?: string; body?: string };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export interface FakeProvider {
  baseUrl: string;
  requests: RecordedRequest[];
  behaviour: FakeBehaviour;
  /** Resolves when the client drops a request before the server finished answering. */
  nextDisconnect(): Promise<void>;
  /** Resolves when the next request has arrived (for tests that abort mid-stream). */
  nextRequest(): Promise<RecordedRequest>;
  /** How many requests arrived with `key` (as bearer token or `x-api-key`). */
  requestsWithKey(key: string): number;
  close(): Promise<void>;
}

const DEFAULT_DELTAS = ['Hel', 'lo ', '€uro ', '👋', ' done'];

/** Starts a fake provider of `type` on 127.0.0.1 with a random port, under `/v1`. */
export async function startFakeProvider(
  type: 'openai' | 'anthropic',
  behaviour: Partial<FakeBehaviour> = {},
): Promise<FakeProvider> {
  const state: FakeBehaviour = {
    deltas: DEFAULT_DELTAS,
    chunkBytes: 'tricky',
    pauseMs: 2,
    hang: false,
    dropLastEvents: 0,
    silent: false,
    models: [],
    ollamaTags: false,
    ...behaviour,
  };
  const requests: RecordedRequest[] = [];
  const disconnectWaiters: (() => void)[] = [];
  const requestWaiters: ((request: RecordedRequest) => void)[] = [];
  const server = createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
    requests.push(recorded);
    requestWaiters.splice(0).forEach((resolve) => resolve(recorded));
    res.on('close', () => {
      if (!res.writableFinished) disconnectWaiters.splice(0).forEach((resolve) => resolve());
    });
    if (state.silent) return;
    if (state.keys) {
      const answer = state.keys[presentedKey(recorded) ?? ''];
      if (answer === undefined) return sendJson(res, 401, authError(type));
      if (answer !== 'ok') return sendKeyAnswer(res, answer);
    } else if (!keyAccepted(type, req.headers, state.apiKey)) {
      return sendJson(res, 401, authError(type));
    }
    if (state.failWith) return sendRaw(res, state.failWith.status, state.failWith.body);
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/v1/models') {
      if (state.ollamaTags) return sendJson(res, 404, { error: 'not found' });
      return sendJson(res, 200, modelList(type, state.models));
    }
    if (req.method === 'GET' && path === '/api/tags' && state.ollamaTags) {
      const models = state.models.map((model) => ({ name: model.id, model: model.id, size: 1 }));
      return sendJson(res, 200, { models });
    }
    const expected = type === 'openai' ? '/v1/chat/completions' : '/v1/messages';
    if (req.method !== 'POST' || req.url !== expected)
      return sendJson(res, 404, { error: { message: 'no route' } });
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const events =
      type === 'openai'
        ? openAIEvents(state.deltas)
        : anthropicEvents(state.deltas, state.errorEvent);
    // The events after the deltas end the reply (finish chunk + [DONE], or block stop …
    // message_stop); a hanging server never gets to them.
    const dropped = state.hang ? (type === 'openai' ? 2 : 3) : state.dropLastEvents;
    const sent = dropped > 0 ? events.slice(0, -dropped) : events;
    await writeInPieces(res, cut(sent.join(''), state.chunkBytes), state.pauseMs);
    if (!state.hang) res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    behaviour: state,
    nextDisconnect: () => new Promise((resolve) => disconnectWaiters.push(resolve)),
    nextRequest: () => new Promise((resolve) => requestWaiters.push(resolve)),
    requestsWithKey: (key) => requests.filter((request) => presentedKey(request) === key).length,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port that was just free: connecting to it is refused. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1`;
}

function keyAccepted(
  type: 'openai' | 'anthropic',
  headers: IncomingHttpHeaders,
  apiKey: string | undefined,
): boolean {
  if (apiKey === undefined) return true;
  return type === 'openai'
    ? headers.authorization === `Bearer ${apiKey}`
    : headers['x-api-key'] === apiKey;
}

/** The key a request carried, whichever header the API puts it in. */
function presentedKey(request: RecordedRequest): string | undefined {
  const bearer = request.headers.authorization?.replace(/^Bearer /, '');
  const header = request.headers['x-api-key'];
  return bearer ?? (typeof header === 'string' ? header : undefined);
}

function sendKeyAnswer(res: ServerResponse, answer: Exclude<KeyAnswer, 'ok'>): void {
  const body = answer.body ?? JSON.stringify({ error: { message: `status ${answer.status}` } });
  res.writeHead(answer.status, {
    'content-type': 'application/json',
    ...(answer.retryAfter === undefined ? {} : { 'retry-after': answer.retryAfter }),
  });
  res.end(body);
}

function modelList(type: 'openai' | 'anthropic', models: FakeBehaviour['models']): unknown {
  if (type === 'openai')
    return { object: 'list', data: models.map((model) => ({ object: 'model', ...model })) };
  const data = models.map((model) => ({ type: 'model', id: model.id, display_name: model.id }));
  return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
}

function authError(type: 'openai' | 'anthropic'): unknown {
  return type === 'openai'
    ? {
        error: {
          message: 'Incorrect API key provided',
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      }
    : { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } };
}

function openAIEvents(deltas: string[]): string[] {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  return [
    chunk({ role: 'assistant', content: '' }),
    ...deltas.map((content) => chunk({ content })),
    chunk({}, 'stop'),
    'data: [DONE]\n\n',
  ];
}

function anthropicEvents(deltas: string[], errorEvent: FakeBehaviour['errorEvent']): string[] {
  const event = (name: string, data: Record<string, unknown>) =>
    `event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`;
  return [
    event('message_start', {
      message: { id: 'msg_1', type: 'message', role: 'assistant', content: [] },
    }),
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    event('ping', {}),
    ...deltas.map((text) =>
      event('content_block_delta', { index: 0, delta: { type: 'text_delta', text } }),
    ),
    ...(errorEvent ? [event('error', { error: errorEvent })] : []),
    event('content_block_stop', { index: 0 }),
    event('message_delta', { delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 5 } }),
    event('message_stop', {}),
  ];
}

/** Cuts the UTF-8 bytes of `text` into pieces (see `FakeBehaviour.chunkBytes`). */
export function cut(text: string, chunkBytes: number | 'tricky'): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  const cuts = new Set<number>();
  if (chunkBytes === 'tricky') {
    let offset = 0;
    for (const line of text.split(/(?<=\n)/)) {
      const lineBytes = Buffer.byteLength(line);
      cuts.add(offset + Math.floor(lineBytes / 2));
      let inner = offset;
      for (const char of line) {
        const size = Buffer.byteLength(char);
        if (size > 1) cuts.add(inner + 1);
        inner += size;
      }
      offset += lineBytes;
    }
  } else {
    for (let offset = chunkBytes; offset < bytes.length; offset += chunkBytes) cuts.add(offset);
  }
  const sorted = [
    0,
    ...[...cuts].filter((at) => at > 0 && at < bytes.length).sort((a, b) => a - b),
    bytes.length,
  ];
  return sorted.slice(1).map((end, index) => bytes.subarray(sorted[index], end));
}

async function writeInPieces(
  res: ServerResponse,
  pieces: Buffer[],
  pauseMs: number,
): Promise<void> {
  for (const [index, piece] of pieces.entries()) {
    if (res.destroyed) return;
    if (index > 0 && pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    await new Promise<void>((resolve) => res.write(piece, () => resolve()));
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendRaw(res, status, JSON.stringify(body), 'application/json');
}

function sendRaw(
  res: ServerResponse,
  status: number,
  body: string,
  contentType = 'application/json',
): void {
  res.writeHead(status, { 'content-type': contentType });
  res.end(body);
}
