import { describe, expect, it } from 'vitest';
import { formatAge, formatCountdown, formatDuration } from './format.js';

describe('formatters', () => {
  it('say how long ago, how long, and how long to wait', () => {
    expect(formatAge(0, 10_000)).toBe('just now');
    expect(formatAge(0, 5 * 60_000)).toBe('5 min ago');
    expect(formatAge(0, 3 * 3_600_000)).toBe('3 h ago');
    expect(formatDuration(2 * 3_600_000 + 5 * 60_000)).toBe('2 h 5 min');
    expect(formatCountdown(61_000)).toBe('1:01');
  });
});
