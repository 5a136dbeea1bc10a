/**
 * The shared-secret check of `connect` for the `token`, `password` and `none` modes
 * (DESIGN.md "Auth and locality"). Device tokens are checked elsewhere.
 */
import type { AuthMode } from '../../shared/config-schema.js';
import { secretsEqual } from './secret-compare.js';

/** The secrets a client may present on `connect`. */
export interface SharedSecrets {
  token?: string | undefined;
  password?: string | undefined;
}

/** Why a shared secret was refused; each is a `details.code` of the error registry. */
export type SharedSecretDetailCode =
  'AUTH_TOKEN_MISSING' | 'AUTH_TOKEN_MISMATCH' | 'AUTH_PASSWORD_MISSING' | 'AUTH_PASSWORD_MISMATCH';

/** Outcome of {@link checkSharedSecret}. */
export type SharedSecretResult =
  | { ok: true }
  | {
      ok: false;
      detailCode: SharedSecretDetailCode;
      /** True for a wrong secret (feeds the failed-auth limiter); false for a missing one. */
      countsAsFailure: boolean;
    };

/**
 * Checks the presented secret against the expected one for `mode`. An empty string counts
 * as missing. When the gateway has no expected secret for its mode, nothing matches (fail
 * closed); the gateway refuses to start that way, so this is only a second line.
 */
export function checkSharedSecret(input: {
  mode: AuthMode;
  expected: SharedSecrets;
  presented: SharedSecrets;
}): SharedSecretResult {
  if (input.mode === 'none') return { ok: true };
  const kind = input.mode === 'token' ? 'TOKEN' : 'PASSWORD';
  const field = input.mode === 'token' ? 'token' : 'password';
  const presented = input.presented[field];
  if (presented === undefined || presented === '') {
    return { ok: false, detailCode: `AUTH_${kind}_MISSING`, countsAsFailure: false };
  }
  const expected = input.expected[field];
  // Compare even when nothing is expected, so the time taken does not reveal that.
  const equal = secretsEqual(presented, expected ?? '');
  if (equal && expected !== undefined && expected !== '') return { ok: true };
  return { ok: false, detailCode: `AUTH_${kind}_MISMATCH`, countsAsFailure: true };
}
