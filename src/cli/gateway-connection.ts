/**
 * How the CLI reaches the running gateway: which URL, which shared secret, which device
 * identity, and what to say when nobody answers.
 */
import WebSocket from 'ws';
import type { AuthMode, Config } from '../shared/config-schema.js';
import { GatewayClient, GatewayClientError, type ConnectAuth } from '../shared/gateway-client.js';
import type { ClientInfo, HelloOk } from '../shared/protocol.js';
import { resolveSecret, type SecretSource } from '../main/local/secrets.js';
import type { GatewayError } from '../shared/errors.js';
import type { CliContext } from './cli-context.js';
import { CliError } from './cli-error.js';
import { CliIdentityStore } from './cli-identity.js';
import { noGatewayAt } from './no-gateway.js';
import {
  decideTls,
  isLoopback,
  normalizeIp,
  pinnedWebSocketOptions,
  TlsPinMismatchError,
} from '../main/local/tls.js';
import { localGatewayHost } from '../main/local/gateway-process.js';
import { gatewayKey, KnownGateways, knownGatewaysPath } from './known-gateways.js';
import { pinMismatchMessage, resolvePin, unbracket, type GatewayPin } from './tls-pin.js';

/** Environment variable naming the gateway URL (DESIGN.md "Files and environment"). */
export const GATEWAY_URL_ENV = 'SPECIAL_AGENT_GATEWAY_URL';
/** `client.id` the CLI connects with. */
export const CLI_CLIENT_ID = 'special-agent-cli';
/** Limits of one CLI connection. */
export const CONNECTION_DEFAULTS = {
  /** TCP connect + HTTP upgrade. */
  openTimeoutMs: 10_000,
  /** One request's answer (a chat reply streams as events, not under this limit). */
  requestTimeoutMs: 30_000,
} as const;

/**
 * The gateway's WebSocket URL: `--url`, then SPECIAL_AGENT_GATEWAY_URL, then the config's
 * bind and port (127.0.0.1 unless the bind is one address), on `wss://` when the config
 * turns TLS on (gateway.tls, a non-loopback bind).
 */
export function resolveGatewayUrl(options: {
  flag?: string | undefined;
  env: NodeJS.ProcessEnv;
  config: Config;
}): string {
  const { gateway } = options.config;
  const raw =
    options.flag ||
    options.env[GATEWAY_URL_ENV] ||
    `${decideTls(gateway).enabled ? 'wss' : 'ws'}://${localGatewayHost(gateway.bind)}:${gateway.port}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(`invalid gateway URL "${raw}" (expected e.g. ws://127.0.0.1:18789)`, 2);
  }
  if (url.protocol === 'http:') url.protocol = 'ws:';
  if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new CliError(`invalid gateway URL "${raw}" (use ws://host:port or wss://host:port)`, 2);
  }
  url.hash = '';
  return url.href;
}

/** `ws://127.0.0.1:18789/` → `http://127.0.0.1:18789` (the Control UI's and /healthz's origin). */
export function httpOrigin(wsUrl: string): string {
  const url = new URL(wsUrl);
  return `${url.protocol === 'wss:' ? 'https:' : 'http:'}//${url.host}`;
}

/** The shared secret for the config's auth mode, env → config → keychain. */
export interface SharedAuth {
  mode: AuthMode;
  auth: ConnectAuth;
  /** Where the secret came from; `none` when there is none (or none is needed). */
  source: SecretSource;
  /** Why the keychain could not be read, when that left us without a secret. */
  keychainError?: GatewayError;
}

/** Resolves the gateway's shared secret as the gateway itself does. */
export async function resolveSharedAuth(ctx: CliContext, config: Config): Promise<SharedAuth> {
  const mode = config.gateway.auth.mode;
  if (mode === 'none') return { mode, auth: {}, source: 'none' };
  const ref =
    mode === 'token'
      ? ({ kind: 'gateway-token' } as const)
      : ({ kind: 'gateway-password' } as const);
  const resolved = await resolveSecret(ref, { env: ctx.env, config, store: ctx.keychain() });
  const auth: ConnectAuth =
    resolved.value === undefined
      ? {}
      : mode === 'token'
        ? { token: resolved.value }
        : { password: resolved.value };
  return {
    mode,
    auth,
    source: resolved.source,
    ...(resolved.error ? { keychainError: resolved.error } : {}),
  };
}

