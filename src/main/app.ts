/**
 * The composition root (STYLE.md "One composition root"): builds every service in a fixed
 * order and passes dependencies in. Used by the headless entry, the CLI's `gateway run` and
 * the Electron entry. Nothing here runs at import time. The steps live in ./composition/.
 */
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import type { NetworkInterfaceMap } from './auth/client-address.js';
import { resolvePaths, type AppPaths } from './config/paths.js';
import { GatewayLock } from './gateway/gateway-lock.js';
import { DEFAULT_LIMITS, type GatewayLimits } from './gateway/limits.js';
import type { PairingService } from './pairing/pairing-service.js';
import type { SecretStore } from './secrets/keychain.js';
import { systemClock, type Clock } from './util/clock.js';
import { createLogger, withSecrets, type Logger } from './util/logger.js';
import type { AppBasics, ConfigOverrides } from './composition/basics.js';
import type { AppParts } from './composition/parts.js';
import { Cleanups } from './composition/cleanups.js';
import { Connections } from './composition/connections.js';
import { LogSecrets } from './composition/log-secrets.js';
import { setupChat } from './composition/setup-chat.js';
import type { ChatLimits } from './agents/chat-service.js';
import { setupConfig } from './composition/setup-config.js';
import { setupRunning } from './composition/setup-listen.js';
import { setupMethods, setupStatus } from './composition/setup-methods.js';
import { setupPairing, setupPairingEvents } from './composition/setup-pairing.js';
import { setupAuth, setupSecrets, setupTls } from './composition/setup-secrets.js';
import { setupServer } from './composition/setup-server.js';
import type { Config } from '../shared/config-schema.js';
import type { StatusPayload, StatusTls } from '../shared/protocol.js';

export interface GatewayAppOptions {
  env?: NodeJS.ProcessEnv;
  /** Where the gateway's lines go (default: stderr); its secrets are scrubbed before they get there. */
  logger?: Logger;
  /** `--port` / `--bind` from the command line win over the config file. */
  overrides?: ConfigOverrides;
  limits?: Partial<GatewayLimits>;
  /** Chat limits (default `CHAT_DEFAULTS`); the chat bench runs 100 streams at once. */
  chatLimits?: Partial<ChatLimits>;
  clock?: Clock;
  keychain?: SecretStore;
  /** Folder of the built Control UI; defaults to dist/renderer beside this package. */
  uiDir?: string;
  /** This host's interfaces (default `os.networkInterfaces`), read for binds and locality. */
  networkInterfaces?: () => NetworkInterfaceMap;
  /**
   * Called for `gateway.restart` by whoever can start the gateway again (run-gateway.ts,
   * the desktop shell): it stops this app with `restartExpectedMs` and starts a new one.
   */
  onRestartRequested?: ((restartExpectedMs: number) => void) | undefined;
}

/** A running gateway, as the entries, the tray and the tests see it. */
export interface GatewayApp {
  readonly port: number;
  readonly host: string;
  /** `http://127.0.0.1:<port>/` (the listen address for non-loopback binds; `https` with TLS). */
  readonly url: string;
  /** `status.tls`: whether the port speaks HTTPS/WSS, and the served certificate's fingerprint. */
  readonly tls: StatusTls;
  readonly authMode: Config['gateway']['auth']['mode'];
  readonly paths: AppPaths;
  readonly pairing: PairingService;
  status(): Promise<StatusPayload>;
  /**
   * Graceful stop. With `restartExpectedMs` (a restart in this process), the `shutdown`
   * event tells clients when to come back and the lock file stays for the next start.
   */
  stop(reason?: string, restartExpectedMs?: number): Promise<void>;
}

/** The package version, read once at start. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/**
 * Starts the gateway: config, lock, pairing store, TLS, secrets, auth, server, chat,
 * methods, events, listen, hot reload. Each step that holds a resource adds its cleanup
 * right after it; when a later step throws they run newest first and the error goes on.
 */
