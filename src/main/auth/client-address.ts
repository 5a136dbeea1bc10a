/**
 * Who is on the other end of a request, and is it local (DESIGN.md "Auth and locality").
 * The socket peer is the only fact; forwarding headers are believed only from a peer
 * listed in `trustedProxies`, and their mere presence makes a request non-local.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { networkInterfaces } from 'node:os';
import { GatewayError } from '../../shared/errors.js';
import {
  addressIsLoopback,
  addressIsTailnet,
  addressMatchesAny,
  ipMatchesAny,
  normalizeIp,
  parseIp,
  parseIpOrCidr,
  type IpAddress,
  type IpMatcher,
} from './ip.js';

/** Headers by which a proxy describes the original request; `x-forwarded-*` also counts. */
export const FORWARDING_HEADERS = [
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-real-ip',
] as const;

/** Named limits of the resolver, with their defaults in one place. */
export const CLIENT_ADDRESS_LIMITS = {
  /** Peers remembered as "already warned about"; the oldest is forgotten past this. */
  maxWarnedPeers: 1000,
} as const;

function isForwardingHeader(name: string): boolean {
  return (
    (FORWARDING_HEADERS as readonly string[]).includes(name) || name.startsWith('x-forwarded-')
  );
}

/** Names of the forwarding headers present on a request, lower-case (Node's header keys). */
export function forwardingHeadersIn(headers: IncomingHttpHeaders): string[] {
  // Node lower-cases header names; lower-casing again keeps hand-built header objects honest.
  return Object.keys(headers)
    .map((name) => name.toLowerCase())
    .filter(isForwardingHeader);
}

/** Whether any forwarding header is present: {@link forwardingHeadersIn} without the list. */
function hasForwardingHeader(headers: IncomingHttpHeaders): boolean {
  for (const name in headers) if (isForwardingHeader(name.toLowerCase())) return true;
  return false;
}

/** What the gateway knows about the client of one request. */
export interface ResolvedClient {
  /** The client address: the peer, or the first untrusted X-Forwarded-For hop behind a trusted proxy. */
  clientIp: string;
  /** Loopback or own-tailnet peer, no forwarding header, not a trusted proxy. */
  isLocal: boolean;
  /** The socket peer is a trusted proxy. */
  viaProxy: boolean;
  /** At least one forwarding header was present, trusted or not. */
  forwarded: boolean;
}

/** Options of {@link ClientAddressResolver}. */
export interface ClientAddressResolverOptions {
  trustedProxies: readonly string[];
  /** This host's interface addresses; read on demand because tailnet addresses come and go. */
  localAddresses?: () => readonly string[];
  logger: { warn(message: string): void };
  maxWarnedPeers?: number;
}

/** `os.networkInterfaces()`'s shape; injected by tests (app.ts `networkInterfaces`). */
export type NetworkInterfaceMap = ReturnType<typeof networkInterfaces>;

/** Every address assigned to an interface of this host (or of the injected list). */
export function hostInterfaceAddresses(
  interfaces: NetworkInterfaceMap = networkInterfaces(),
): string[] {
  return Object.values(interfaces).flatMap((list) => (list ?? []).map((info) => info.address));
}

/** Parses a whole `trustedProxies` list, throwing `CONFIG_INVALID` on the first bad entry. */
export function parseTrustedProxies(list: readonly string[]): IpMatcher[] {
  return list.map((entry, index) => {
    const parsed = parseIpOrCidr(entry);
    if (!parsed.ok) {
      throw GatewayError.of('CONFIG_INVALID', {
        message: parsed.error,
        details: { path: ['gateway', 'trustedProxies', index] },
      });
    }
    return parsed.matcher;
  });
}

/** The raw X-Forwarded-For value; Node joins repeated headers, but a string[] is handled too. */
function forwardedForText(headers: IncomingHttpHeaders): string | undefined {
  const value: unknown = headers['x-forwarded-for'];
  if (Array.isArray(value)) return value.join(',');
  return typeof value === 'string' ? value : undefined;
}

