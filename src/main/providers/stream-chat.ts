/**
 * Picks the client for a provider type and the model for an agent. Adding a provider type
 * means one entry in `STREAM_FNS` (and the type in the config schema); see README.md.
 */
import type { AgentConfig, ProviderConfig } from '../../shared/config-schema.js';
import { GatewayError } from '../../shared/errors.js';
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

/**
 * The model an agent talks to: its own `model.name`, else the first of the provider's
 * `models`. Neither → CONFIG_INVALID naming both places to fix, for every provider type:
 * guessing a vendor model name would fail later and more confusingly.
 */
export function resolveModel(agent: AgentConfig, provider: ProviderConfig): string {
  const model = agent.model.name ?? provider.models?.[0];
  if (model !== undefined) return model;
  const providerId = agent.model.provider;
  throw GatewayError.of('CONFIG_INVALID', {
    message: `agent "${agent.id}" has no model (set agents.list[].model.name, or models.providers.${providerId}.models)`,
    details: { agent: agent.id, provider: providerId },
  });
}
