/**
 * Picks the client for a provider type. Adding a provider type means one entry in
 * `STREAM_FNS` (and the type in the config schema); see README.md.
 */
import type { ProviderConfig } from '../../shared/config-schema.js';
import { streamAnthropicChat } from './stream-anthropic.js';
import { streamOpenAIChat } from './stream-openai.js';
import type { ChatStreamRequest, StreamChatFn, StreamOptions } from './provider-types.js';

/** One streaming client per provider type. */
export type StreamFns = Readonly<Record<ProviderConfig['type'], StreamChatFn>>;

export const STREAM_FNS: StreamFns = Object.freeze({
  openai: streamOpenAIChat,
  anthropic: streamAnthropicChat,
});

/** Streams text deltas from whichever provider type the request names. */
export function streamChat(
  request: ChatStreamRequest,
  options?: Partial<StreamOptions>,
  fns: StreamFns = STREAM_FNS,
): AsyncGenerator<string, void, undefined> {
  return fns[request.provider.type](request, options);
}
