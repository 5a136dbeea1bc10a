/**
 * Address parsing and range checks for the auth layer. Every decision goes through
 * ipaddr.js on parsed addresses, never through string prefixes, so `127.1`, `0x7f.1` and
 * `::ffff:127.0.0.1` cannot slip past a check written for `127.0.0.1`.
 */
import ipaddr from 'ipaddr.js';

/** A parsed address ({@link parseIp}). */
export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;
type Address = IpAddress;
type Range = [Address, number];

/** Ranges are parsed on first use rather than at import time (STYLE.md). */
let builtInRanges: { loopback: Range[]; tailnet: Range[] } | undefined;

function ranges(): { loopback: Range[]; tailnet: Range[] } {
  builtInRanges ??= {
    loopback: [ipaddr.parseCIDR('127.0.0.0/8'), ipaddr.parseCIDR('::1/128')],
    tailnet: [ipaddr.parseCIDR('100.64.0.0/10'), ipaddr.parseCIDR('fd7a:115c:a1e0::/48')],
  };
  return builtInRanges;
}

/** The dotted tail of an IPv6 text such as `::ffff:127.0.0.1`, if it has one. */
function embeddedIpv4(text: string): string | undefined {
  const tail = text.slice(text.lastIndexOf(':') + 1);
  return tail.includes('.') ? tail : undefined;
}

/**
 * Parses one address strictly and unwraps IPv4-mapped IPv6, or returns undefined.
 * Accepts `[v6]` brackets and a `%zone` suffix on IPv6; refuses whitespace, ports and
 * every IPv4 form other than four decimal parts without leading zeros.
 */
export function parseIp(text: string): Address | undefined {
  let body = text;
  const bracketed = body.startsWith('[') && body.endsWith(']');
  if (bracketed) body = body.slice(1, -1);
  // The zone only names the interface a link-local address is reached through; it is
  // not part of the address and would make equal peers compare unequal.
  const zoneAt = body.indexOf('%');
  const zone = zoneAt === -1 ? undefined : body.slice(zoneAt + 1);
  if (zoneAt !== -1) body = body.slice(0, zoneAt);
  if (zone !== undefined && !/^[0-9A-Za-z._-]+$/.test(zone)) return undefined;

  if (ipaddr.IPv4.isValidFourPartDecimal(body)) {
    // Brackets and zones belong to IPv6 only.
    return bracketed || zone !== undefined ? undefined : ipaddr.IPv4.parse(body);
  }
  if (!ipaddr.IPv6.isValid(body)) return undefined;
  const dotted = embeddedIpv4(body);
  // ipaddr.js reads `::ffff:0177.0.0.1` as decimal 177; refuse the ambiguity outright.
  if (dotted !== undefined && !ipaddr.IPv4.isValidFourPartDecimal(dotted)) return undefined;
  const v6 = ipaddr.IPv6.parse(body);
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address();
  // Rebuild from parts so the parsed zone is dropped from later string forms.
  return new ipaddr.IPv6(v6.parts);
}

/**
 * Canonical text of an address (`127.0.0.1`, `::1`, `fe80::1`), or undefined when the text
 * is not a strictly written IP. Brackets and zone ids are stripped; IPv4-mapped IPv6 turns
 * into plain IPv4.
 */
export function normalizeIp(text: string): string | undefined {
  return parseIp(text)?.toString();
}

function inAny(address: Address, list: readonly Range[]): boolean {
  return list.some(
    ([network, bits]) => address.kind() === network.kind() && address.match(network, bits),
  );
}

/** True for 127.0.0.0/8 and ::1, in any accepted spelling (including `::ffff:127.x`). */
export function isLoopback(ip: string): boolean {
  const address = parseIp(ip);
  return address !== undefined && addressIsLoopback(address);
}

/** {@link isLoopback} of an address already parsed, so a caller parses it once. */
export function addressIsLoopback(address: Address): boolean {
  return inAny(address, ranges().loopback);
}

