/** The limits of the generated gateway certificate, in one place (DESIGN.md "Remote devices"). */
export interface CertificatePolicy {
  /** notAfter − now at creation. 825 days is the most Apple platforms accept for a TLS server. */
  validityDays: number;
  /** Make a new certificate once the current one expires within this many days. */
  renewBeforeDays: number;
  /** notBefore is set this far in the past, so a client whose clock runs a little slow accepts it. */
  backdateMinutes: number;
}

export const DEFAULT_CERTIFICATE_POLICY: Readonly<CertificatePolicy> = Object.freeze({
  validityDays: 825,
  renewBeforeDays: 30,
  backdateMinutes: 60,
});

export const DAY_MS = 24 * 60 * 60 * 1000;
