import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.js';

describe('Backoff', () => {
  it('doubles from 0.5 s up to 10 s and starts over after a success', () => {
    const backoff = new Backoff({ jitter: 0 });
    const delays = Array.from({ length: 7 }, () => backoff.next());
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
    backoff.reset();
    expect(backoff.next()).toBe(500);
  });

  it('never exceeds the maximum, jitter included', () => {
    const backoff = new Backoff({}, () => 1);
    for (let i = 0; i < 10; i++) expect(backoff.next()).toBeLessThanOrEqual(10_000);
  });
});
