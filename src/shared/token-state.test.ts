import { describe, expect, it } from 'vitest';
import { tokenState } from './token-state.js';

const token = (
  createdAtMs: number,
  extra: { rotatedAtMs?: number; revokedAtMs?: number } = {},
) => ({
  role: 'operator',
  createdAtMs,
  ...extra,
});

describe('tokenState', () => {
  it('says none for a device that never got a token', () => {
    expect(tokenState({ tokens: [] })).toBe('none');
  });

  it('reads the newest token by creation time, not by position', () => {
    expect(tokenState({ tokens: [token(20), token(10, { revokedAtMs: 15 })] })).toBe('active');
    expect(tokenState({ tokens: [token(10), token(20, { rotatedAtMs: 25 })] })).toBe('rotated');
  });

  it('says revoked over rotated', () => {
    expect(tokenState({ tokens: [token(10, { rotatedAtMs: 11, revokedAtMs: 12 })] })).toBe(
      'revoked',
    );
  });
});
