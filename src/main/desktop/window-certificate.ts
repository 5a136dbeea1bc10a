/**
 * Which server certificates the Control UI window accepts. With `gateway.tls` on, the
 * gateway's own self-signed certificate is not in any trust store, so Chromium would show
 * its certificate error page inside the desktop app. The window trusts exactly that
 * certificate (its SHA-256 fingerprint, as the tray shows it) on exactly the host it
 * loaded; anything else keeps Chromium's own verdict.
 */
import { fingerprintSha256 } from '../tls/certificate-info.js';
import { normalizeFingerprint } from '../tls/fingerprint.js';

/** Electron's `setCertificateVerifyProc` results: accept, or use Chromium's own verdict. */
export const CERTIFICATE_ACCEPT = 0;
export const CERTIFICATE_CHROMIUM_VERDICT = -3;

/** The part of Electron's certificate-verify request the decision reads. */
export interface CertificateCheck {
  hostname: string;
  /** `request.certificate.data`: the leaf certificate as PEM. */
  certificatePem: string;
}

/** What the window trusts right now: the gateway it loaded and that gateway's certificate. */
export interface WindowTrust {
  /** Host of the Control UI URL the window loaded (`127.0.0.1`). */
  hostname: string | undefined;
  /** `status.tls.fingerprintSha256` of the running gateway; undefined without TLS. */
  fingerprintSha256: string | undefined;
}

export function decideWindowCertificate(check: CertificateCheck, trust: WindowTrust): number {
  if (trust.hostname === undefined || trust.fingerprintSha256 === undefined)
    return CERTIFICATE_CHROMIUM_VERDICT;
  if (check.hostname !== trust.hostname) return CERTIFICATE_CHROMIUM_VERDICT;
  const pinned = normalizeFingerprint(trust.fingerprintSha256);
  const actual = fingerprintOf(check.certificatePem);
  if (pinned === undefined || actual === undefined || actual !== pinned)
    return CERTIFICATE_CHROMIUM_VERDICT;
  return CERTIFICATE_ACCEPT;
}

function fingerprintOf(pem: string): string | undefined {
  try {
    return normalizeFingerprint(fingerprintSha256(pem));
  } catch {
    // Not a certificate we can read: never trusted by us.
    return undefined;
  }
}
