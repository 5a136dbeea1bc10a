/**
 * Lockout after repeated wrong secrets (DESIGN.md "Auth and locality": 10 failures in 60 s
 * under one key lock that key for 5 minutes). The caller picks the key (see
 * `Authenticator`'s key rule). An attempt reserves a failure slot synchronously before any
 * asynchronous work, so concurrent attempts cannot all slip past the limit while the first
 * ones are still being checked.
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
  /**
   * `retryAfterMs` for an attempt refused because every remaining slot of its key is held
   * by attempts still being checked. Those settle within milliseconds (one signature
   * check), so the retry either gets a slot or finds the key locked.
   */
  inFlightRetryMs: 1_000,
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

/**
 * A failure slot held by one attempt. Settle it exactly once: `confirm` when the attempt
 * presented wrong secrets, `release` when it presented none (or none was checked). Later
 * calls do nothing, so a `finally { ticket.release() }` is a safe backstop.
 */
export interface FailureTicket {
  /** Records `count` (default 1) wrong secrets and frees the slot; returns the key's state. */
  confirm(count?: number): LimitState;
  /** Frees the slot without recording a failure. */
  release(): void;
}

/** The answer to {@link FailedAuthLimiter.reserve}. */
export type Reservation =
  { locked: false; ticket: FailureTicket } | { locked: true; retryAfterMs: number };

interface KeyState {
  /** Times of recent failures, oldest first. */
  failures: number[];
  lockedUntil: number | undefined;
  /** Slots held by attempts not yet settled. */
  inFlight: number;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`FailedAuthLimiter: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/**
 * Counts failed secrets per key in a sliding window and locks a key that reaches the
 * limit. Attempts in flight count against the limit until they settle. Memory is bounded
 * by `maxKeys`, plus keys with attempts in flight (which open connections bound) and keys
 * locked now (which the lockout's length bounds).
 */
export class FailedAuthLimiter {
  readonly #clock: Clock;
  readonly #maxFailures: number;
  readonly #windowMs: number;
  readonly #lockoutMs: number;
  readonly #maxKeys: number;
  /** Map order is recency of the last change, so the first key is the one to evict. */
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
    const state = this.#current(key);
    if (state?.lockedUntil === undefined) return { locked: false };
    return { locked: true, retryAfterMs: state.lockedUntil - this.#clock.now() };
  }

  /**
   * Takes a failure slot for one attempt, synchronously, before its secrets are checked.
   * Refused while the key is locked, and while its recent failures plus the attempts in
   * flight already reach the limit: then the attempt must not be checked at all.
   */
  reserve(key: string): Reservation {
    const state = this.#current(key) ?? { failures: [], lockedUntil: undefined, inFlight: 0 };
    const now = this.#clock.now();
    if (state.lockedUntil !== undefined)
      return { locked: true, retryAfterMs: state.lockedUntil - now };
    state.failures = state.failures.filter((at) => now - at < this.#windowMs);
    if (state.failures.length + state.inFlight >= this.#maxFailures)
      return { locked: true, retryAfterMs: FAILED_AUTH_LIMITS.inFlightRetryMs };
    state.inFlight += 1;
    this.#touch(key, state);
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      state.inFlight -= 1;
      return true;
    };
    return {
      locked: false,
      ticket: {
        confirm: (count = 1) => {
          if (!settle()) return this.check(key);
          return this.#record(key, state, count);
        },
        release: () => {
          if (!settle()) return;
          this.#forgetIfEmpty(key, state);
        },
      },
    };
  }

  /**
   * Records one wrong secret for `key` and returns the resulting state. Failures while
   * locked do not extend the lockout, so a client retrying blindly is let back in on time.
   */
  recordFailure(key: string): LimitState {
    const state = this.#current(key) ?? { failures: [], lockedUntil: undefined, inFlight: 0 };
    return this.#record(key, state, 1);
  }

  /** Forgets every key, e.g. when the shared secret was changed. */
  reset(): void {
    this.#keys.clear();
  }

  /** Number of keys currently remembered (for diagnostics). */
  get size(): number {
    return this.#keys.size;
  }

  /** The state of `key`, with a served lockout cleared (the key starts again clean). */
  #current(key: string): KeyState | undefined {
    const state = this.#keys.get(key);
    if (state?.lockedUntil === undefined || state.lockedUntil > this.#clock.now()) return state;
    state.lockedUntil = undefined;
    state.failures = [];
    this.#forgetIfEmpty(key, state);
    return this.#keys.get(key);
  }

  #record(key: string, state: KeyState, count: number): LimitState {
    // A ticket's key may have been reset meanwhile; its state is then the one to use.
    const live = this.#keys.get(key) ?? state;
    const current = this.check(key);
    if (current.locked) return current;
    const now = this.#clock.now();
    live.failures = live.failures.filter((at) => now - at < this.#windowMs);
    for (let i = 0; i < count; i += 1) live.failures.push(now);
    if (live.failures.length >= this.#maxFailures) {
      live.failures = [];
      live.lockedUntil = now + this.#lockoutMs;
    }
    this.#touch(key, live);
    return live.lockedUntil === undefined
      ? { locked: false }
      : { locked: true, retryAfterMs: this.#lockoutMs };
  }

  #forgetIfEmpty(key: string, state: KeyState): void {
    const empty =
      state.failures.length === 0 && state.lockedUntil === undefined && state.inFlight === 0;
    if (empty && this.#keys.get(key) === state) this.#keys.delete(key);
  }

  /**
   * Moves `key` to the most recent end and evicts the oldest keys past `maxKeys`. A locked
   * key stays until its lockout ends: failures under other keys (an attacker's other
   * addresses) must not lift it. The map is then bounded by time instead: a lock takes
   * `maxFailures` refused handshakes and ends after `lockoutMs`.
   */
  #touch(key: string, state: KeyState): void {
    this.#keys.delete(key);
    this.#keys.set(key, state);
    const now = this.#clock.now();
    for (const [candidate, held] of this.#keys) {
      if (this.#keys.size <= this.#maxKeys) return;
      const locked = held.lockedUntil !== undefined && held.lockedUntil > now;
      // A key with attempts in flight stays too: evicting it would hand its slots back.
      if (held.inFlight === 0 && !locked) this.#keys.delete(candidate);
    }
  }
}
