import { PairingService } from '../pairing/pairing-service.js';
import type { Config } from '../../shared/config-schema.js';
import { hasScope } from '../../shared/scopes.js';
import type { AppBasics } from './basics.js';
import type { AppParts } from './parts.js';

/** Opens the paired-devices store (with the gateway lock held: one writer per home). */
export function setupPairing(
  { paths, clock }: Pick<AppBasics, 'paths' | 'clock'>,
  config: Config,
): Promise<PairingService> {
  return PairingService.open({
    path: paths.devices,
    clock,
    limits: { pendingTtlMs: config.gateway.pairing.pendingTtlSeconds * 1000 },
  });
}

/**
 * Pairing news goes to the operators allowed to act on it; a removed or revoked device's
 * sockets close; a failed save is logged.
 */
export function setupPairingEvents(
  parts: Pick<AppParts, 'basics' | 'pairing' | 'server' | 'connections'>,
): void {
  const { pairing, connections } = parts;
  const { logger } = parts.basics;
  const { gateway } = parts.server;
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
    connections.closeDevice(
      deviceId,
      change === 'removed' ? 'device removed' : 'device token revoked',
    ),
  );
}
