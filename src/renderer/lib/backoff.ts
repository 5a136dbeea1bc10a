/** Reconnect delays: doubling from `initialMs` up to `maxMs`, with a little jitter. */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Fraction of the delay added at random, so many tabs do not retry in lockstep. */
  jitter: number;
}

/** Defaults for {@link BackoffOptions}: 0.5 s → 10 s. */
export const BACKOFF_DEFAULTS: BackoffOptions = { initialMs: 500, maxMs: 10_000, jitter: 0.2 };

/** Counts failed attempts and hands out the next delay. */
export class Backoff {
  readonly #options: BackoffOptions;
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: Partial<BackoffOptions> = {}, random: () => number = Math.random) {
    this.#options = { ...BACKOFF_DEFAULTS, ...options };
    this.#random = random;
  }

  /** The delay before the next attempt; each call counts one more failure. */
  next(): number {
    const { initialMs, maxMs, jitter } = this.#options;
    const base = Math.min(maxMs, initialMs * 2 ** this.#attempt);
    this.#attempt++;
    return Math.min(maxMs, Math.round(base * (1 + jitter * this.#random())));
  }

  reset(): void {
    this.#attempt = 0;
  }
}
