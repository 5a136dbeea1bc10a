/**
 * The composition root (STYLE.md "One composition root"): builds every service in a fixed
 * order and passes dependencies in. Used by the headless entry, the CLI's `gateway run` and
 * the Electron entry. Nothing here runs at import time.
 */
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { ChatService } from './agents/chat-service.js';
import { AuthProfiles } from './auth-profiles/auth-profiles.js';
import { ProfileStateStore } from './auth-profiles/profile-state-store.js';
import { SessionStore } from './agents/session-store.js';
import {
  ClientAddressResolver,
  hostInterfaceAddresses,
  type NetworkInterfaceMap,
} from './auth/client-address.js';
import { FailedAuthLimiter } from './auth/rate-limiter.js';
import { RequestGates } from './auth/request-gates.js';
import { ConfigEditor } from './config/edit.js';
import { loadConfig } from './config/load.js';
import { resolvePaths, type AppPaths } from './config/paths.js';
import { ConfigWatcher } from './config/watch.js';
import { ControlUiAssets } from './gateway/control-ui.js';
import { DeviceVerifier } from './gateway/device-verify.js';
import { GatewayAuthState } from './gateway/gateway-auth-state.js';
import { GatewayLock } from './gateway/gateway-lock.js';
import { KeychainStatus } from './gateway/keychain-status.js';
import { GatewayServer } from './gateway/gateway-server.js';
import { Authenticator } from './gateway/handshake.js';
import { DEFAULT_LIMITS, type GatewayLimits } from './gateway/limits.js';
import {
  BindError,
  bindIsLoopback,
  listenAddressesFor,
  listenHostFor,
} from './gateway/listen-address.js';
import { prepareGatewayTls, tlsStatusOf } from './gateway/tls-setting.js';
import { registerAllMethods } from './gateway/methods/index.js';
import { MethodRouter } from './gateway/router.js';
import { hotReload } from './gateway/hot-reload.js';
import { PairingService } from './pairing/pairing-service.js';
import { ModelCatalog } from './providers/model-catalog.js';
import { keychainForHome, type SecretStore } from './secrets/keychain.js';
import { SecretsService } from './secrets/secrets-service.js';
import { systemClock, type Clock } from './util/clock.js';
import { gatewayLogPath } from './util/log-file.js';
import { readLastLines } from './util/log-tail.js';
import { SeenSecrets, createLogger, redact, withSecrets, type Logger } from './util/logger.js';
import type { Config } from '../shared/config-schema.js';
import { hasScope } from '../shared/scopes.js';
import { CLOSE, type StatusPayload, type StatusTls } from '../shared/protocol.js';

