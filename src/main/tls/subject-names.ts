/**
 * The subject alternative names a generated gateway certificate must carry: every address
 * the gateway listens on, plus the loopback names (DESIGN.md "Remote devices").
 */
import type { X509Certificate } from 'node:crypto';
import { parseIp } from '../auth/ip.js';

/** One SAN entry: an IP address (canonical text) or a DNS name (lowercase). */
export type SubjectName =
  { type: 'ip'; value: string; bytes: Uint8Array } | { type: 'dns'; value: string };

/** Always present, so `https://localhost:<port>` and `https://127.0.0.1:<port>` work too. */
export const LOOPBACK_NAMES: readonly string[] = ['localhost', '127.0.0.1', '::1'];

/** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens. */
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const MAX_DNS_NAME_LENGTH = 253;

function dnsName(text: string): string | undefined {
  const name = text.toLowerCase().replace(/\.$/, '');
  if (name.length === 0 || name.length > MAX_DNS_NAME_LENGTH) return undefined;
  return name.split('.').every((label) => LABEL.test(label)) ? name : undefined;
}

/**
 * One address as a SAN entry. A wildcard bind (`0.0.0.0`, `::`) names no host a client
 * can check: the caller passes the interface addresses instead (`listenAddressesFor`).
 * Throws a TypeError naming the value for anything that is neither an IP nor a host name.
 */
export function subjectNameOf(address: string): SubjectName {
  const ip = parseIp(address);
  if (ip !== undefined) {
    if (ip.range() === 'unspecified') {
      throw new TypeError(
        `${address} is a wildcard, not an address a client connects to; pass the interface addresses`,
      );
    }
    return { type: 'ip', value: ip.toString(), bytes: Uint8Array.from(ip.toByteArray()) };
  }
  const name = dnsName(address);
  if (name === undefined)
    throw new TypeError(`${JSON.stringify(address)} is neither an IP address nor a host name`);
  return { type: 'dns', value: name };
}

/** The SANs for these listen addresses plus {@link LOOPBACK_NAMES}, without duplicates. */
export function subjectNamesFor(addresses: readonly string[]): SubjectName[] {
  const byKey = new Map<string, SubjectName>();
  for (const address of [...addresses, ...LOOPBACK_NAMES]) {
    const name = subjectNameOf(address);
    byKey.set(`${name.type}:${name.value}`, name);
  }
  return [...byKey.values()];
}

/**
 * The names the certificate does not cover, checked by node's own matcher against the SAN
 * extension only (never the subject CN, no wildcards), so "covered" means what a TLS
 * client checking the host would also accept.
 */
export function uncoveredNames(
  certificate: X509Certificate,
  names: readonly SubjectName[],
): string[] {
  return names
    .filter((name) =>
      name.type === 'ip'
        ? certificate.checkIP(name.value) === undefined
        : certificate.checkHost(name.value, { subject: 'never', wildcards: false }) === undefined,
    )
    .map((name) => name.value);
}