/**
 * Resolves the client address and locality of requests. Holds the trusted proxy list
 * (hot-reloadable) and remembers which untrusted peers it has already warned about.
 */
export class ClientAddressResolver {
  #trusted: IpMatcher[];
  readonly #localAddresses: () => readonly string[];
  readonly #logger: { warn(message: string): void };
  readonly #maxWarnedPeers: number;
  /** Insertion-ordered, so the first key is the oldest warning. */
  readonly #warnedPeers = new Set<string>();

  constructor(options: ClientAddressResolverOptions) {
    this.#trusted = parseTrustedProxies(options.trustedProxies);
    this.#localAddresses = options.localAddresses ?? (() => hostInterfaceAddresses());
    this.#logger = options.logger;
    this.#maxWarnedPeers = options.maxWarnedPeers ?? CLIENT_ADDRESS_LIMITS.maxWarnedPeers;
  }

  /** Replaces the trusted proxy list; throws `CONFIG_INVALID` and keeps the old list on a bad entry. */
  setTrustedProxies(list: readonly string[]): void {
    this.#trusted = parseTrustedProxies(list);
  }

  /** Resolves one request from its socket peer address and headers. */
  resolve(request: {
    peerAddress: string | undefined;
    headers: IncomingHttpHeaders;
  }): ResolvedClient {
    // Parsed once: every check below reads this address (each upgrade comes through here).
    const address = parseIp(request.peerAddress ?? '');
    const forwarded = hasForwardingHeader(request.headers);
    // A peer without a usable address (socket already gone) gets nothing: not local, no proxy.
    if (address === undefined) {
      return {
        clientIp: request.peerAddress ?? 'unknown',
        isLocal: false,
        viaProxy: false,
        forwarded,
      };
    }
    const peer = address.toString();
    const viaProxy = addressMatchesAny(address, this.#trusted);
    if (viaProxy) {
      return {
        clientIp: this.#clientBehindProxy(peer, request.headers),
        isLocal: false,
        viaProxy,
        forwarded,
      };
    }
    if (forwarded) this.#warnOnce(peer, forwardingHeadersIn(request.headers));
    const isLocal = !forwarded && this.#isLocalPeer(address, peer);
    return { clientIp: peer, isLocal, viaProxy, forwarded };
  }

  /**
   * Walks X-Forwarded-For right to left: each trusted hop vouches for the one before it,
   * the first untrusted hop is the client. A malformed hop ends the walk, because nothing
   * to its left was vouched for by a hop we could read.
   */
  #clientBehindProxy(proxy: string, headers: IncomingHttpHeaders): string {
    const text = forwardedForText(headers);
    if (text === undefined) return proxy;
    const hops = text.split(',');
    let lastGood = proxy;
    for (let i = hops.length - 1; i >= 0; i -= 1) {
      const hop = normalizeIp((hops[i] ?? '').trim());
      if (hop === undefined) return lastGood;
      if (!ipMatchesAny(hop, this.#trusted)) return hop;
      lastGood = hop;
    }
    return lastGood;
  }

  #isLocalPeer(address: IpAddress, peer: string): boolean {
    if (addressIsLoopback(address)) return true;
    // A tailnet address is only ours when an interface of this host carries it; any other
    // tailnet address is a different machine.
    if (!addressIsTailnet(address)) return false;
    return this.#localAddresses().some((address) => normalizeIp(address) === peer);
  }

  #warnOnce(peer: string, headerNames: readonly string[]): void {
    if (this.#warnedPeers.has(peer)) return;
    this.#warnedPeers.add(peer);
    if (this.#warnedPeers.size > this.#maxWarnedPeers) {
      const oldest = this.#warnedPeers.values().next().value;
      if (oldest !== undefined) this.#warnedPeers.delete(oldest);
    }
    this.#logger.warn(
      `ignoring forwarding headers (${headerNames.join(', ')}) from untrusted peer ${peer}; ` +
        'the request is treated as non-local. If this peer is your reverse proxy, add it to gateway.trustedProxies',
    );
  }
}
