import type { KeychainProbe, SecretStore } from '../secrets/keychain.js';
import type { Clock } from '../util/clock.js';

/** What {@link KeychainStatus} needs. */
export interface KeychainStatusOptions {
  keychain: Pick<SecretStore, 'probe'>;
  clock: Clock;
  /** `GatewayLimits.keychainStatusTtlMs`. */
  ttlMs: number;
}

/**
 * The keychain's availability as `status` reports it. Asking the OS keychain is a D-Bus
 * (or Keychain Services) round trip, about a millisecond: dozens of times the cost of the
 * rest of a `status` call (bench/README.md). So one answer serves every `status` for
 * `ttlMs`, and callers that arrive while a probe is running share it.
 */
export class KeychainStatus {
  readonly #options: KeychainStatusOptions;
  #last: { probe: KeychainProbe; atMs: number } | undefined;
  #inFlight: Promise<KeychainProbe> | undefined;

  constructor(options: KeychainStatusOptions) {
    this.#options = options;
  }

  /** The latest probe, at most `ttlMs` old; probes again when it is older. */
  current(): Promise<KeychainProbe> {
    const { keychain, clock, ttlMs } = this.#options;
    const last = this.#last;
    if (last !== undefined && clock.now() - last.atMs < ttlMs) return Promise.resolve(last.probe);
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

  /** Forgets the cached answer, e.g. after a keychain call failed: the next `status` asks anew. */
  invalidate(): void {
    this.#last = undefined;
  }
}
