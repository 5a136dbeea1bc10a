/**
 * What to do about a failed answer: a link to the provider to fix, and when a key is usable
 * again. Read from the gateway's error (`details.code`, `details.provider`,
 * `details.attempts`, `retryAfterMs`); the message itself is shown verbatim elsewhere.
 */
import type { ChatFailure } from './chat-thread.js';
import { formatDuration } from './format.js';

export interface ChatAdvice {
  /** The provider whose form fixes it, when the error names one. */
  provider?: string;
  /** The link text to that form. */
  fix?: string;
  /** "A key can be used again in 5 min." for a cooldown. */
  retry?: string;
}

/** The provider an error names: `details.provider`, else the first attempt's. */
function providerOf(error: ChatFailure): string | undefined {
  const { details } = error;
  if (typeof details?.provider === 'string') return details.provider;
  const attempts = details?.attempts;
  if (!Array.isArray(attempts)) return undefined;
  const first: unknown = attempts[0];
  if (typeof first !== 'object' || first === null) return undefined;
  const provider = (first as { provider?: unknown }).provider;
  return typeof provider === 'string' ? provider : undefined;
}

function fixText(code: string, provider: string): string {
  switch (code) {
    case 'PROVIDER_NO_CREDENTIALS':
      return `Add an API key for “${provider}”`;
    case 'PROVIDER_REJECTED_KEY':
      return `Replace the API key of “${provider}”`;
    case 'PROVIDER_UNREACHABLE':
      return `Check the base URL of “${provider}”`;
    case 'PROVIDER_EXHAUSTED':
      return `Check the keys of “${provider}”`;
    default:
      return `Check the provider “${provider}”`;
  }
}

/** Advice for `error`; empty when it names no provider and no wait. */
export function chatAdvice(error: ChatFailure): ChatAdvice {
  const code = typeof error.details?.code === 'string' ? error.details.code : error.code;
  const provider = providerOf(error);
  const wait = error.retryAfterMs;
  return {
    ...(provider ? { provider, fix: fixText(code, provider) } : {}),
    ...(typeof wait === 'number' && wait > 0
      ? { retry: `A key can be used again in ${formatDuration(Math.max(wait, 1000))}.` }
      : {}),
  };
}
