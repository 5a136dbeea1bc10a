/**
 * Certificate pins as people type them and as Node reports them. Pure (no `node:*`
 * imports) so the CLI, the gateway and later the Control UI can share it; it can move to
 * `src/shared` as it is.
 */

const HEX_ONLY = /^[0-9A-F]{64}$/;
const COLON_PAIRS = /^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/;

/**
 * The canonical form `AB:CD:…` (32 uppercase pairs, as `X509Certificate.fingerprint256`
 * gives) of a SHA-256 fingerprint written with or without colons, in any case, with an
 * optional `sha256:` prefix and surrounding spaces; undefined for anything else. A
 * truncated or odd-grouped value is refused, never padded or guessed.
 */
export function normalizeFingerprint(text: string): string | undefined {
  let body = text.trim().toUpperCase();
  if (body.startsWith('SHA256:')) body = body.slice('SHA256:'.length).trim();
  if (COLON_PAIRS.test(body)) return body;
  if (!HEX_ONLY.test(body)) return undefined;
  return body.replace(/(..)(?!$)/g, '$1:');
}

/** The part of Node's `tls.PeerCertificate` the pin check reads. */
export interface PeerCertificateLike {
  fingerprint256?: string | undefined;
}

/** The outcome of {@link checkPinnedFingerprint}; both fingerprints are canonical. */
export type PinCheck =
  | { ok: true; fingerprint: string }
  | { ok: false; reason: 'mismatch'; expected: string; actual: string }
  | { ok: false; reason: 'invalid-pin'; pin: string }
  | { ok: false; reason: 'no-certificate'; expected: string };

/**
 * Does the server's certificate match the pin? `peerCert` is what
 * `tlsSocket.getPeerCertificate()` returns (an empty object when the server sent none).
 * An unparsable pin refuses the connection rather than disabling the check.
 */
export function checkPinnedFingerprint(
  peerCert: PeerCertificateLike | null | undefined,
  expected: string,
): PinCheck {
  const pin = normalizeFingerprint(expected);
  if (pin === undefined) return { ok: false, reason: 'invalid-pin', pin: expected };
  const actual = peerCert?.fingerprint256
    ? normalizeFingerprint(peerCert.fingerprint256)
    : undefined;
  if (actual === undefined) return { ok: false, reason: 'no-certificate', expected: pin };
  if (actual !== pin) return { ok: false, reason: 'mismatch', expected: pin, actual };
  return { ok: true, fingerprint: actual };
}
