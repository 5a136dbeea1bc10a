/**
 * Host and Origin gates, checked on every HTTP request and upgrade before any auth
 * (DESIGN.md "Auth and locality"). The Host gate stops DNS rebinding: a page on
 * evil.example that re-points its name at 127.0.0.1 still sends `Host: evil.example`.
 * The Origin gate stops cross-site WebSocket hijacking. Both are exact-match allowlists
 * of canonical strings, so odd spellings (trailing dots, userinfo, `127.1`) never match.
 */
import { GatewayError } from '../../shared/errors.js';
import { parseIp } from './ip.js';

/** Options of {@link RequestGates}; `update` takes the same shape for hot reload. */
export interface RequestGatesOptions {
  /** The port the gateway actually listens on; 0 (not listening yet) refuses every Host and Origin. */
  port: number;
  /** Concrete IPs the server listens on, e.g. `['127.0.0.1']` for a loopback bind. */
  listenAddresses: readonly string[];
  /** `gateway.allowedHosts`: exact `host:port` entries. */
  allowedHosts: readonly string[];
  /** `controlUi.allowedOrigins`: extra origins such as `https://ui.example`. */
  allowedOrigins: readonly string[];
  /**
   * The server speaks HTTPS only (`gateway.tls`): its own origins, and those of the allowed
   * hosts, are `https://…`, never `http://…`, since no page of this port can be plain HTTP.
   * Fixed for the server's life (TLS needs a restart): `update` keeps it when left out.
   */
  tls?: boolean | undefined;
}

/** Outcome of {@link RequestGates.checkHost}. */
export type HostCheck = { ok: true } | { ok: false; reason: string };

/** Outcome of {@link RequestGates.checkOrigin}. */
export type OriginCheck =
  { ok: true; browser: boolean; ownOrigin: boolean } | { ok: false; reason: string };

/**
 * The parts of a request the gates read; node's `IncomingMessage` fits. `rawHeaders` is
 * needed because `headers.host` keeps only the first of several Host headers.
 */
export interface GatedRequest {
  readonly url?: string | undefined;
  readonly rawHeaders: readonly string[];
  readonly headers: { readonly host?: string | undefined; readonly origin?: string | undefined };
}

/**
 * Outcome of {@link RequestGates.checkRequest}: the origin-form target to serve (an allowed
 * absolute-form target reduced to its path and query) and what the Origin says, or the
 * HTTP status and reason of the refusal.
 */
export type RequestCheck =
  | { ok: true; target: string; browser: boolean; ownOrigin: boolean }
  | { ok: false; status: 400 | 403; reason: string };

/**
 * An absolute-form target (RFC 9112 §3.2.2): `http(s)://authority` then an optional path or
 * query. The scheme is case-insensitive; a fragment has no place in a request target.
 */
const ABSOLUTE_FORM = /^https?:\/\/([^/?#]*)([/?][^#]*)?$/i;

/** How many header lines are named `name` (lower-case); rawHeaders alternates name, value. */
function headerCount(rawHeaders: readonly string[], name: string): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2)
    if (rawHeaders[i]?.toLowerCase() === name) count += 1;
  return count;
}

/** Longest header value quoted back in a reason; the rest is cut so logs stay readable. */
const MAX_QUOTED_LENGTH = 120;

function quote(value: string): string {
  const printable = value.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > MAX_QUOTED_LENGTH
    ? `${printable.slice(0, MAX_QUOTED_LENGTH)}…`
    : printable;
}

function invalidConfig(message: string, path: (string | number)[]): GatewayError {
  return GatewayError.of('CONFIG_INVALID', { message, details: { path } });
}

/**
 * Parses an origin strictly: http(s) only, no userinfo, path, query or fragment, and the
 * text must already be in canonical form (up to case), so `http://127.1:80` or
 * `http://a@b` never pass. Returns the lower-case serialised origin or undefined.
 */
function canonicalOrigin(text: string, allowTrailingSlash: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  const origin = url.origin.toLowerCase();
  const written = allowTrailingSlash && text.endsWith('/') ? text.slice(0, -1) : text;
  return written.toLowerCase() === origin ? origin : undefined;
}

/** `host:port` for an IP, with IPv6 in brackets. */
function hostPort(ip: string, port: number): string {
  const address = parseIp(ip);
  if (address === undefined)
    throw new RangeError(`RequestGates: listen address "${ip}" is not an IP`);
  const host = address.kind() === 'ipv6' ? `[${address.toString()}]` : address.toString();
  return `${host}:${port}`;
}

/** A Host entry the user may allow: `name:port` or `[v6]:port`, nothing else. */
const HOST_PORT_PATTERN = /^(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\]):(\d{1,5})$/;

/** The entry itself when it is a canonical lower-case `host:port` a browser would send. */
function canonicalHostPort(entry: string): string | undefined {
  const match = HOST_PORT_PATTERN.exec(entry);
  if (match === null) return undefined;
  const port = Number(match[1]);
  let url: URL;
  try {
    url = new URL(`http://${entry}`);
  } catch {
    return undefined;
  }
  // The URL parser rewrites odd spellings (`127.1`, `0x7f.0.0.1`); such an entry would
  // only ever match the same odd Host header, so it is refused as a likely mistake.
  const hostname = entry.slice(0, entry.lastIndexOf(':'));
  if (url.hostname !== hostname || port < 1 || port > 65_535) return undefined;
  return entry;
}

/** The Host and Origin allowlists of one gateway; rebuilt whole by {@link RequestGates.update}. */
export class RequestGates {
  #tls = false;
  #hosts = new Set<string>();
  #ownOrigins = new Set<string>();
  #otherOrigins = new Set<string>();