/** An open, authenticated connection. */
export interface CliGatewayConnection {
  client: GatewayClient;
  hello: HelloOk;
  url: string;
  shared: SharedAuth;
  /** The certificate fingerprint a `wss://` connection was pinned to. */
  pin: GatewayPin | undefined;
  close(): void;
}

/** `--url` and `--tls-fingerprint` as a command received them. */
export interface ConnectOptions {
  url?: string | undefined;
  tlsFingerprint?: string | undefined;
}

/** Where to connect and, for `wss://`, the certificate to expect there. */
export interface GatewayTarget {
  url: string;
  pin: GatewayPin | undefined;
  known: KnownGateways;
}

/** Resolves the URL and its pin (src/cli/tls-pin.ts) once, for `/healthz` and the socket alike. */
export async function resolveGatewayTarget(
  ctx: CliContext,
  config: Config,
  options: ConnectOptions = {},
): Promise<GatewayTarget> {
  const url = resolveGatewayUrl({ flag: options.url, env: ctx.env, config });
  const known = new KnownGateways({ path: knownGatewaysPath(ctx.paths), clock: ctx.clock });
  const pin = await resolvePin({
    url,
    flag: options.tlsFingerprint,
    env: ctx.env,
    known,
    paths: ctx.paths,
    config,
  });
  return { url, pin, known };
}

/** The one line for "nothing listens at `url`". */
export function noGatewayMessage(url: string): string {
  return `no gateway running at ${httpOrigin(url)} (start one with: special-agent gateway run)`;
}

/**
 * Connects as the CLI's device. A loopback CLI is a local device, so the gateway approves it
 * silently. Failures become one line: "no gateway running …", or the gateway's own message.
 */
export async function connectGateway(
  ctx: CliContext,
  config: Config,
  options: ConnectOptions & { target?: GatewayTarget } = {},
): Promise<CliGatewayConnection> {
  const target = options.target ?? (await resolveGatewayTarget(ctx, config, options));
  const { url, pin } = target;
  const shared = await resolveSharedAuth(ctx, config);
  const identity = await new CliIdentityStore({
    path: ctx.paths.cliIdentity,
    clock: ctx.clock,
  }).loadOrCreate();
  let socketError: (Error & { code?: string }) | undefined;
  const client = new GatewayClient({
    openSocket: () => {
      const socket = new WebSocket(url, {
        perMessageDeflate: false,
        handshakeTimeout: CONNECTION_DEFAULTS.openTimeoutMs,
        ...(pin ? pinnedWebSocketOptions(pin.fingerprint) : {}),
      });
      socket.on('error', (error) => (socketError = error));
      return socket;
    },
    identity,
    client: cliClientInfo(ctx.version),
    auth: shared.auth,
    now: () => ctx.clock.now(),
    requestTimeoutMs: CONNECTION_DEFAULTS.requestTimeoutMs,
  });
  let hello: HelloOk;
  try {
    hello = await client.connect();
  } catch (error) {
    const code = socketError?.code;
    // Nothing listens there: this home's gateway may still run elsewhere (its lock says).
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH') {
      const fromConfig = !options.url && !ctx.env[GATEWAY_URL_ENV];
      throw new CliError(await noGatewayAt(ctx, httpOrigin(url), fromConfig, pin?.fingerprint));
    }
    if (
      error instanceof GatewayClientError &&
      error.detailCode === 'PAIRING_REQUIRED' &&
      boundToOneAddress(config, url)
    ) {
      throw new CliError(
        `${error.message} (this gateway listens only on ${new URL(url).hostname}, so tools on ` +
          'this machine reach it as a remote device: approve this one from the tray or a paired ' +
          'Control UI, or set gateway.bind to "lan" to reach it on 127.0.0.1 as a local one)',
      );
    }
    throw connectFailure(error, target, shared, socketError);
  }
  try {
    await rememberPin(ctx, target);
  } catch (error) {
    client.close(1000, 'cli done');
    throw error;
  }
  return { client, hello, url, shared, pin, close: () => client.close(1000, 'cli done') };
}

