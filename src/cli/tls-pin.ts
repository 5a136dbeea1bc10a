/**
 * Which certificate fingerprint a `wss://` connection is pinned to (DESIGN.md "Remote
 * devices", "Pinning"), and what the CLI says when the gateway presents another one.
 *
 * In order: `--tls-fingerprint`, `SPECIAL_AGENT_GATEWAY_TLS_FINGERPRINT`, the pin remembered
 * for the URL in `known-gateways.json`, and for a loopback URL this home's own gateway
 * certificate (so `gateway status` works on the gateway's machine with nothing to type).
 * There is no trust on first use: a `wss://` URL with none of these is refused.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppPaths } from '../main/local/home.js';
import {
  fingerprintSha256,
  GATEWAY_PEM,
  isLoopback,
  normalizeFingerprint,
  normalizeIp,
  pemBlocks,
  TLS_DIR,
  type TlsPinMismatchError,
} from '../main/local/tls.js';
import type { Config } from '../shared/config-schema.js';
import { EXIT } from '../shared/exit-codes.js';
import { localGatewayHost } from '../main/local/gateway-process.js';
import { CliError } from './cli-error.js';
import { gatewayKey, type KnownGateways } from './known-gateways.js';

/** Environment variable holding the fingerprint to pin (DESIGN.md "Remote devices"). */
export const TLS_FINGERPRINT_ENV = 'SPECIAL_AGENT_GATEWAY_TLS_FINGERPRINT';

/** Where a pin came from; `flag` and `env` are remembered once the connection succeeds. */
export type PinSource = 'flag' | 'env' | 'known' | 'own-certificate';

/** The fingerprint a connection is pinned to. */
export interface GatewayPin {
  /** Canonical `AB:CD:…`. */
  fingerprint: string;
  source: PinSource;
  /** For `own-certificate`: the file it was read from. */
  file?: string;
}

export interface ResolvePinOptions {
  /** The gateway URL, `ws://` or `wss://`. */
  url: string;
  flag?: string | undefined;
  env: NodeJS.ProcessEnv;
  known: KnownGateways;
  paths: Pick<AppPaths, 'home'>;
  config: Config;
}

const HOW_TO_GET_ONE =
  "run special-agent gateway status on the gateway's machine and pass --tls-fingerprint <sha256> " +
  `(or set ${TLS_FINGERPRINT_ENV})`;

/** The pin for `url`; undefined for `ws://`. Throws a one-line {@link CliError} when there is none. */
export async function resolvePin(options: ResolvePinOptions): Promise<GatewayPin | undefined> {
  const explicit = explicitPin(options);
  if (!options.url.startsWith('wss:')) {
    if (explicit === undefined) return undefined;
    throw new CliError(
      `${explicit.name} pins a TLS certificate, but ${gatewayKey(options.url)} is not a TLS URL; use --url wss://host:port`,
      EXIT.usage,
    );
  }
  if (explicit !== undefined) {
    const fingerprint = normalizeFingerprint(explicit.value);
    if (fingerprint === undefined) {
      throw new CliError(
        `${explicit.name} ${JSON.stringify(explicit.value)} is not a SHA-256 fingerprint (64 hex digits, colons optional, as special-agent gateway status shows it)`,
        EXIT.usage,
      );
    }
    return { fingerprint, source: explicit.source };
  }
  const known = await options.known.pinFor(options.url);
  if (known !== undefined) return { fingerprint: known, source: 'known' };
  // This home's own gateway: on loopback, or at the one address its bind names.
  if (isLoopbackUrl(options.url) || isOwnBindUrl(options.url, options.config)) {
    const own = await ownCertificateFingerprint(options.paths, options.config);
    if (own !== undefined) return { ...own, source: 'own-certificate' };
  }
  throw new CliError(
    `no TLS certificate is pinned for ${gatewayKey(options.url)}: ${HOW_TO_GET_ONE}`,
    EXIT.usage,
  );
}

function explicitPin(
  options: ResolvePinOptions,
): { value: string; source: 'flag' | 'env'; name: string } | undefined {
  if (options.flag !== undefined)
    return { value: options.flag, source: 'flag', name: '--tls-fingerprint' };
  const fromEnv = options.env[TLS_FINGERPRINT_ENV];
  if (fromEnv) return { value: fromEnv, source: 'env', name: TLS_FINGERPRINT_ENV };
  return undefined;
}

/** A host as an address: `[::1]` (as URLs write IPv6) → `::1`. */
export function unbracket(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1');
}

/** `url` is at the address this home's gateway binds to (an explicit IP, its tailnet address). */
function isOwnBindUrl(url: string, config: Config): boolean {
  const host = normalizeIp(unbracket(new URL(url).hostname));
  const own = normalizeIp(unbracket(localGatewayHost(config.gateway.bind)));
  return host !== undefined && host === own;
}

function isLoopbackUrl(url: string): boolean {
  const host = unbracket(new URL(url).hostname);
  if (host === 'localhost') return true;
  const ip = normalizeIp(host);
  return ip !== undefined && isLoopback(ip);
}

/**
 * The fingerprint of the certificate this home's gateway serves: the user's
 * `gateway.tls.certPath`, else `<home>/tls/gateway.pem`. Only the certificate block is
 * read into use; undefined when there is none to read (the gateway has not made it yet).
 */
async function ownCertificateFingerprint(
  paths: Pick<AppPaths, 'home'>,
  config: Config,
): Promise<{ fingerprint: string; file: string } | undefined> {
  const file = config.gateway.tls.certPath ?? join(paths.home, TLS_DIR, GATEWAY_PEM);
  const text = await readFile(file, 'utf8').catch(() => undefined);
  const first = text === undefined ? undefined : pemBlocks(text, 'CERTIFICATE')[0];
  if (first === undefined) return undefined;
  try {
    return { fingerprint: fingerprintSha256(first), file };
  } catch {
    return undefined;
  }
}

/**
 * The SSH-style refusal of a certificate that is not the pinned one, in one line: both
 * fingerprints, the likely causes, and how to accept the new one once it is checked.
 */
export function pinMismatchMessage(
  url: string,
  pin: GatewayPin,
  error: TlsPinMismatchError,
): string {
  const where = gatewayKey(url);
  if (error.actual === undefined) {
    return `the gateway at ${where} sent no TLS certificate; expected fingerprint ${pin.fingerprint}`;
  }
  if (pin.source === 'own-certificate') {
    return (
      `the gateway at ${where} presents the TLS certificate ${error.actual}, not this home's own ` +
      `${pin.fingerprint} (${pin.file ?? 'its certificate'}): it is another gateway; if it is the one you mean, ` +
      `pass --tls-fingerprint ${error.actual}`
    );
  }
  const check = "the fingerprint with special-agent gateway status on the gateway's machine";
  if (pin.source !== 'known') {
    const name = pin.source === 'flag' ? '--tls-fingerprint' : TLS_FINGERPRINT_ENV;
    return (
      `the gateway at ${where} presents the TLS certificate ${error.actual}, not ${pin.fingerprint} ` +
      `given with ${name}: someone may be intercepting the connection, or the fingerprint is wrong; check ${check}`
    );
  }
  return (
    `WARNING: the TLS certificate of the gateway at ${where} has changed: it presents ${error.actual}, ` +
    `but ${pin.fingerprint} is pinned. Someone may be intercepting the connection, or the gateway made ` +
    `a new certificate. Check ${check}; if it is ${error.actual}, accept it ` +
    `by running this command again with --tls-fingerprint ${error.actual}`
  );
}