/**
 * Who a client is for counting failures: an IPv4 address, or an IPv6 address's /64. A host
 * on an IPv6 LAN picks any number of addresses in its /64 (SLAAC, privacy addresses), so
 * one key per address would give it as many guesses.
 */
export function failureKeyOf(ip: string): string {
  const address = parseIp(ip);
  if (address?.kind() !== 'ipv6') return address?.toString() ?? ip;
  const [a = 0, b = 0, c = 0, d = 0] = (address as ipaddr.IPv6).parts;
  return `${new ipaddr.IPv6([a, b, c, d, 0, 0, 0, 0]).toString()}/64`;
}

/** True for an IPv6 link-local address (fe80::/10): reachable only with a zone. */
export function isLinkLocal(ip: string): boolean {
  const address = parseIp(ip);
  return address?.kind() === 'ipv6' && address.range() === 'linkLocal';
}

/** True for Tailscale's ranges 100.64.0.0/10 and fd7a:115c:a1e0::/48. */
export function isTailnet(ip: string): boolean {
  const address = parseIp(ip);
  return address !== undefined && addressIsTailnet(address);
}

/** {@link isTailnet} of an address already parsed. */
export function addressIsTailnet(address: Address): boolean {
  return inAny(address, ranges().tailnet);
}

/** One parsed `trustedProxies` entry. */
export interface IpMatcher {
  /** The entry as the user wrote it, for messages. */
  readonly entry: string;
  readonly network: Address;
  readonly bits: number;
}

/** The outcome of parsing a config entry: a matcher or a one-line error naming the entry. */
export type ParsedIpOrCidr = { ok: true; matcher: IpMatcher } | { ok: false; error: string };

function parseCidr(text: string): Range | undefined {
  const slash = text.indexOf('/');
  const bitsText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return undefined;
  const network = parseIp(text.slice(0, slash));
  if (network === undefined) return undefined;
  let bits = Number(bitsText);
  // A v4-mapped v6 CIDR such as ::ffff:10.0.0.0/104 names the v4 network 10.0.0.0/8.
  if (network.kind() === 'ipv4' && text.slice(0, slash).includes(':')) bits -= 96;
  const maxBits = network.kind() === 'ipv4' ? 32 : 128;
  return bits >= 0 && bits <= maxBits ? [network, bits] : undefined;
}

/**
 * Parses a `trustedProxies` entry: a single IP (`10.0.0.1`, `::1`) or a CIDR (`10.0.0.0/8`,
 * `fd00::/8`). Host bits in a CIDR are allowed and ignored, as in most proxy configs.
 */
export function parseIpOrCidr(entry: string): ParsedIpOrCidr {
  const text = entry.trim();
  const range = text.includes('/') ? parseCidr(text) : single(text);
  if (range === undefined) {
    return {
      ok: false,
      error: `invalid trusted proxy "${entry}": expected an IP or CIDR such as 10.0.0.1 or 10.0.0.0/8`,
    };
  }
  return { ok: true, matcher: { entry, network: range[0], bits: range[1] } };
}

function single(text: string): Range | undefined {
  const address = parseIp(text);
  if (address === undefined) return undefined;
  return [address, address.kind() === 'ipv4' ? 32 : 128];
}

/**
 * True when `ip` falls in any matcher. The peer is normalised first, so IPv4 entries also
 * match IPv4-mapped IPv6 peers; an unparseable `ip` matches nothing.
 */
export function ipMatchesAny(ip: string, matchers: readonly IpMatcher[]): boolean {
  const address = parseIp(ip);
  return address !== undefined && addressMatchesAny(address, matchers);
}

/** {@link ipMatchesAny} of an address already parsed. */
export function addressMatchesAny(address: Address, matchers: readonly IpMatcher[]): boolean {
  return matchers.some(
    (m) => address.kind() === m.network.kind() && address.match(m.network, m.bits),
  );
}
