/**
 * How the CLI reaches the running gateway: which URL, which shared secret, which device
 * identity, and what to say when nobody answers.
 */
import WebSocket from 'ws';
import type { AuthMode, Config } from '../shared/config-schema.js';
import { GatewayClient, GatewayClientError, type ConnectAuth } from '../shared/gateway-client.js';
import type { ClientInfo, HelloOk } from '../shared/protocol.js';
import { resolveSecret, type SecretSource } from '../main/secrets/resolve.js';
import type { GatewayError } from '../shared/errors.js';
import type { CliContext } from './cli-context.js';
import { CliError } from './cli-error.js';
import { CliIdentityStore } from './cli-identity.js';

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

/** The gateway's WebSocket URL: `--url`, then SPECIAL_AGENT_GATEWAY_URL, then the config's port. */
export function resolveGatewayUrl(options: {
  flag?: string | undefined;
  env: NodeJS.ProcessEnv;
  config: Config;
}): string {
  const raw =
    options.flag || options.env[GATEWAY_URL_ENV] || `ws://127.0.0.1:${options.config.gateway.port}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(`invalid gateway URL "${raw}" (expected e.g. ws://127.0.0.1:18789)`, 2);
  }
  if (url.protocol === 'http:') url.protocol = 'ws:';
  if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new CliError(`invalid gateway URL "${raw}" (use ws://host:port)`, 2);
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
export interface GatewayConnection {
  client: GatewayClient;
  hello: HelloOk;
  url: string;
  shared: SharedAuth;
  close(): void;
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
  options: { url?: string | undefined } = {},
): Promise<GatewayConnection> {
  const url = resolveGatewayUrl({ flag: options.url, env: ctx.env, config });
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
  try {
    const hello = await client.connect();
    return { client, hello, url, shared, close: () => client.close(1000, 'cli done') };
  } catch (error) {
    throw connectFailure(error, url, shared, socketError);
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
  url: string,
  shared: SharedAuth,
  socketError: (Error & { code?: string }) | undefined,
): Error {
  const code = socketError?.code;
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'EHOSTUNREACH' ||
    code === 'ECONNRESET'
  ) {
    return new CliError(noGatewayMessage(url));
  }
  const httpStatus = /Unexpected server response: (\d+)/.exec(socketError?.message ?? '')?.[1];
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
    return new CliError(`cannot reach the gateway at ${httpOrigin(url)} (${socketError.message})`);
  }
  return error instanceof Error ? error : new Error(String(error));
}
