import type { ClientAddressResolver } from '../auth/client-address.js';
import type { RequestGates } from '../auth/request-gates.js';
import { restartRequiredFor } from '../config/config-path.js';
import type { ConfigError } from '../config/load.js';
import type { ConfigWatcher } from '../config/watch.js';
import type { PairingService } from '../pairing/pairing-service.js';
import type { Logger } from '../util/logger.js';
import type { Config } from '../../shared/config-schema.js';
import type { GatewayAuthState } from './gateway-auth-state.js';
import type { GatewayServer } from './gateway-server.js';
import { listenAddressesFor } from './listen-address.js';

export interface HotReloadDeps {
  watcher: ConfigWatcher;
  overrides: { port?: number | undefined; bind?: string | undefined } | undefined;
  server: GatewayServer;
  gates: RequestGates;
  addresses: ClientAddressResolver;
  pairing: PairingService;
  auth: GatewayAuthState;
  logger: Logger;
  host: string;
  port: number;
}

/**
 * Applies config edits (from the CLI, the UI or a text editor) to the running gateway
 * without a restart where it can; port and bind need one, and the log says so. An invalid
 * edit keeps the running config and is logged with its file:line:column. A keychain change
 * the CLI announces (`secrets`) re-resolves the shared secret, as a file change would.
 */
export function hotReload(deps: HotReloadDeps): void {
  const { watcher, server, logger } = deps;
  watcher.on(
    'change',
    (change: { config: Config; changedPaths: string[]; keepConnectionId?: string }) => {
      const { config, changedPaths } = change;
      void apply(deps, config, changedPaths, change.keepConnectionId).catch((error: unknown) =>
        logger.error(
          `could not apply the config change: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
      // Paths only, never values: every operator may know that the config changed.
      server.broadcast('config.changed', { paths: changedPaths });
    },
  );
  watcher.on('secrets', () => {
    void deps.auth.refresh(watcher.current()).then(
      (changed) => {
        if (changed)
          logger.info(
            'the gateway auth changed in the keychain; shared-secret sessions were closed',
          );
      },
      (error: unknown) =>
        logger.error(
          `could not apply the keychain change: ${error instanceof Error ? error.message : String(error)}`,
        ),
    );
  });
  watcher.on('invalid', (error: ConfigError) => {
    logger.warn(
      `config change ignored, the gateway keeps running on the previous config: ${error.message}`,
    );
  });
}

async function apply(
  deps: HotReloadDeps,
  config: Config,
  changedPaths: string[],
  keepConnectionId: string | undefined,
): Promise<void> {
  const touched = (prefix: string) =>
    changedPaths.some((path) => path === prefix || path.startsWith(`${prefix}.`));
  const { gateway } = config;
  if (touched('gateway.trustedProxies')) deps.addresses.setTrustedProxies(gateway.trustedProxies);
  if (touched('gateway.allowedHosts') || touched('gateway.controlUi')) {
    deps.gates.update({
      port: deps.port,
      listenAddresses: listenAddressesFor(deps.host),
      allowedHosts: gateway.allowedHosts,
      allowedOrigins: gateway.controlUi.allowedOrigins,
    });
  }
  if (touched('gateway.pairing.pendingTtlSeconds'))
    deps.pairing.setPendingTtlMs(gateway.pairing.pendingTtlSeconds * 1000);
  if (touched('gateway.auth'))
    await deps.auth.refresh(config, keepConnectionId === undefined ? {} : { keepConnectionId });
  const needsRestart = changedPaths.filter((path) => restartRequiredFor([path]));
  const overridden = deps.overrides?.port !== undefined || deps.overrides?.bind !== undefined;
  if (needsRestart.length > 0 && !overridden) {
    deps.logger.warn(
      `${needsRestart.join(', ')} changed: restart the gateway to apply (restartRequired)`,
    );
  }
}
