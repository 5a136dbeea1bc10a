/** Pairing limits (DESIGN.md "Pairing limits"); every default lives here. */
export interface PairingLimits {
  /** How long a pending request lives (config `pairing.pendingTtlSeconds` × 1000). */
  pendingTtlMs: number;
  /** Unexpired pending requests allowed from one client address. */
  maxPendingPerAddress: number;
  /** Unexpired pending requests allowed in total. */
  maxPendingTotal: number;
  /** How often expired requests are removed and announced. */
  sweepIntervalMs: number;
  /**
   * How long "last seen" / "last used" stamps may live only in memory before they are
   * written. A handshake stamps them but never waits for (or pays for) a disk write.
   */
  stampWriteDelayMs: number;
  /** Unexpired invites allowed at once (each is a live credential). */
  maxLiveInvites: number;
  /**
   * Size of `devices.journal` (bytes) at which it is folded into a new `devices.json` in
   * the background. Bounds the journal a restart replays; each fold costs a serialisation
   * of the whole store, spread over many turns of the event loop.
   */
  journalCompactBytes: number;
}

/** The defaults of {@link PairingLimits}. */
export const DEFAULT_PAIRING_LIMITS: Readonly<PairingLimits> = Object.freeze({
  pendingTtlMs: 300_000,
  maxPendingPerAddress: 3,
  maxPendingTotal: 32,
  sweepIntervalMs: 1_000,
  stampWriteDelayMs: 10_000,
  maxLiveInvites: 32,
  journalCompactBytes: 1_048_576,
});

/** Paired devices per `device.pair.list` page: the default and the most a caller may ask for. */
export const PAIRED_PAGE_LIMIT = 500;

/**
 * The defaults overlaid with `overrides`; keys left undefined keep their default. Throws a
 * RangeError for a value that is not a positive number, so a bad option fails at startup.
 */
export function resolvePairingLimits(overrides: Partial<PairingLimits> = {}): PairingLimits {
  const limits = { ...DEFAULT_PAIRING_LIMITS };
  for (const key of Object.keys(limits) as (keyof PairingLimits)[]) {
    const value = overrides[key];
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value <= 0) {
      throw new RangeError(`pairing limit ${key} must be a positive number, got ${value}`);
    }
    limits[key] = value;
  }
  return limits;
}
