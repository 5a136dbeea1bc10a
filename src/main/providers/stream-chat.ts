/**
 * Picks the client for a provider type. Adding a provider type means one entry in
 * `STREAM_FNS` (and the type in the config schema); see README.md.
 */
import type { ProviderConfig } from '../../shared/config-schema.js';
import { streamAnthropicChat } from './stream-anthropic.js';
import { ChatAbortedError } from './provider-errors.js';
import { streamOpenAIChat } from './stream-openai.js';
import type { ChatStreamRequest, StreamChatFn, StreamOptions } from './provider-types.js';

/** One streaming client per provider type. */
export type StreamFns = Readonly<Record<ProviderConfig['type'], StreamChatFn>>;

export const STREAM_FNS: StreamFns = Object.freeze({
  openai: streamOpenAIChat,
  anthropic: streamAnthropicChat,
});

/**
 * Streams the text deltas of whichever provider type the request names, those of one
 * network read in one array: what the chat service relays (one await per read, not per token).
 */
export function streamChatBatches(
  request: ChatStreamRequest,
  options?: Partial<StreamOptions>,
  fns: StreamFns = STREAM_FNS,
): AsyncGenerator<string[], void, undefined> {
  return fns[request.provider.type](request, options);
}

/** The same deltas one by one, for callers that want each as the provider sent it. */
export async function* streamChat(
  request: ChatStreamRequest,
  options?: Partial<StreamOptions>,
  fns: StreamFns = STREAM_FNS,
): AsyncGenerator<string, void, undefined> {
  for await (const texts of streamChatBatches(request, options, fns)) {
    for (const text of texts) {
      // Deltas already parsed when the caller aborted are not delivered after the abort.
      if (request.signal?.aborted) throw new ChatAbortedError();
      yield text;
    }
  }
}