export async function startGatewayApp(options: GatewayAppOptions = {}): Promise<GatewayApp> {
  const basics = setupBasics(options);
  const start = await setupConfig(basics);
  const lock = await GatewayLock.acquire(basics.paths.gatewayLock, basics.clock.now());
  let restarting = false;
  // A restart in this process keeps the lock: no other gateway slips in between.
  const cleanups = new Cleanups();
  cleanups.add(() => (restarting ? undefined : lock.release()));
  try {
    const pairing = await setupPairing(basics, start.config);
    cleanups.add(() => pairing.close());
    const tls = await setupTls(basics, start);
    const secrets = setupSecrets(basics, start, options.keychain);
    // The auth state closes connections of the server built after it: through this handle.
    const connections = new Connections();
    const auth = await setupAuth(basics, secrets, connections, start.config);
    const version = packageVersion();
    const server = await setupServer(
      { basics, start, tls, auth, pairing, secrets, version },
      options.uiDir ?? builtUiDir(import.meta.url),
    );
    connections.attach(server.gateway);
    const chat = await setupChat(basics, secrets, options.chatLimits);
    cleanups.add(() => chat.chat.close());
    const parts = {
      basics,
      start,
      pairing,
      tls,
      secrets,
      connections,
      auth,
      version,
      server,
      chat,
    };
    const status = setupStatus(parts);
    setupMethods(parts, status, options.onRestartRequested);
    setupPairingEvents(parts);

    const { gateway } = server;
    const port = await gateway.listen(start.host, start.config.gateway.port);
    cleanups.add(() => gateway.stop());
    tls.refresh?.start((certificate) => gateway.replaceCertificate(certificate));
    cleanups.add(() => tls.refresh?.stop());
    await setupRunning(parts, lock, port);
    secrets.watcher.start();
    cleanups.add(() => secrets.watcher.close());

    return runningApp(parts, port, status, async (reason, restartExpectedMs) => {
      restarting = restartExpectedMs !== undefined;
      await gateway.stop(reason, restartExpectedMs);
      await cleanups.run();
    });
  } catch (error) {
    await cleanups.run();
    throw error;
  }
}

/** The app handle the entries get; `stop` runs once, later calls do nothing. */
function runningApp(
  { basics, start, tls, auth, pairing }: AppParts,
  port: number,
  status: () => Promise<StatusPayload>,
  stop: (reason: string, restartExpectedMs: number | undefined) => Promise<void>,
): GatewayApp {
  let stopped = false;
  return {
    port,
    host: start.host,
    url: `${tls.enabled ? 'https' : 'http'}://${start.displayHost}:${port}/`,
    get tls() {
      return tls.status();
    },
    get authMode() {
      return auth.mode;
    },
    paths: basics.paths,
    pairing,
    status,
    async stop(reason = 'gateway stopping', restartExpectedMs?: number) {
      if (stopped) return;
      stopped = true;
      await stop(reason, restartExpectedMs);
    },
  };
}

/** The options resolved to their defaults, and the logger that scrubs the gateway's secrets. */
function setupBasics(options: GatewayAppOptions): AppBasics {
  const logSecrets = new LogSecrets();
  return {
    env: options.env ?? process.env,
    clock: options.clock ?? systemClock,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    paths: resolvePaths(options.env ?? process.env),
    // The entry's logger knows none of the gateway's secrets: every line passes through here.
    logger: withSecrets(options.logger ?? createLogger(), () => logSecrets.values()),
    logSecrets,
    overrides: options.overrides,
    interfaces: options.networkInterfaces ?? networkInterfaces,
  };
}

/**
 * The built Control UI beside the module at `moduleUrl` (`dist/renderer`), as a file path:
 * `fileURLToPath`, not the URL's `pathname`, which keeps `%20` for a space and gives
 * `/C:/…` on Windows, so the UI was "missing" under such install paths.
 */
export function builtUiDir(moduleUrl: string): string {
  return fileURLToPath(new URL('../../dist/renderer', moduleUrl));
}
