import ipaddr from 'ipaddr.js';

/**
 * True when the URL's host is this machine: `localhost`, 127.0.0.0/8, `::1`, or an
 * IPv4-mapped loopback such as `::ffff:127.0.0.1`. A name that merely resolves to loopback
 * (other than `localhost`) does not count: we decide from the text, without DNS.
 */
export function isLoopbackUrl(url: string): boolean {
  let hostname: string;
  try {
    hostname = new URL(url).hostname;
  } catch {
    return false;
  }
  const host = hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (host === 'localhost') return true;
  if (!ipaddr.isValid(host)) return false;
  return ipaddr.process(host).range() === 'loopback';
}