export interface GatewayAppOptions {
  env?: NodeJS.ProcessEnv;
  /** Where the gateway's lines go (default: stderr); its secrets are scrubbed before they get there. */
  logger?: Logger;
  /** `--port` / `--bind` from the command line win over the config file. */
  overrides?: { port?: number | undefined; bind?: string | undefined };
  limits?: Partial<GatewayLimits>;
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
  /** `status.tls`: whether the port speaks HTTPS/WSS, and the certificate's fingerprint. */
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

/** Starts the gateway: config, lock, pairing store, keychain, auth, server, hot reload. */
export async function startGatewayApp(options: GatewayAppOptions = {}): Promise<GatewayApp> {
  const env = options.env ?? process.env;
  const clock = options.clock ?? systemClock;
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const paths = resolvePaths(env);
  let authState: GatewayAuthState | undefined;
  const seenSecrets = new SeenSecrets();
  const knownSecrets = () => [...(authState?.secrets() ?? []), ...seenSecrets.values()];
  // The entry's logger knows none of the gateway's secrets: every line passes through here.
  const logger = withSecrets(options.logger ?? createLogger(), knownSecrets);

  const loaded = await loadConfig(paths);
  const config = applyOverrides(loaded.config, options.overrides);
  const { bind, auth } = config.gateway;
  if (auth.mode === 'none' && !bindIsLoopback(bind)) {
    throw new BindError(
      `gateway.auth.mode "none" is only allowed with gateway.bind "loopback" (bind is "${bind}"); ` +
        'use token mode: special-agent configure set gateway.auth.mode token',
    );
  }
  const interfaces = options.networkInterfaces ?? networkInterfaces;
  const host = listenHostFor(bind, interfaces());
  const listenAddresses = listenAddressesFor(host, interfaces());

  const lock = await GatewayLock.acquire(paths.gatewayLock, clock.now());
  let restarting = false;
  // A restart in this process keeps the lock: no other gateway slips in between.
  const cleanups: (() => Promise<void> | void)[] = [
    () => (restarting ? undefined : lock.release()),
  ];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step();
  };
  try {
    const pairing = await PairingService.open({
      path: paths.devices,
      clock,
      limits: { pendingTtlMs: config.gateway.pairing.pendingTtlSeconds * 1000 },
    });
    cleanups.push(() => pairing.close());
    // With the lock held: the gateway's own certificate lives in this home.
    const certificate = await prepareGatewayTls({
      gateway: config.gateway,
      home: paths.home,
      addresses: listenAddresses,
      clock,
      logger,
    });
    const tls = tlsStatusOf(certificate);
    const keychain = options.keychain ?? keychainForHome(paths.home);
    const editor = new ConfigEditor({ paths });
    const watcher = new ConfigWatcher({ paths, initial: config, initialHash: loaded.hash });
    const currentConfig = () => applyOverrides(watcher.current(), options.overrides);
    const secrets = new SecretsService({
      store: keychain,
      editConfig: (edits) => editor.applyEdits(edits),
      getConfig: currentConfig,
      env,
      onSecret: (value) => seenSecrets.add(value),
    });
    // The auth state needs to close connections of a server built after it.
    const serverRef: { current?: GatewayServer } = {};
    authState = await GatewayAuthState.create(
      {
        env,
        keychain,
        secrets,
        onSharedSecretChanged: (keep) =>
          serverRef.current?.closeWhere(
            (conn) => conn.identity?.authMethod === 'shared' && conn.id !== keep,
            CLOSE.credentialsWithdrawn,
            'gateway auth changed',
          ),
      },
      config,
    );
    const auth = authState;
    const router = new MethodRouter({ logger, maxForbiddenCalls: limits.maxForbiddenCalls });
    const gates = new RequestGates({
      port: config.gateway.port,
      listenAddresses,
      allowedHosts: config.gateway.allowedHosts,
      allowedOrigins: config.gateway.controlUi.allowedOrigins,
      tls: tls.enabled,
    });
    const addresses = new ClientAddressResolver({
      trustedProxies: config.gateway.trustedProxies,
      // Read per connection: tailnet addresses come and go while the gateway runs.
      localAddresses: () => hostInterfaceAddresses(interfaces()),
      logger,
    });
    const authenticator = new Authenticator({
      auth: () => auth.current(),
      autoApproveLocal: () => currentConfig().gateway.pairing.autoApproveLocal,
      pairing,
      limiter: new FailedAuthLimiter({
        clock,
        maxFailures: limits.lockoutMaxFailures,
        windowMs: limits.lockoutWindowMs,
        lockoutMs: limits.lockoutMs,
      }),
      verifier: new DeviceVerifier({ signatureSkewMs: limits.signatureSkewMs }),
      clock,
    });
    const version = packageVersion();
    const wsScheme = tls.enabled ? 'wss' : 'ws';
    const ui = await ControlUiAssets.load(
      options.uiDir ?? new URL('../../dist/renderer', import.meta.url).pathname,
    );
    const server = new GatewayServer({
      limits,
      version,
      clock,
      logger,
      gates,
      addresses,
      authenticator,
      router,
      authMode: () => auth.mode,
      httpHandler: (req, res) =>
        ui.handle(req, res, { wsOrigin: `${wsScheme}://${req.headers.host ?? ''}` }),
      tls: certificate,
    });
    serverRef.current = server;
    const gateway = server;
    const sessions = new SessionStore({ sessionsDir: paths.sessionsDir, clock, logger });
    const profileState = await ProfileStateStore.open(paths.stateDir, {
      clock,
      onWriteFailed: (error) =>
        logger.error(
          `could not save the auth profile state: ${error instanceof Error ? error.message : String(error)}`,
        ),
    });
    const profiles = new AuthProfiles({
      getConfig: currentConfig,
      secrets,
      state: profileState,
      clock,
    });
    const catalog = new ModelCatalog({ clock });
    const chat = new ChatService({ getConfig: currentConfig, profiles, catalog, sessions, clock });
    cleanups.push(() => chat.close());

    // Asking the OS keychain costs ~0.65 ms; `status` is the hot read of every client.
    const keychainStatus = new KeychainStatus({
      keychain,
      clock,
      ttlMs: limits.keychainStatusTtlMs,
    });
    // Asked now, so the first `status` has an answer and need not wait for one.
    void keychainStatus.current();
    const status = async (): Promise<StatusPayload> => {
      const probe = await keychainStatus.current();
      const current = currentConfig();
      return {
        version,
        uptimeMs: gateway.uptimeMs,
        bind: current.gateway.bind,
        port: gateway.port,
        authMode: auth.mode,
        connections: gateway.openConnectionCount(),
        pendingPairings: pairing.pendingCount(),
        keychain: { available: probe.available, backend: probe.backend },
        tls,
      };
    };
    const displayHost = host === '0.0.0.0' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    const closeDevice = (deviceId: string, reason: string) =>
      gateway.closeWhere((conn) => conn.deviceId === deviceId, CLOSE.credentialsWithdrawn, reason);
    registerAllMethods({
      router,
      pairing,
      config: { current: currentConfig, editor, reload: () => watcher.reload(), hash: () => watcher.hash() },
      secrets,
      keychain,
      chat,
      sessions,
      profiles,
      catalog,
      auth,
      status,
      // Redacted again on the way out: a value may have become a secret after it was logged.
      logs: {
        tail: async (lines) =>
          (await readLastLines(gatewayLogPath(paths.home), lines)).map((line) =>
            redact(line, knownSecrets()),
          ),
      },
      closeDevice,
      publicOrigin: () => `${tls.enabled ? 'https' : 'http'}://${displayHost}:${gateway.port}`,
      tlsFingerprint: () => tls.fingerprintSha256,
      requestRestart: options.onRestartRequested,
    });
    const pairingEvents = (conn: { scopes: readonly string[] }) =>
      hasScope(conn.scopes, 'operator.pairing');
    pairing.on('requested', (request) => {
      logger.info(
        `pairing requested by ${request.displayName ?? 'an unnamed device'} (${request.platform ?? '-'}/${request.clientId}) ` +
          `at ${request.remoteIp}: request ${request.requestId} (special-agent devices approve ${request.requestId.slice(0, 8)})`,
      );
      gateway.broadcast('device.pair.requested', request, pairingEvents);
    });
    pairing.on('resolved', (event) =>
      gateway.broadcast('device.pair.resolved', event, pairingEvents),
    );
    pairing.on('paired', (event) => gateway.broadcast('device.paired', event, pairingEvents));
    pairing.on('write-failed', (error) =>
      logger.error(`could not save the pairing store: ${error.message}`),
    );
    pairing.on('device-changed', ({ deviceId, change }) =>
      closeDevice(deviceId, change === 'removed' ? 'device removed' : 'device token revoked'),
    );

    const port = await server.listen(host, config.gateway.port);
    cleanups.push(() => gateway.stop());
    await lock.recordPort(port);
    gates.update({
      port,
      listenAddresses,
      allowedHosts: config.gateway.allowedHosts,
      allowedOrigins: config.gateway.controlUi.allowedOrigins,
    });
    hotReload({
      watcher,
      overrides: options.overrides,
      server: gateway,
      gates,
      addresses,
      pairing,
      auth,
      logger,
      host,
      port,
    });
    watcher.start();
    cleanups.push(() => watcher.close());

    const url = `${tls.enabled ? 'https' : 'http'}://${displayHost}:${port}/`;
    let stopped = false;
    return {
      port,
      host,
      url,
      tls,
      get authMode() {
        return auth.mode;
      },
      paths,
      pairing,
      status,
      async stop(reason = 'gateway stopping', restartExpectedMs?: number) {
        if (stopped) return;
        stopped = true;
        restarting = restartExpectedMs !== undefined;
        await gateway.stop(reason, restartExpectedMs);
        await cleanup();
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

function applyOverrides(config: Config, overrides: GatewayAppOptions['overrides']): Config {
  if (!overrides || (overrides.port === undefined && overrides.bind === undefined)) return config;
  return {
    ...config,
    gateway: {
      ...config.gateway,
      ...(overrides.port === undefined ? {} : { port: overrides.port }),
      ...(overrides.bind === undefined ? {} : { bind: overrides.bind }),
    },
  };
}
