import { EXIT } from '../../shared/exit-codes.js';
import { networkInterfaces } from 'node:os';
import { hostInterfaceAddresses, type NetworkInterfaceMap } from '../auth/client-address.js';
import { isLinkLocal, isLoopback, isTailnet, normalizeIp } from '../auth/ip.js';

/** A bind that cannot be honoured; exit 78 (configuration). */
export class BindError extends Error {
  readonly exitCode = EXIT.config;
}

/**
 * The concrete address to listen on for `gateway.bind` (DESIGN.md). `tailnet` listens on
 * this host's own tailnet address only, so nothing on the LAN reaches the gateway: the
 * IPv4 one (100.64.0.0/10) when there is one, as every Tailscale node has it, else the
 * IPv6 one (fd7a:115c:a1e0::/48). One listener is enough: a tailnet peer reaches either.
 */
export function listenHostFor(
  bind: string,
  interfaces: NetworkInterfaceMap = networkInterfaces(),
): string {
  if (bind === 'loopback') return '127.0.0.1';
  if (bind === 'lan') return '0.0.0.0';
  if (bind !== 'tailnet') return bind;
  const tailnet = tailnetAddresses(interfaces);
  const chosen = tailnet.find((address) => !address.includes(':')) ?? tailnet[0];
  if (chosen === undefined) {
    throw new BindError(
      'gateway.bind is "tailnet" but no interface has a tailnet address (100.64.0.0/10 or fd7a:115c:a1e0::/48); ' +
        'start Tailscale or set gateway.bind to loopback',
    );
  }
  return chosen;
}

/** This host's tailnet addresses, normalised, in interface order. */
export function tailnetAddresses(interfaces: NetworkInterfaceMap = networkInterfaces()): string[] {
  return hostInterfaceAddresses(interfaces)
    .map((address) => normalizeIp(address))
    .filter((address): address is string => address !== undefined && isTailnet(address));
}

/**
 * The addresses a listener on `host` answers on, for the Host gate and the certificate's
 * names: the host itself, or for a wildcard every interface address (IPv4 for `0.0.0.0`,
 * both families for `::`).
 */
export function listenAddressesFor(
  host: string,
  interfaces: NetworkInterfaceMap = networkInterfaces(),
): string[] {
  if (host !== '0.0.0.0' && host !== '::') return [host];
  const all = Object.values(interfaces).flatMap((list) => list ?? []);
  const wanted = host === '::' ? all : all.filter((info) => info.family === 'IPv4');
  // A link-local IPv6 address needs its zone to be reached; a Host header cannot carry one.
  const usable = wanted.filter((info) => !(info.family === 'IPv6' && info.scopeid));
  return [...new Set(usable.flatMap((info) => normalizeIp(info.address) ?? []))];
}

/**
 * The host another device uses to reach this gateway (an invite's setup URL, DESIGN.md
 * "Invites"): the bound address itself, or on a wildcard bind the first address beyond
 * loopback it listens on, IPv4 first; loopback only when there is no other. As a URL shows
 * it: IPv6 in brackets.
 */
export function reachableHostFor(host: string, listenAddresses: readonly string[]): string {
  const wildcard = host === '0.0.0.0' || host === '::';
  const beyond = listenAddresses.filter((address) => !isLoopback(address));
  const chosen = wildcard
    ? (beyond.find((address) => !address.includes(':')) ?? beyond[0] ?? '127.0.0.1')
    : host;
  return chosen.includes(':') ? `[${chosen}]` : chosen;
}

/** `none` auth is allowed only on a loopback bind (the config schema's rule). */
export { bindIsLoopback } from '../../shared/config-schema.js';

/** Raised when the port is taken; the entry exits 1 with this message. */
export class PortInUseError extends Error {
  readonly code = 'EADDRINUSE';
  readonly exitCode = EXIT.failure;
  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super(
      `port ${port} on ${host} is already in use (is another gateway running? check with: special-agent gateway status; ` +
        `or pick another port: special-agent configure set gateway.port <port>)`,
    );
    this.name = 'PortInUseError';
  }
}

/**
 * What the listener's refusal means for the user: a taken port (exit 1), an address this
 * machine does not have or a port it may not open (exit 78, both set in the config). Other
 * errors pass unchanged.
 */
export function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  if (error.code === 'EADDRINUSE') return new PortInUseError(host, port);
  if (error.code === 'EADDRNOTAVAIL') return addressNotHere(host);
  if (error.code === 'EACCES')
    return new BindError(
      `cannot listen on port ${port} of ${host}: permission denied ` +
        '(ports below 1024 need privileges; pick another: special-agent configure set gateway.port 18789)',
    );
  return error;
}

function addressNotHere(host: string): BindError {
  return new BindError(
    `cannot listen: no interface of this machine has the address ${host} ` +
      '(set gateway.bind to "loopback", "lan", "tailnet" or an address this machine has)',
  );
}

/**
 * Refuses, before anything is written (a TLS certificate for it), an explicit address no
 * interface has: the listen would fail anyway. Loopback addresses all answer on Linux
 * without being listed; wildcards need no interface.
 */
export function assertListenHostHere(
  host: string,
  interfaces: NetworkInterfaceMap = networkInterfaces(),
): void {
  if (host === '0.0.0.0' || host === '::' || isLoopback(host)) return;
  if (isLinkLocal(host)) {
    throw new BindError(
      `cannot listen on ${host}: it is a link-local address, which is only reachable with a ` +
        'zone (e.g. %eth0) that no URL or Host header can carry (set gateway.bind to "lan" or another address)',
    );
  }
  const wanted = normalizeIp(host);
  const here = hostInterfaceAddresses(interfaces).map((address) => normalizeIp(address));
  if (wanted === undefined || !here.includes(wanted)) throw addressNotHere(host);
}
