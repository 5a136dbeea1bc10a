import type { GatewayLock } from '../gateway/gateway-lock.js';
import { hotReload } from '../gateway/hot-reload.js';
import type { AppParts } from './parts.js';

/**
 * After the port is bound: the lock file records it, the Host/Origin gates learn it (with
 * `port: 0` it is only known now), and config changes start applying to the running
 * gateway. The caller starts the watcher, so its cleanup sits beside it.
 */
export async function setupRunning(
  parts: Pick<AppParts, 'basics' | 'start' | 'server' | 'secrets' | 'pairing' | 'auth' | 'tls'>,
  lock: GatewayLock,
  port: number,
): Promise<void> {
  const { start, server } = parts;
  const { config } = start;
  // The URL too: the tray of this home, refused by the lock, opens that gateway's UI.
  await lock.recordPort(
    port,
    `${parts.tls.enabled ? 'https' : 'http'}://${start.displayHost}:${port}/`,
  );
  server.gates.update({
    port,
    listenAddresses: start.listenAddresses,
    allowedHosts: config.gateway.allowedHosts,
    allowedOrigins: config.gateway.controlUi.allowedOrigins,
  });
  hotReload({
    watcher: parts.secrets.watcher,
    overrides: parts.basics.overrides,
    server: server.gateway,
    gates: server.gates,
    addresses: server.addresses,
    pairing: parts.pairing,
    auth: parts.auth,
    logger: parts.basics.logger,
    host: start.host,
    port,
  });
}
