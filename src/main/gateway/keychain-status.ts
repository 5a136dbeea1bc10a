import type { KeychainProbe, SecretStore } from '../secrets/keychain.js';
import type { Clock } from '../util/clock.js';

/**
 * How long `status` waits for a keychain probe when it has no earlier answer to give. A
 * keychain that does not answer must not hold `status` up (its own deadline is seconds).
 */
export const DEFAULT_KEYCHAIN_STATUS_WAIT_MS = 1000;

/** What {@link KeychainStatus} needs. */
export interface KeychainStatusOptions {
  /** `backend` (OsKeychain has it) names the store while no probe has answered yet. */
  keychain: Pick<SecretStore, 'probe'> & { readonly backend?: string };
  clock: Clock;
  /** `GatewayLimits.keychainStatusTtlMs`. */
  ttlMs: number;
  waitMs?: number;
}

/**
 * The keychain's availability as `status` reports it. Asking the OS keychain is a D-Bus
 * (or Keychain Services) round trip, about a millisecond: dozens of times the cost of the
 * rest of a `status` call (bench/README.md). So one answer serves every `status` for
 * `ttlMs`, and callers that arrive while a probe is running share it. Past `ttlMs` the
 * last answer is still given at once while a new probe runs, so a keychain that hangs
 * never holds `status` up; with no answer yet, `status` waits at most `waitMs`.
 */
export class KeychainStatus {
  readonly #options: KeychainStatusOptions;
  #last: { probe: KeychainProbe; atMs: number } | undefined;
  #inFlight: Promise<KeychainProbe> | undefined;

  constructor(options: KeychainStatusOptions) {
    this.#options = options;
  }

  /** The latest probe, at most `ttlMs` old when the keychain answers in time. */
  current(): Promise<KeychainProbe> {
    const { clock, ttlMs } = this.#options;
    const last = this.#last;
    if (last !== undefined && clock.now() - last.atMs < ttlMs) return Promise.resolve(last.probe);
    const probing = this.#probe();
    if (last !== undefined) return Promise.resolve(last.probe);
    return this.#atMost(probing);
  }

  /** Forgets the cached answer, e.g. after a keychain call failed: the next `status` asks anew. */
  invalidate(): void {
    this.#last = undefined;
  }

  #probe(): Promise<KeychainProbe> {
    const { keychain, clock } = this.#options;
    this.#inFlight ??= keychain
      .probe()
      .then((probe) => {
        this.#last = { probe, atMs: clock.now() };
        return probe;
      })
      .finally(() => {
        this.#inFlight = undefined;
      });
    return this.#inFlight;
  }

  #atMost(probing: Promise<KeychainProbe>): Promise<KeychainProbe> {
    const { keychain, waitMs = DEFAULT_KEYCHAIN_STATUS_WAIT_MS } = this.#options;
    // Not an answer from the store, so not cached: the probe's own answer replaces it.
    const unanswered: KeychainProbe = {
      available: false,
      backend: keychain.backend ?? 'unknown',
      error: `the keychain has not answered yet (waited ${waitMs} ms)`,
    };
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<KeychainProbe>((resolve) => {
      timer = setTimeout(() => resolve(unanswered), waitMs);
      timer.unref();
    });
    return Promise.race([probing, late]).finally(() => clearTimeout(timer));
  }
}
