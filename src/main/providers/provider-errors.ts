/**
 * Turns what goes wrong talking to a provider into registry errors (src/shared/errors.ts).
 * Every message names the provider id and passes through `scrubSecret`, so a provider that
 * echoes the request (headers included) can never leak the key into a response or a log.
 */
import { GatewayError, notFound } from '../../shared/errors.js';
import { DEFAULT_PROFILE } from '../../shared/provider-id.js';

/** Longest provider-supplied text we pass on. */
export const MAX_PROVIDER_MESSAGE_CHARS = 300;
/** Longest `Retry-After` we believe: a provider asking for more gets a cooldown this long. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

const REDACTED = '[redacted]';

/** The caller aborted the run. Not a provider failure, so it is no `GatewayError`. */
export class ChatAbortedError extends Error {
  constructor(message = 'chat run aborted') {
    super(message);
    this.name = 'ChatAbortedError';
  }
}

/** Why our own timer cut a request short; carried as the abort reason. */
export class ProviderTimeoutError extends Error {
  readonly phase: 'connect' | 'idle';
  readonly timeoutMs: number;

  constructor(phase: 'connect' | 'idle', timeoutMs: number) {
    super(`provider timeout (${phase}, ${timeoutMs} ms)`);
    this.name = 'ProviderTimeoutError';
    this.phase = phase;
    this.timeoutMs = timeoutMs;
  }
}

/** Replaces every occurrence of `secret` in `text`. */
export function scrubSecret(text: string, secret: string | undefined): string {
  if (!secret) return text;
  return text.split(secret).join(REDACTED);
}

/** The base URL without user info or query, safe to show. */
export function displayUrl(baseUrl: string): string {
  try {
    const url = new URL(baseUrl);
    return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
  } catch {
    return '(invalid baseUrl)';
  }
}

/** Finds the human message in an error body: `{error:{message}}` (both APIs), `{message}`, or text. */
export function messageFromBody(body: string): string {
  let text = body;
  try {
    const parsed: unknown = JSON.parse(body);
    text = pickMessage(parsed) ?? body;
  } catch {
    // Not JSON (an HTML error page, a proxy's text): use it as it is.
  }
  return text.replace(/\s+/g, ' ').trim();
}

function pickMessage(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const inner = record.error;
  if (typeof inner === 'string') return inner;
  if (typeof inner === 'object' && inner !== null) {
    const message = (inner as Record<string, unknown>).message;
    if (typeof message === 'string') return message;
  }
  return typeof record.message === 'string' ? record.message : undefined;
}

/** A provider id the config does not have; says how a person adds one. */
export function providerNotFound(providerId: string): GatewayError {
  return notFound(
    `provider "${providerId}" not found (add it first: special-agent onboard, or the Control UI's Providers page)`,
  );
}

/** 401/403: the key is wrong, expired or lacks access. */
export function rejectedKeyError(
  providerId: string,
  httpStatus: number,
  profile: string = DEFAULT_PROFILE,
): GatewayError {
  return GatewayError.of('PROVIDER_REJECTED_KEY', {
    message: `provider "${providerId}" rejected ${keyOf(profile)} (HTTP ${httpStatus}; set a new one with: ${setKeyCommand(providerId, profile)})`,
    details: { provider: providerId, httpStatus },
  });
}

/**
 * A key that cannot be sent at all (see apiKeyProblem), set where nothing checked it: the
 * environment, or the config file by hand. Like a rejected key, retrying cannot help.
 */
export function unusableKeyError(providerId: string, profile: string, problem: string) {
  return GatewayError.of('PROVIDER_REJECTED_KEY', {
    message: `${keyOf(profile)} of provider "${providerId}" ${problem} (set it again with: ${setKeyCommand(providerId, profile)})`,
    details: { provider: providerId },
  });
}

/** "the API key", or for a named profile "the API key of profile "work"". */
function keyOf(profile: string): string {
  return profile === DEFAULT_PROFILE ? 'the API key' : `the API key of profile "${profile}"`;
}

/** The command that replaces the key of `profile`: `default` is the provider's own apiKey. */
function setKeyCommand(providerId: string, profile: string): string {
  return profile === DEFAULT_PROFILE
    ? `special-agent configure set models.providers.${providerId}.apiKey -`
    : `special-agent models auth add ${providerId} ${profile}`;
}

/** Connection refused, DNS failure, TLS failure or our timeout. */
export function unreachableError(
  providerId: string,
  baseUrl: string,
  reason: string,
): GatewayError {
  return GatewayError.of('PROVIDER_UNREACHABLE', {
    message: `provider "${providerId}" unreachable at ${displayUrl(baseUrl)} (${reason}; check the provider baseUrl and that it is running)`,
    details: { provider: providerId },
  });
}

/**
 * Anything else the provider says went wrong, in its own words, trimmed and scrubbed. An
 * answer with `Retry-After` (429, 503) carries it as `retryAfterMs`.
 */
export function providerError(
  providerId: string,
  providerText: string,
  apiKey: string | undefined,
  details: Record<string, unknown> = {},
  retryAfterMs?: number,
): GatewayError {
  const text = scrubSecret(providerText, apiKey).slice(0, MAX_PROVIDER_MESSAGE_CHARS);
  const prefix =
    typeof details.httpStatus === 'number'
      ? `provider "${providerId}" answered HTTP ${details.httpStatus}`
      : `provider "${providerId}" failed`;
  return new GatewayError('PROVIDER_ERROR', text ? `${prefix}: ${text}` : prefix, {
    details: { provider: providerId, ...details },
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/**
 * A stream whose body ended before its end marker (`marker`): the connection was cut, so the
 * run fails (and the profile cools down as after any lost connection) instead of the cut
 * reply passing for a whole one.
 */
export function streamCutOff(providerId: string, marker: string, apiKey: string | undefined) {
  return providerError(
    providerId,
    `connection lost mid-response (the stream ended before ${marker})`,
    apiKey,
  );
}

/** The error for a non-2xx answer that is not a rejected key: status, provider text, Retry-After. */
export function httpStatusError(
  providerId: string,
  response: Response,
  body: string,
  apiKey: string | undefined,
): GatewayError {
  const retryAfterMs = retryAfterFrom(response.headers.get('retry-after'), Date.now());
  return providerError(
    providerId,
    messageFromBody(body),
    apiKey,
    { httpStatus: response.status },
    retryAfterMs,
  );
}

/**
 * A `Retry-After` header as milliseconds from `nowMs`: delay-seconds or an HTTP-date (RFC
 * 9110 10.2.3), at most {@link MAX_RETRY_AFTER_MS}; undefined when absent or unreadable.
 */
export function retryAfterFrom(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  // Date.parse takes almost anything ("-5" is a year); an HTTP-date has a month and a time.
  const looksLikeDate = /[A-Za-z]{3}/.test(text) && /\d{2}:\d{2}:\d{2}/.test(text);
  const atMs = /^\d+$/.test(text)
    ? nowMs + Number(text) * 1000
    : looksLikeDate
      ? Date.parse(text)
      : NaN;
  if (!Number.isFinite(atMs)) return undefined;
  return Math.min(Math.max(0, atMs - nowMs), MAX_RETRY_AFTER_MS);
}

/** A short reason for a failed `fetch`: the socket error code when undici gives one. */
export function networkReason(error: unknown): string {
  const cause =
    error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (error instanceof Error && error.cause instanceof Error) return error.cause.message;
  return error instanceof Error ? error.message : 'network error';
}