  constructor(options: RequestGatesOptions) {
    this.update(options);
  }

  /**
   * Replaces the allowlists. Throws `CONFIG_INVALID` on a malformed `allowedHosts` or
   * `allowedOrigins` entry (a silently dead entry would look like a gateway bug) and then
   * keeps the previous lists.
   */
  update(options: RequestGatesOptions): void {
    const { port } = options;
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      throw new RangeError(`RequestGates: port must be 0-65535, got ${port}`);
    }
    const builtIn = new Set(
      ['127.0.0.1', 'localhost', '[::1]']
        .map((host) => `${host}:${port}`)
        .concat(options.listenAddresses.map((ip) => hostPort(ip, port))),
    );
    const extraHosts = options.allowedHosts.map((entry, index) => {
      const host = canonicalHostPort(entry.trim().toLowerCase());
      if (host === undefined) {
        throw invalidConfig(
          `invalid allowed host "${entry}": expected host:port such as gateway.example:18789`,
          ['gateway', 'allowedHosts', index],
        );
      }
      return host;
    });
    const tls = options.tls ?? this.#tls;
    const scheme = tls ? 'https' : 'http';
    const ownOrigins = new Set([...builtIn].map((host) => new URL(`${scheme}://${host}`).origin));
    const otherOrigins = new Set(extraHosts.map((host) => new URL(`${scheme}://${host}`).origin));
    options.allowedOrigins.forEach((entry, index) => {
      const origin = canonicalOrigin(entry.trim(), true);
      if (origin === undefined) {
        throw invalidConfig(
          `invalid allowed origin "${entry}": expected scheme://host[:port] such as https://ui.example`,
          ['gateway', 'controlUi', 'allowedOrigins', index],
        );
      }
      otherOrigins.add(origin);
    });

    this.#tls = tls;
    if (port === 0) {
      // Port 0 means "not listening yet": the real port is unknown, so nothing can match.
      // The entries were still validated above, so a bad config fails before listen.
      this.#hosts = new Set();
      this.#ownOrigins = new Set();
      this.#otherOrigins = new Set();
      return;
    }
    const hosts = new Set([...builtIn, ...extraHosts]);
    // Browsers leave out the default port; on port 80 (443 with TLS) the bare host is what they send.
    if (port === (tls ? 443 : 80))
      for (const host of [...hosts]) hosts.add(host.slice(0, host.lastIndexOf(':')));
    this.#hosts = hosts;
    this.#ownOrigins = ownOrigins;
    this.#otherOrigins = otherOrigins;
  }

  /** The gateway's own origins (`http(s)://<built-in host>`), e.g. for the Control UI's CSP. */
  ownOrigins(): string[] {
    return [...this.#ownOrigins];
  }

  /** Checks a `Host` header: it must equal an allowed `host:port`, case-insensitively. */
  checkHost(hostHeader: string | undefined): HostCheck {
    if (hostHeader === undefined || hostHeader === '')
      return { ok: false, reason: 'host header missing' };
    if (!this.#hosts.has(hostHeader.toLowerCase())) {
      return { ok: false, reason: `host not allowed: ${quote(hostHeader)}` };
    }
    return { ok: true };
  }

  /**
   * The one gate of every HTTP request and upgrade, in order: exactly one Host header (400),
   * an origin-form or http(s) absolute-form target (400), the Host header, the target's
   * authority when absolute-form, then the Origin (403). An absolute-form authority is held
   * to the same allowlist as Host, because a server that routes by it would otherwise
   * serve a name the Host gate refused (PROTOCOL.md "Transport").
   */
  checkRequest(req: GatedRequest): RequestCheck {
    if (headerCount(req.rawHeaders, 'host') > 1)
      return { ok: false, status: 400, reason: 'more than one Host header' };
    const url = req.url ?? '';
    const absolute = url.startsWith('/') ? undefined : ABSOLUTE_FORM.exec(url);
    if (absolute === null) {
      return {
        ok: false,
        status: 400,
        reason: `request target malformed (expected /path or http://host:port/path): ${quote(url)}`,
      };
    }
    const host = this.checkHost(req.headers.host);
    if (!host.ok) return { ok: false, status: 403, reason: host.reason };
    let target = url;
    if (absolute !== undefined) {
      const authority = absolute[1] ?? '';
      if (!this.#hosts.has(authority.toLowerCase()))
        return {
          ok: false,
          status: 403,
          reason: `request target host not allowed: ${quote(authority)}`,
        };
      const rest = absolute[2] ?? '';
      target = rest.startsWith('/') ? rest : `/${rest}`;
    }
    const origin = this.checkOrigin(req.headers.origin);
    if (!origin.ok) return { ok: false, status: 403, reason: origin.reason };
    return { ok: true, target, browser: origin.browser, ownOrigin: origin.ownOrigin };
  }

  /**
   * Checks an `Origin` header. Absent means a non-browser client; `null` (sandboxed
   * frames, file: pages) is refused because it cannot be attributed to anyone.
   */
  checkOrigin(origin: string | undefined): OriginCheck {
    if (origin === undefined) return { ok: true, browser: false, ownOrigin: false };
    if (origin === 'null') return { ok: false, reason: 'origin "null" not allowed' };
    const canonical = canonicalOrigin(origin, false);
    if (canonical === undefined) return { ok: false, reason: `origin malformed: ${quote(origin)}` };
    if (this.#ownOrigins.has(canonical)) return { ok: true, browser: true, ownOrigin: true };
    if (this.#otherOrigins.has(canonical)) return { ok: true, browser: true, ownOrigin: false };
    return { ok: false, reason: `origin not allowed: ${quote(origin)}` };
  }
}
