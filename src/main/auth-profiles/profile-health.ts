/**
 * The health rules of one auth profile (DESIGN.md "Auth profiles"), as pure functions of its
 * record, its current key and the time: a rejected key (401/403) disables the profile until
 * the key changes; a rate limit, a 5xx, a timeout or a lost connection cools it down for
 * 1 min, 5 min, 25 min, then 1 h (or as long as `Retry-After` asks); a success resets it.
 */
import { createHash } from 'node:crypto';
import { GatewayError } from '../../shared/errors.js';

/** Cooldown after the 1st, 2nd, 3rd and every later consecutive failure. */
export const COOLDOWN_STEPS_MS: readonly number[] = Object.freeze([
  60_000, 300_000, 1_500_000, 3_600_000,
]);
/** Hex digits of the salted key hash kept to notice that a disabled profile's key changed. */
export const KEY_HASH_HEX_DIGITS = 16;

/** What the state file keeps about one profile. Never the key: only a salted hash prefix. */
export interface ProfileRecord {
  lastUsedAtMs?: number | undefined;
  /** Consecutive cooldown-worthy failures since the last success. */
  failures?: number | undefined;
  cooldownUntilMs?: number | undefined;
  disabled?: { keyHash: string; reason: string; atMs: number } | undefined;
  lastError?: { httpStatus?: number | undefined; code: string; atMs: number } | undefined;
}

export type ProfileHealth =
  | { state: 'ready' }
  | { state: 'cooldown'; untilMs: number }
  | { state: 'disabled'; reason: string };

/** How a failed request counts against the profile that made it. */
export interface ClassifiedFailure {
  /** `rejected`: disable. `transient`: cool down, try the next. `other`: the run's own error. */
  kind: 'rejected' | 'transient' | 'other';
  /** The `details.code` (or protocol code) of the error. */
  code: string;
  httpStatus?: number | undefined;
  retryAfterMs?: number | undefined;
}

/** The salted hash prefix that stands for `key` in the state file. */
export function keyHashOf(salt: string, key: string): string {
  return createHash('sha256').update(`${salt}\n${key}`).digest('hex').slice(0, KEY_HASH_HEX_DIGITS);
}

/** The profile's state now: disabled only while its key is the one that was rejected. */
export function healthOf(
  record: ProfileRecord | undefined,
  keyHash: string,
  nowMs: number,
): ProfileHealth {
  if (record?.disabled && record.disabled.keyHash === keyHash)
    return { state: 'disabled', reason: record.disabled.reason };
  const until = record?.cooldownUntilMs;
  if (until !== undefined && until > nowMs) return { state: 'cooldown', untilMs: until };
  return { state: 'ready' };
}

/** The record after an answer: cooldown and failure count reset, an old disable dropped. */
export function afterSuccess(record: ProfileRecord | undefined, nowMs: number): ProfileRecord {
  return { ...(record?.lastError ? { lastError: record.lastError } : {}), lastUsedAtMs: nowMs };
}

/** The record after `failure` with the key whose hash is `keyHash`. */
export function afterFailure(
  record: ProfileRecord | undefined,
  failure: ClassifiedFailure,
  keyHash: string,
  nowMs: number,
): ProfileRecord {
  const lastError = {
    ...(failure.httpStatus === undefined ? {} : { httpStatus: failure.httpStatus }),
    code: failure.code,
    atMs: nowMs,
  };
  const next: ProfileRecord = { ...record, lastUsedAtMs: nowMs, lastError };
  if (failure.kind === 'rejected') {
    const status = failure.httpStatus === undefined ? '' : ` (HTTP ${failure.httpStatus})`;
    const reason = `the provider rejected this key${status}; add a new key to enable it again`;
    return { ...next, disabled: { keyHash, reason, atMs: nowMs } };
  }
  if (failure.kind !== 'transient') return next;
  const failures = (record?.failures ?? 0) + 1;
  const step = COOLDOWN_STEPS_MS[Math.min(failures, COOLDOWN_STEPS_MS.length) - 1] ?? 0;
  return { ...next, failures, cooldownUntilMs: nowMs + (failure.retryAfterMs ?? step) };
}

/**
 * Sorts a provider failure into what it means for the profile (DESIGN.md): 401/403 →
 * `rejected`; 408, 429, 5xx, no connection, a timeout or a connection lost mid-answer →
 * `transient`; any other answer (a bad request, an unknown model) and anything that is not
 * a provider error → `other`, which no other key would fix.
 */
export function classifyFailure(error: unknown): ClassifiedFailure {
  if (!(error instanceof GatewayError)) return { kind: 'other', code: 'INTERNAL' };
  const detailCode = error.details?.code;
  const code = typeof detailCode === 'string' ? detailCode : error.code;
  const status = error.details?.httpStatus;
  const httpStatus = typeof status === 'number' ? status : undefined;
  const base = {
    code,
    ...(httpStatus === undefined ? {} : { httpStatus }),
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
  };
  if (code === 'PROVIDER_REJECTED_KEY') return { kind: 'rejected', ...base };
  if (code === 'PROVIDER_UNREACHABLE') return { kind: 'transient', ...base };
  if (code !== 'PROVIDER_ERROR') return { kind: 'other', ...base };
  if (httpStatus === undefined || httpStatus === 408 || httpStatus === 429 || httpStatus >= 500)
    return { kind: 'transient', ...base };
  return { kind: 'other', ...base };
}
