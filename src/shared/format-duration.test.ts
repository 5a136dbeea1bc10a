import { describe, expect, it } from 'vitest';
import { GatewayError } from './errors.js';
import { formatRetry } from './format-duration.js';

describe('formatRetry', () => {
  it('reads as minutes and seconds, rounding up so "try again" is never early', () => {
    expect(formatRetry(252_000)).toBe('4 min 12 s');
    expect(formatRetry(251_001)).toBe('4 min 12 s');
    expect(formatRetry(300_000)).toBe('5 min');
    expect(formatRetry(42_000)).toBe('42 s');
    expect(formatRetry(1)).toBe('1 s');
    expect(formatRetry(0)).toBe('a moment');
    expect(formatRetry(3_900_000)).toBe('1 h 5 min');
  });
});

describe('messages with a retry time', () => {
  it('AUTH_RATE_LIMITED says when to try again, not "retryAfterMs"', () => {
    const error = GatewayError.of('AUTH_RATE_LIMITED', { retryAfterMs: 252_000 });
    expect(error.message).toBe(
      'unauthorized: too many failed attempts (try again in 4 min 12 s, then check the secret)',
    );
    expect(error.retryAfterMs).toBe(252_000);
  });

  it('PAIRING_LIMIT_REACHED says when a slot frees up, not "retryAfterMs"', () => {
    const error = GatewayError.of('PAIRING_LIMIT_REACHED', { retryAfterMs: 285_000 });
    expect(error.message).toBe(
      'pairing request limit reached (approve or reject pending requests, or try again in 4 min 45 s)',
    );
  });
});
