import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../shared/errors.js';
import { rejectedKeyError, providerError, unreachableError } from '../providers/provider-errors.js';
import {
  afterFailure,
  afterSuccess,
  classifyFailure,
  healthOf,
  keyHashOf,
  type ClassifiedFailure,
  type ProfileRecord,
} from './profile-health.js';

const MINUTE = 60_000;
const transient: ClassifiedFailure = { kind: 'transient', code: 'PROVIDER_ERROR', httpStatus: 503 };
const hash = keyHashOf('salt-salt-salt-salt', 'sk-key-one');

describe('profile health', () => {
  it('cools down 1 min, 5 min, 25 min, then 1 h for consecutive failures, and a success resets it', () => {
    let record: ProfileRecord | undefined;
    let now = 1_000_000;
    const lengths: number[] = [];
    for (let failure = 0; failure < 5; failure += 1) {
      record = afterFailure(record, transient, hash, now);
      lengths.push((record.cooldownUntilMs ?? now) - now);
      now = record.cooldownUntilMs ?? now;
    }
    expect(lengths).toEqual([MINUTE, 5 * MINUTE, 25 * MINUTE, 60 * MINUTE, 60 * MINUTE]);
    record = afterSuccess(record, now);
    expect(healthOf(record, hash, now)).toEqual({ state: 'ready' });
    record = afterFailure(record, transient, hash, now);
    expect(record.cooldownUntilMs).toBe(now + MINUTE);
  });

  it('honours Retry-After instead of the schedule', () => {
    const record = afterFailure(undefined, { ...transient, retryAfterMs: 30_000 }, hash, 5000);
    expect(healthOf(record, hash, 5000)).toEqual({ state: 'cooldown', untilMs: 35_000 });
    expect(healthOf(record, hash, 35_000)).toEqual({ state: 'ready' });
  });

  it('disables a rejected key until the key changes', () => {
    const rejected: ClassifiedFailure = {
      kind: 'rejected',
      code: 'PROVIDER_REJECTED_KEY',
      httpStatus: 401,
    };
    const record = afterFailure(undefined, rejected, hash, 0);
    expect(healthOf(record, hash, 10 * 24 * 60 * MINUTE)).toMatchObject({ state: 'disabled' });
    expect(healthOf(record, keyHashOf('salt-salt-salt-salt', 'sk-key-two'), 0)).toEqual({
      state: 'ready',
    });
    expect(JSON.stringify(record)).not.toContain('sk-key-one');
  });

  it('keeps only the last error for a failure no other key would fix', () => {
    const record = afterFailure(
      undefined,
      { kind: 'other', code: 'PROVIDER_ERROR', httpStatus: 400 },
      hash,
      7,
    );
    expect(record).toEqual({
      lastUsedAtMs: 7,
      lastError: { httpStatus: 400, code: 'PROVIDER_ERROR', atMs: 7 },
    });
    expect(healthOf(record, hash, 7)).toEqual({ state: 'ready' });
  });
});

describe('classifyFailure', () => {
  const rate = providerError('p', 'slow down', undefined, { httpStatus: 429 }, 12_000);
  it.each([
    [
      '401/403',
      rejectedKeyError('p', 403),
      { kind: 'rejected', code: 'PROVIDER_REJECTED_KEY', httpStatus: 403 },
    ],
    [
      '429 with Retry-After',
      rate,
      { kind: 'transient', code: 'PROVIDER_ERROR', httpStatus: 429, retryAfterMs: 12_000 },
    ],
    [
      '5xx',
      providerError('p', 'oops', undefined, { httpStatus: 502 }),
      { kind: 'transient', httpStatus: 502 },
    ],
    [
      'a refused connection or timeout',
      unreachableError('p', 'http://x', 'ECONNREFUSED'),
      { kind: 'transient', code: 'PROVIDER_UNREACHABLE' },
    ],
    [
      'a connection lost mid-answer',
      providerError('p', 'connection lost', undefined),
      { kind: 'transient' },
    ],
    [
      '400',
      providerError('p', 'bad model', undefined, { httpStatus: 400 }),
      { kind: 'other', httpStatus: 400 },
    ],
    [
      'a config error',
      GatewayError.of('CONFIG_INVALID'),
      { kind: 'other', code: 'CONFIG_INVALID' },
    ],
    ['a bug', new TypeError('x is undefined'), { kind: 'other', code: 'INTERNAL' }],
  ])('%s', (_name, error, expected) => {
    expect(classifyFailure(error)).toMatchObject(expected);
  });
});
