/**
 * Lockout after repeated wrong secrets (DESIGN.md "Auth and locality": 10 failures in 60 s
 * under one key lock that key for 5 minutes). The caller picks the key: the client
 * address, or the Origin for browser connections.
 */
import type { Clock } from '../util/clock.js';

/** Named limits of {@link FailedAuthLimiter}, with their defaults in one place. */
export const FAILED_AUTH_LIMITS = {
  /** Failures within `windowMs` that lock a key. */
  maxFailures: 10,
  windowMs: 60_000,
  lockoutMs: 300_000,
  /** Keys remembered at once; the least recently failed key is forgotten past this. */
  maxKeys: 10_000,
} as const;

/** Options of {@link FailedAuthLimiter}; every limit defaults to {@link FAILED_AUTH_LIMITS}. */
export interface FailedAuthLimiterOptions {
  clock: Clock;
  maxFailures?: number;
  windowMs?: number;
  lockoutMs?: number;
  maxKeys?: number;
}

/** Whether a key may try a secret now. */
export type LimitState = { locked: false } | { locked: true; retryAfterMs: number };

interface KeyState {
  /** Times of recent failures, oldest first, at most `maxFailures` long. */
  failures: number[];
  lockedUntil: number | undefined;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`FailedAuthLimiter: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/**
 * Counts failed secrets per key in a sliding window and locks a key that reaches the
 * limit. Memory is bounded by `maxKeys`.
 */
export class FailedAuthLimiter {
  readonly #clock: Clock;
  readonly #maxFailures: number;
  readonly #windowMs: number;
  readonly #lockoutMs: number;
  readonly #maxKeys: number;
  /** Map order is recency of the last failure, so the first key is the one to evict. */
  readonly #keys = new Map<string, KeyState>();

  constructor(options: FailedAuthLimiterOptions) {
    this.#clock = options.clock;
    this.#maxFailures = positiveInteger(
      'maxFailures',
      options.maxFailures ?? FAILED_AUTH_LIMITS.maxFailures,
    );
    this.#windowMs = positiveInteger('windowMs', options.windowMs ?? FAILED_AUTH_LIMITS.windowMs);
    this.#lockoutMs = positiveInteger(
      'lockoutMs',
      options.lockoutMs ?? FAILED_AUTH_LIMITS.lockoutMs,
    );
    this.#maxKeys = positiveInteger('maxKeys', options.maxKeys ?? FAILED_AUTH_LIMITS.maxKeys);
  }

  /** Whether `key` is locked out now, and for how much longer. Call before any secret or signature work. */
  check(key: string): LimitState {
    const state = this.#keys.get(key);
    if (state?.lockedUntil === undefined) return { locked: false };
    const remaining = state.lockedUntil - this.#clock.now();
    if (remaining > 0) return { locked: true, retryAfterMs: remaining };
    // The lockout served its time: the key starts again with a clean slate.
    this.#keys.delete(key);
    return { locked: false };
  }

  /**
   * Records one wrong secret for `key` and returns the resulting state. Failures while
   * locked do not extend the lockout, so a client retrying blindly is let back in on time.
   */
  recordFailure(key: string): LimitState {
    const current = this.check(key);
    if (current.locked) return current;
    const now = this.#clock.now();
    const state = this.#keys.get(key) ?? { failures: [], lockedUntil: undefined };
    const recent = state.failures.filter((at) => now - at < this.#windowMs);
    recent.push(now);
    this.#keys.delete(key);
    if (recent.length >= this.#maxFailures) {
      this.#keys.set(key, { failures: [], lockedUntil: now + this.#lockoutMs });
      this.#evictOverflow();
      return { locked: true, retryAfterMs: this.#lockoutMs };
    }
    this.#keys.set(key, { failures: recent, lockedUntil: undefined });
    this.#evictOverflow();
    return { locked: false };
  }

  /** Forgets every key, e.g. when the shared secret was changed. */
  reset(): void {
    this.#keys.clear();
  }

  /** Number of keys currently remembered (for diagnostics). */
  get size(): number {
    return this.#keys.size;
  }

  #evictOverflow(): void {
    for (const key of this.#keys.keys()) {
      if (this.#keys.size <= this.#maxKeys) return;
      this.#keys.delete(key);
    }
  }
}
