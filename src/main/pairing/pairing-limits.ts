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
}

/** The defaults of {@link PairingLimits}. */
export const DEFAULT_PAIRING_LIMITS: Readonly<PairingLimits> = Object.freeze({
  pendingTtlMs: 300_000,
  maxPendingPerAddress: 3,
  maxPendingTotal: 32,
  sweepIntervalMs: 1_000,
});
