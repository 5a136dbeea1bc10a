import { describe, expect, it } from 'vitest';
import { formatAge } from './format-age.js';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;

describe('formatAge, page style (Control UI)', () => {
  it('reads anything under 45 s, and a time ahead, as "just now"', () => {
    expect(formatAge(44 * S, 'page')).toBe('just now');
    expect(formatAge(-10 * MIN, 'page')).toBe('just now');
  });

  it('rounds to the nearest minute, hour or day', () => {
    expect(formatAge(45 * S, 'page')).toBe('1 min ago');
    expect(formatAge(2 * MIN + 30 * S, 'page')).toBe('3 min ago');
    expect(formatAge(59 * MIN, 'page')).toBe('59 min ago');
    expect(formatAge(90 * MIN, 'page')).toBe('2 h ago');
    expect(formatAge(47 * H, 'page')).toBe('47 h ago');
    expect(formatAge(60 * H, 'page')).toBe('3 d ago');
  });
});

describe('formatAge, terminal style (CLI)', () => {
  it('shows seconds past the first five, whole units only', () => {
    expect(formatAge(4 * S, 'terminal')).toBe('just now');
    expect(formatAge(42 * S, 'terminal')).toBe('42 s ago');
    expect(formatAge(2 * MIN + 59 * S, 'terminal')).toBe('2 min ago');
    expect(formatAge(47 * H + 59 * MIN, 'terminal')).toBe('47 h ago');
    expect(formatAge(5 * 24 * H, 'terminal')).toBe('5 days ago');
  });

  it('says how far ahead a time in the future is, as an expiry reads', () => {
    expect(formatAge(-4 * MIN, 'terminal')).toBe('in 4 min');
    expect(formatAge(-2 * S, 'terminal')).toBe('just now');
  });
});

describe('formatAge, menu style (tray)', () => {
  it('speaks in whole minutes at the finest, so a menu is stable within a minute', () => {
    expect(formatAge(59 * S, 'menu')).toBe('just now');
    expect(formatAge(MIN, 'menu')).toBe('1 min ago');
    expect(formatAge(2 * MIN + 59 * S, 'menu')).toBe('2 min ago');
    expect(formatAge(-5 * S, 'menu')).toBe('just now');
  });

  it('turns to days after a day', () => {
    expect(formatAge(23 * H + 59 * MIN, 'menu')).toBe('23 h ago');
    expect(formatAge(24 * H, 'menu')).toBe('1 d ago');
    expect(formatAge(50 * H, 'menu')).toBe('2 d ago');
  });
});
