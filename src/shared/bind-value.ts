/**
 * What `gateway.bind` (and `gateway run --bind`) takes, without the config schema: the CLI
 * checks an argument with it before loading the gateway.
 */
import ipaddr from 'ipaddr.js';

export const BIND_KEYWORDS = ['loopback', 'lan', 'tailnet'] as const;

/** Canonical IPv4 (four decimal parts) or IPv6 only: `127.1` and `0x7f.1` are refused. */
export function isCanonicalIp(text: string): boolean {
  return (
    ipaddr.IPv4.isValidFourPartDecimal(text) || (ipaddr.IPv6.isValid(text) && !text.includes('%'))
  );
}

/** A bind keyword, or an IP as `isCanonicalIp` accepts it. */
export function isBindValue(text: string): boolean {
  return (BIND_KEYWORDS as readonly string[]).includes(text) || isCanonicalIp(text);
}
