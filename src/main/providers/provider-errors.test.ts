import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, retryAfterFrom } from './provider-errors.js';

describe('retryAfterFrom', () => {
  const now = Date.UTC(2025, 0, 31, 12, 0, 0);
  it('reads delay-seconds and an HTTP-date, as milliseconds from now', () => {
    expect(retryAfterFrom('30', now)).toBe(30_000);
    expect(retryAfterFrom(' 0 ', now)).toBe(0);
    expect(retryAfterFrom('Fri, 31 Jan 2025 12:02:00 GMT', now)).toBe(120_000);
  });
  it('ignores what it cannot read, clamps the past to 0 and caps a huge wait', () => {
    expect(retryAfterFrom(null, now)).toBeUndefined();
    expect(retryAfterFrom('soon', now)).toBeUndefined();
    expect(retryAfterFrom('-5', now)).toBeUndefined();
    expect(retryAfterFrom('Fri, 31 Jan 2025 11:00:00 GMT', now)).toBe(0);
    expect(retryAfterFrom('99999999999', now)).toBe(MAX_RETRY_AFTER_MS);
  });
});
