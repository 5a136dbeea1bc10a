/** The limits of the gateway certificate, in one place (DESIGN.md "Remote devices"). */
export interface CertificatePolicy {
  /** notAfter − now at creation. 825 days is the most Apple platforms accept for a TLS server. */
  validityDays: number;
  /** Make a new certificate once the current one expires within this many days. */
  renewBeforeDays: number;
  /** notBefore is set this far in the past, so a client whose clock runs a little slow accepts it. */
  backdateMinutes: number;
  /**
   * How often a running gateway looks at its certificate: renews its own one within
   * `renewBeforeDays`, reloads the user's files once they changed (certificate-refresh.ts).
   * Far shorter than `renewBeforeDays` and certbot's 30-day margin, so neither is missed.
   */
  recheckIntervalMs: number;
  /**
   * How often it looks instead while the user's files cannot be served or have expired:
   * files someone puts right are served within this long, not at the next regular check.
   */
  recheckAfterProblemMs: number;
}

export const DEFAULT_CERTIFICATE_POLICY: Readonly<CertificatePolicy> = Object.freeze({
  validityDays: 825,
  renewBeforeDays: 30,
  backdateMinutes: 60,
  recheckIntervalMs: 6 * 60 * 60 * 1000,
  recheckAfterProblemMs: 60 * 1000,
});

export const DAY_MS = 24 * 60 * 60 * 1000;
