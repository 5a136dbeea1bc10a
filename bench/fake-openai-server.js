/**
 * The chat bench's model provider: an OpenAI-compatible `POST /v1/chat/completions` that
 * streams `BENCH_CHAT_TOKENS` tokens as server-sent events, one `chat.completion.chunk`
 * per token as the real service does, as fast as the socket takes them. It runs in its own
 * process (forked, like the other bench servers), so its CPU is neither the gateway's nor
 * the load generator's. The body is built once; every request gets the same bytes.
 */
import { createServer } from 'node:http';
import { announceReady, serveControl } from './lib/control.js';

const tokens = Number(process.env.BENCH_CHAT_TOKENS ?? 20_000);
if (!Number.isInteger(tokens) || tokens < 1) throw new Error('BENCH_CHAT_TOKENS: a count >= 1');

/** Token i of the reply; the load generator builds the same text to check what arrived. */
const token = (i) => `t${i} `;
const chunk = (delta, finish = null) =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'bench-model',
    choices: [{ index: 0, delta, finish_reason: finish }],
  })}\n\n`;
const events = [chunk({ role: 'assistant', content: token(0) })];
for (let i = 1; i < tokens; i += 1) events.push(chunk({ content: token(i) }));
events.push(chunk({}, 'stop'), 'data: [DONE]\n\n');
const frames = events.map((event) => Buffer.from(event));
/**
 * A conversation whose last message is `BENCH_SETUP_MESSAGE` gets the one-token reply
 * `ready` instead: the load generator starts each measured session with it; one whose last
 * message is `BENCH_SHORT_MESSAGE` gets the first `BENCH_SHORT_TOKENS` tokens of the long
 * reply, the length of an answer, on which the first token is timed (bench/lib/chat.js).
 */
const setupMessage = process.env.BENCH_SETUP_MESSAGE;
const shortMessage = process.env.BENCH_SHORT_MESSAGE;
const shortTokens = Number(process.env.BENCH_SHORT_TOKENS ?? 50);
const ending = [chunk({}, 'stop'), 'data: [DONE]\n\n'].map((event) => Buffer.from(event));
const setupFrames = [Buffer.from(chunk({ role: 'assistant', content: 'ready' })), ...ending];
const shortFrames = [...frames.slice(0, shortTokens), ...ending];

/** The reply for a request: by its last message (setup, short), else the long one. */
function replyFor(body) {
  let last;
  try {
    last = JSON.parse(body).messages?.at(-1)?.content;
  } catch {
    return frames;
  }
  if (setupMessage && last === setupMessage) return setupFrames;
  if (shortMessage && last === shortMessage) return shortFrames;
  return frames;
}

/** Writes every event, waiting for `drain` when the socket's buffer is full. */
async function stream(res, reply) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const frame of reply) {
    if (res.destroyed) return;
    if (!res.write(frame)) await new Promise((resolve) => res.once('drain', resolve));
  }
  res.end();
}

const server = createServer((req, res) => {
  const parts = [];
  req.on('data', (part) => parts.push(part));
  req.once('end', () => {
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"no route"}}');
      return;
    }
    void stream(res, replyFor(Buffer.concat(parts).toString('utf8')));
  });
});
server.keepAliveTimeout = 60_000;
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

serveControl({
  onStop: async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  },
});
announceReady({ port: server.address().port, tokens });
