import { EXIT } from '../../shared/exit-codes.js';
import { networkInterfaces } from 'node:os';
import { isTailnet, normalizeIp, isLoopback } from '../auth/ip.js';

/** A bind that cannot be honoured; exit 78 (configuration). */
export class BindError extends Error {
  readonly exitCode = EXIT.config;
}

/** The concrete address to listen on for `gateway.bind` (DESIGN.md). */
export function listenHostFor(bind: string, interfaces = networkInterfaces()): string {
  if (bind === 'loopback') return '127.0.0.1';
  if (bind === 'lan') return '0.0.0.0';
  const addresses = Object.values(interfaces)
    .flat()
    .flatMap((info) => (info ? [normalizeIp(info.address)] : []))
    .filter((address): address is string => address !== undefined);
  if (bind === 'tailnet') {
    const tailnet = addresses.find((address) => isTailnet(address));
    if (!tailnet) {
      throw new BindError(
        'gateway.bind is "tailnet" but no interface has a tailnet address (100.64.0.0/10 or fd7a:115c:a1e0::/48); ' +
          'start Tailscale or set gateway.bind to loopback',
      );
    }
    return tailnet;
  }
  return bind;
}

/** The addresses a listener on `host` answers on, for the Host gate. */
export function listenAddressesFor(host: string, interfaces = networkInterfaces()): string[] {
  if (host !== '0.0.0.0') return [host];
  return Object.values(interfaces)
    .flat()
    .flatMap((info) => (info && info.family === 'IPv4' ? [info.address] : []));
}

/** `none` auth is allowed only on a loopback bind. */
export function bindIsLoopback(bind: string): boolean {
  if (bind === 'loopback') return true;
  const ip = normalizeIp(bind);
  return ip !== undefined && isLoopback(ip);
}

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
