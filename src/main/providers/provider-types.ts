/**
 * Shapes shared by the provider clients, the probe, auth status and the chat service.
 * Every provider limit has its default here, in one place (STYLE.md "Every limit is a named option").
 */
import type { ProviderConfig } from '../../shared/config-schema.js';

/** The part of a configured provider a client needs: its config key plus type and URL. */
export interface ProviderRef {
  id: string;
  type: ProviderConfig['type'];
  baseUrl: string;
}

/** One chat turn as sent upstream. */
export interface ChatMessage {
  role: 'user' | 'assistant' | 'system';
  content: string;
}

/** One streaming chat request to a provider. */
export interface ChatStreamRequest {
  provider: ProviderRef;
  /** Absent for providers that need none (loopback); then no auth header is sent at all. */
  apiKey?: string | undefined;
  model: string;
  messages: readonly ChatMessage[];
  /** The caller's cancel switch; aborting it ends the stream with `ChatAbortedError`. */
  signal?: AbortSignal | undefined;
}

/** Tunables of a streaming request. */
export interface StreamOptions {
  /** From sending the request until the response headers arrive. */
  connectTimeoutMs: number;
  /** Longest silence between two body chunks once the response has started. */
  idleTimeoutMs: number;
  /** How much of an error response body is read to find the provider's message. */
  maxErrorBodyBytes: number;
  /** Anthropic requires `max_tokens`; OpenAI-compatible servers get none (their default). */
  maxTokens: number;
  /**
   * Longest server-sent event (or unfinished line) held while parsing, in UTF-16 code
   * units; past it the stream fails PROVIDER_ERROR instead of buffering without end.
   */
  maxEventChars: number;
}

export const STREAM_DEFAULTS: Readonly<StreamOptions> = Object.freeze({
  connectTimeoutMs: 15_000,
  idleTimeoutMs: 60_000,
  maxErrorBodyBytes: 16_384,
  maxTokens: 4096,
  maxEventChars: 1024 * 1024,
});

/**
 * A provider client: yields the reply's text deltas in order, as one array per network
 * read (never empty, no empty string); throws `GatewayError` or `ChatAbortedError`.
 */
export type StreamChatFn = (
  request: ChatStreamRequest,
  options?: Partial<StreamOptions>,
) => AsyncGenerator<string[], void, undefined>;

/**
 * A resolved secret, as the secrets module (src/main/secrets/resolve.ts) reports it:
 * declared here structurally so the two modules can be written apart.
 */
export interface ResolvedSecret {
  value?: string | undefined;
  source: 'env' | 'config' | 'keychain' | 'none';
  envVar?: string | undefined;
  /** Why the keychain could not be read (then `source` is `none`). */
  error?: Error | undefined;
}

/** Looks up a provider's API key: env, then config, then keychain. Called on every request. */
export type ResolveKey = (providerId: string) => Promise<ResolvedSecret>;

/** `<baseUrl>/<path>` whether or not the configured URL ends with a slash. */
export function endpoint(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${path}`;
}
