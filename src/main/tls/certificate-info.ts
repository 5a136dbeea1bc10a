/**
 * Reading certificates and keys with node:crypto only (no X.509 library needed to parse),
 * so the common path, a restart that reuses the certificate, stays cheap.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';

/** What the gateway hands to `https.createServer({cert, key})`, plus what it shows. */
export interface GatewayCertificate {
  /** PEM: the leaf certificate, then any chain the user's file carries. */
  cert: string;
  /** PEM private key. Never logged, never sent. */
  key: string;
  /** SHA-256 of the leaf certificate's DER, `AB:CD:…` (PROTOCOL.md `status.tls`). */
  fingerprintSha256: string;
  /** The leaf certificate's notAfter. */
  expiresAtMs: number;
  source: 'generated' | 'user';
}

/** SHA-256 fingerprint `AB:CD:…` of a certificate given as PEM text or DER bytes. */
export function fingerprintSha256(certificate: string | Uint8Array): string {
  return new X509Certificate(certificate).fingerprint256;
}

/** The notAfter of a parsed certificate in epoch milliseconds. */
export function expiresAtMsOf(certificate: X509Certificate): number {
  return Date.parse(certificate.validTo);
}

/** Every `-----BEGIN <label>-----` … `-----END <label>-----` block of a PEM text, in order. */
export function pemBlocks(text: string, label: string): string[] {
  const pattern = new RegExp(`-----BEGIN ${label}-----\\r?\\n[^-]*-----END ${label}-----`, 'g');
  return [...text.matchAll(pattern)].map((match) => `${match[0]}\n`);
}

/** Why a certificate and key cannot serve together, or undefined when they can. */
export function pairProblem(certificate: X509Certificate, key: KeyObject): string | undefined {
  if (key.type !== 'private') return 'the key is not a private key';
  if (!certificate.checkPrivateKey(key))
    return 'the private key does not belong to the certificate';
  return undefined;
}

/** Parses a PEM private key; throws node's error for anything else (callers name the file). */
export function parsePrivateKey(pem: string): KeyObject {
  return createPrivateKey({ key: pem, format: 'pem' });
}
