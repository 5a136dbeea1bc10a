/**
 * OpenAI-compatible chat completions, streamed (OpenAI, Ollama, vLLM, LM Studio, …):
 * `POST <baseUrl>/chat/completions` with `stream: true`, text in `choices[0].delta.content`,
 * the end marked by `data: [DONE]`. A body that ends without it is a complete answer only
 * when a chunk carried a `finish_reason` (some servers never send `[DONE]`); else the
 * stream was cut off, and the run fails rather than pass a cut reply off as whole.
 */
import { providerError, streamCutOff } from './provider-errors.js';
import { streamServerSentEvents } from './sse-request.js';
import { STREAM_DEFAULTS, endpoint } from './provider-types.js';
import type { ChatStreamRequest, StreamOptions } from './provider-types.js';

/** Streams one chat completion, yielding its text deltas in order, those of one read together. */
export async function* streamOpenAIChat(
  request: ChatStreamRequest,
  options: Partial<StreamOptions> = {},
): AsyncGenerator<string[], void, undefined> {
  const { provider, apiKey } = request;
  const events = streamServerSentEvents({
    provider,
    url: endpoint(provider.baseUrl, 'chat/completions'),
    // No key (a loopback server): no header at all, rather than an empty bearer.
    headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
    body: { model: request.model, messages: request.messages, stream: true },
    apiKey,
    signal: request.signal,
    options: { ...STREAM_DEFAULTS, ...options },
  });
  let finished = false;
  for await (const batch of events) {
    const texts: string[] = [];
    let end: 'done' | Error | undefined;
    for (const event of batch) {
      if (event.data.trim() === '[DONE]') {
        end = 'done';
        break;
      }
      const chunk = parseChunk(event.data, provider.id, apiKey);
      if (chunk.error !== undefined) {
        end = providerError(provider.id, chunk.error, apiKey);
        break;
      }
      if (chunk.text) texts.push(chunk.text);
      if (chunk.finished) finished = true;
    }
    // The text before an end or an error in the same read still goes out first.
    if (texts.length > 0) yield texts;
    if (end === 'done') return;
    if (end) throw end;
  }
  if (!finished) throw streamCutOff(provider.id, 'data: [DONE]', apiKey);
}

function parseChunk(
  data: string,
  providerId: string,
  apiKey: string | undefined,
): { text?: string; error?: string; finished?: boolean } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    throw providerError(providerId, 'sent a stream chunk that is not JSON', apiKey);
  }
  if (typeof parsed !== 'object' || parsed === null) return {};
  const record = parsed as { error?: unknown; choices?: unknown };
  // Ollama, vLLM and proxies report mid-stream failures as a chunk with an `error` field.
  if (record.error !== undefined && record.error !== null)
    return { error: errorText(record.error) };
  if (!Array.isArray(record.choices)) return {};
  const first = record.choices[0] as
    { delta?: { content?: unknown }; finish_reason?: unknown } | undefined;
  const content = first?.delta?.content;
  return {
    ...(typeof content === 'string' ? { text: content } : {}),
    ...(typeof first?.finish_reason === 'string' ? { finished: true } : {}),
  };
}

function errorText(error: unknown): string {
  if (typeof error === 'string') return error;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' ? message : 'error in stream';
}
