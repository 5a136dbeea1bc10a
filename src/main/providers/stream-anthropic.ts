/**
 * Anthropic Messages API, streamed: `POST <baseUrl>/messages` with `x-api-key` and
 * `anthropic-version`, text in `content_block_delta` events (`text_delta`), failures as
 * `error` events, the end marked by `message_stop` (or at least a `message_delta` with its
 * `stop_reason`); a body that ends before either was cut off, and the run fails.
 */
import { providerError, streamCutOff } from './provider-errors.js';
import { streamServerSentEvents } from './sse-request.js';
import { STREAM_DEFAULTS, endpoint } from './provider-types.js';
import type { ChatMessage, ChatStreamRequest, StreamOptions } from './provider-types.js';

/** The API version we speak; sent on every request, the probe too. */
export const ANTHROPIC_VERSION = '2023-06-01';

/** Anthropic request headers: the key only when there is one. */
export function anthropicHeaders(apiKey: string | undefined): Record<string, string> {
  return { 'anthropic-version': ANTHROPIC_VERSION, ...(apiKey ? { 'x-api-key': apiKey } : {}) };
}

/** Streams one message, yielding its text deltas in order, those of one read together. */
export async function* streamAnthropicChat(
  request: ChatStreamRequest,
  options: Partial<StreamOptions> = {},
): AsyncGenerator<string[], void, undefined> {
  const { provider, apiKey } = request;
  const resolved = { ...STREAM_DEFAULTS, ...options };
  const { system, messages } = splitSystem(request.messages);
  const events = streamServerSentEvents({
    provider,
    url: endpoint(provider.baseUrl, 'messages'),
    headers: anthropicHeaders(apiKey),
    body: {
      model: request.model,
      max_tokens: resolved.maxTokens,
      messages,
      ...(system ? { system } : {}),
      stream: true,
    },
    apiKey,
    signal: request.signal,
    options: resolved,
  });
  let finished = false;
  for await (const batch of events) {
    const texts: string[] = [];
    let end: 'stop' | Error | undefined;
    for (const event of batch) {
      const data = parseEvent(event.data, provider.id, apiKey);
      // The JSON `type` is authoritative; the SSE `event:` name is only a fallback.
      const type = typeof data.type === 'string' ? data.type : event.event;
      if (type === 'message_stop') {
        end = 'stop';
        break;
      }
      if (type === 'error') {
        end = providerError(provider.id, errorText(data.error), apiKey);
        break;
      }
      if (type === 'message_delta') finished ||= hasStopReason(data.delta);
      if (type !== 'content_block_delta') continue;
      const delta = data.delta as { type?: unknown; text?: unknown } | undefined;
      if (delta?.type === 'text_delta' && typeof delta.text === 'string' && delta.text)
        texts.push(delta.text);
    }
    // The text before an end or an error in the same read still goes out first.
    if (texts.length > 0) yield texts;
    if (end === 'stop') return;
    if (end) throw end;
  }
  // No message_stop: a cut connection, unless a message_delta already gave the stop reason
  // (a compatible server that leaves the last event out).
  if (!finished) throw streamCutOff(provider.id, 'message_stop', apiKey);
}

function hasStopReason(delta: unknown): boolean {
  return typeof (delta as { stop_reason?: unknown } | undefined)?.stop_reason === 'string';
}

/** The Messages API takes system text as a top-level field, not as a message. */
function splitSystem(all: readonly ChatMessage[]): {
  system: string;
  messages: { role: 'user' | 'assistant'; content: string }[];
} {
  const system = all
    .filter((message) => message.role === 'system')
    .map((message) => message.content)
    .join('\n\n');
  const messages = all.flatMap((message) =>
    message.role === 'system' ? [] : [{ role: message.role, content: message.content }],
  );
  return { system, messages };
}

function parseEvent(
  data: string,
  providerId: string,
  apiKey: string | undefined,
): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(data);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    throw providerError(providerId, 'sent an event that is not JSON', apiKey);
  }
}

function errorText(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'error event';
  const { type, message } = error as { type?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : 'error event';
  return typeof type === 'string' ? `${type}: ${text}` : text;
}
