import { describe, expect, it } from 'vitest';
import { checkSharedSecret } from './auth-mode.js';
import { secretsEqual } from './secret-compare.js';

describe('secretsEqual', () => {
  it('is true only for identical strings, whatever the lengths', () => {
    expect(secretsEqual('s3cret-token', 's3cret-token')).toBe(true);
    expect(secretsEqual('s3cret-token', 's3cret-tokeN')).toBe(false);
    expect(secretsEqual('s3cret-token', 's3cret')).toBe(false);
    expect(secretsEqual('', 'x'.repeat(10_000))).toBe(false);
    expect(secretsEqual('', '')).toBe(true);
    expect(secretsEqual('é', 'e\u0301')).toBe(false);
  });
});

describe('checkSharedSecret', () => {
  const expected = { token: 'right-token', password: 'right-password' };

  it('accepts the right secret for the mode', () => {
    expect(
      checkSharedSecret({ mode: 'token', expected, presented: { token: 'right-token' } }),
    ).toEqual({ ok: true });
    expect(
      checkSharedSecret({ mode: 'password', expected, presented: { password: 'right-password' } }),
    ).toEqual({
      ok: true,
    });
  });

  it('reports a missing secret without counting it as a failure', () => {
    expect(checkSharedSecret({ mode: 'token', expected, presented: {} })).toEqual({
      ok: false,
      detailCode: 'AUTH_TOKEN_MISSING',
      countsAsFailure: false,
    });
    expect(checkSharedSecret({ mode: 'password', expected, presented: { password: '' } })).toEqual({
      ok: false,
      detailCode: 'AUTH_PASSWORD_MISSING',
      countsAsFailure: false,
    });
  });

  it('counts a wrong secret as a failure', () => {
    expect(
      checkSharedSecret({ mode: 'token', expected, presented: { token: 'right-token ' } }),
    ).toEqual({
      ok: false,
      detailCode: 'AUTH_TOKEN_MISMATCH',
      countsAsFailure: true,
    });
    expect(
      checkSharedSecret({ mode: 'password', expected, presented: { password: 'guess' } }),
    ).toEqual({
      ok: false,
      detailCode: 'AUTH_PASSWORD_MISMATCH',
      countsAsFailure: true,
    });
  });

  it('does not let the secret of the other mode stand in', () => {
    const result = checkSharedSecret({
      mode: 'password',
      expected,
      presented: { token: 'right-token' },
    });
    expect(result).toMatchObject({ ok: false, detailCode: 'AUTH_PASSWORD_MISSING' });
  });

  it('fails closed when the gateway has no secret configured for its mode', () => {
    expect(
      checkSharedSecret({ mode: 'token', expected: {}, presented: { token: '' } }),
    ).toMatchObject({ ok: false });
    expect(
      checkSharedSecret({ mode: 'token', expected: { token: '' }, presented: { token: 'x' } }),
    ).toMatchObject({
      ok: false,
      detailCode: 'AUTH_TOKEN_MISMATCH',
    });
  });

  it('lets everyone in under mode none', () => {
    expect(checkSharedSecret({ mode: 'none', expected: {}, presented: {} })).toEqual({ ok: true });
  });
});
