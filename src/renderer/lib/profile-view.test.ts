import { describe, expect, it } from 'vitest';
import { lastErrorText, lastUsedText, moveProfile, profileChip } from './profile-view.js';

const time = (ms: number) => `t${ms}`;

describe('an auth profile on the Providers page', () => {
  it('shows ready, cooldown until a time, or disabled as its chip', () => {
    expect(profileChip({ state: 'ready' }, time)).toEqual({ label: 'ready', tone: 'ok' });
    expect(profileChip({ state: 'cooldown', cooldownUntilMs: 42 }, time)).toEqual({
      label: 'cooldown until t42',
      tone: 'warn',
    });
    expect(profileChip({ state: 'disabled' }, time)).toEqual({
      label: 'disabled: key rejected',
      tone: 'danger',
    });
  });

  it('says when it was last used and what its last error was', () => {
    expect(lastUsedText({}, 0)).toBe('never used');
    expect(lastUsedText({ lastUsedAtMs: 0 }, 5 * 60_000)).toBe('last used 5 min ago');
    expect(
      lastErrorText(
        { lastError: { httpStatus: 401, code: 'PROVIDER_REJECTED_KEY', atMs: 0 } },
        10_000,
      ),
    ).toBe('last error HTTP 401 (PROVIDER_REJECTED_KEY) just now');
    expect(lastErrorText({ lastError: { code: 'PROVIDER_UNREACHABLE', atMs: 0 } }, 0)).toBe(
      'last error PROVIDER_UNREACHABLE just now',
    );
    expect(lastErrorText({}, 0)).toBeUndefined();
  });

  it('moves one place up or down, and stays put at either end or when unknown', () => {
    expect(moveProfile(['a', 'b', 'c'], 'c', -1)).toEqual(['a', 'c', 'b']);
    expect(moveProfile(['a', 'b', 'c'], 'a', 1)).toEqual(['b', 'a', 'c']);
    expect(moveProfile(['a', 'b'], 'a', -1)).toEqual(['a', 'b']);
    expect(moveProfile(['a', 'b'], 'b', 1)).toEqual(['a', 'b']);
    expect(moveProfile(['a', 'b'], 'x', 1)).toEqual(['a', 'b']);
  });
});