/**
 * A fingerprint given on the command line or in the environment is remembered for the URL
 * once a connection with it succeeded; one that differs from the remembered pin replaces
 * it (that is how a changed certificate is accepted), and says so on stderr.
 */
async function rememberPin(ctx: CliContext, target: GatewayTarget): Promise<void> {
  const { pin } = target;
  if (pin === undefined || (pin.source !== 'flag' && pin.source !== 'env')) return;
  const { replaced } = await target.known.remember(target.url, pin.fingerprint);
  if (replaced !== undefined) {
    ctx.io.err(
      `special-agent: the TLS certificate pinned for ${gatewayKey(target.url)} is now ${pin.fingerprint} (was ${replaced})\n`,
    );
  }
}

function cliClientInfo(version: string): ClientInfo {
  return {
    id: CLI_CLIENT_ID,
    version,
    platform: process.platform,
    mode: 'cli',
    displayName: 'special-agent CLI',
  };
}

function connectFailure(
  error: unknown,
  target: GatewayTarget,
  shared: SharedAuth,
  socketError: (Error & { code?: string }) | undefined,
): Error {
  const { url } = target;
  if (socketError instanceof TlsPinMismatchError && target.pin !== undefined) {
    return new CliError(pinMismatchMessage(url, target.pin, socketError));
  }
  const code = socketError?.code;
  const tls = url.startsWith('wss:');
  if (code === 'ECONNRESET' && !tls) {
    // A TLS gateway drops a plain request without a word.
    return new CliError(
      `the gateway at ${httpOrigin(url)} closed the connection; if it uses TLS (gateway.tls), connect with --url ${url.replace(/^ws:/, 'wss:')}`,
    );
  }
  if (code === 'EPROTO' && tls) {
    return new CliError(
      `the gateway at ${httpOrigin(url)} does not speak TLS; connect with --url ${url.replace(/^wss:/, 'ws:')}`,
    );
  }
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'EHOSTUNREACH' ||
    code === 'ECONNRESET'
  ) {
    return new CliError(noGatewayMessage(url));
  }
  const httpStatus = /Unexpected server response: (\d+)/.exec(socketError?.message ?? '')?.[1];
  if (httpStatus === '503') {
    // Its connection limits (PROTOCOL.md "Transport"): the same call works once some close.
    return new CliError(
      `the gateway at ${httpOrigin(url)} turned the connection away (HTTP 503: too many connections, or too many not yet signed in from this address); try again in a moment`,
    );
  }
  if (httpStatus) {
    return new CliError(
      `the gateway at ${httpOrigin(url)} refused the connection (HTTP ${httpStatus}; check --url and gateway.allowedHosts)`,
    );
  }
  if (
    error instanceof GatewayClientError &&
    /_MISSING$/.test(error.detailCode) &&
    shared.keychainError
  ) {
    // The gateway says "missing"; the real cause is that the keychain could not be read.
    return new CliError(shared.keychainError.message);
  }
  if (socketError && !(error instanceof GatewayClientError && error.closeCode !== 1006)) {
    return new CliError(
      `cannot reach the gateway at ${httpOrigin(url)} (${socketError.message}; check --url, and that the gateway runs: special-agent gateway status)`,
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** The config binds one address beyond loopback, and `url` is at it (DESIGN: not local). */
function boundToOneAddress(config: Config, url: string): boolean {
  const bind = normalizeIp(config.gateway.bind);
  const host = normalizeIp(unbracket(new URL(url).hostname));
  return bind !== undefined && bind === host && !isLoopback(bind);
}
