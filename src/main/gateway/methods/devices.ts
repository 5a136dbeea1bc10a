import { z } from 'zod';
import { GatewayError } from '../../../shared/errors.js';
import { KNOWN_SCOPES, hasScope, type KnownScope } from '../../../shared/scopes.js';
import type { MethodServices } from './context.js';
import type { GatewayConnection } from '../connection.js';

const requestId = z.strictObject({ requestId: z.string().min(1).max(128) });
const deviceId = z.strictObject({
  deviceId: z.string().regex(/^[0-9a-f]{64}$/, 'expected a 64-character hex device id'),
});

/**
 * `device.pair.*` and `device.token.*`. Closing the sockets of a removed, rotated or revoked
 * device happens on the pairing service's `device-changed` event, so the CLI, the UI and
 * the tray all get the same effect.
 */
export function registerDeviceMethods(services: MethodServices): void {
  const { router, pairing } = services;
  router.register('device.pair.list', {
    scope: 'operator.pairing',
    params: z.strictObject({}),
    handler: () => pairing.list(),
  });
  router.register('device.pair.approve', {
    scope: 'operator.pairing',
    params: requestId,
    handler: (params, { conn }) => {
      const request = pairing
        .list()
        .pending.find((pending) => pending.requestId === params.requestId);
      if (request && request.deviceId === conn.deviceId) assertMayGrant(conn, request.scopes);
      return pairing.approve(params.requestId, 'operator');
    },
  });
  router.register('device.pair.reject', {
    scope: 'operator.pairing',
    params: requestId,
    handler: (params) => pairing.reject(params.requestId),
  });
  router.register('device.pair.remove', {
    scope: 'operator.pairing',
    params: deviceId,
    handler: (params) => pairing.remove(params.deviceId),
  });
  router.register('device.token.rotate', {
    scope: 'operator.pairing',
    params: deviceId,
    handler: (params) => pairing.rotateToken(params.deviceId),
  });
  router.register('device.token.revoke', {
    scope: 'operator.pairing',
    params: deviceId,
    handler: (params) => pairing.revokeToken(params.deviceId),
  });
}

/**
 * A connection may not approve its own device's request for scopes it does not hold:
 * otherwise a pairing-only device could ask for admin and approve itself. Approving other
 * devices needs only `operator.pairing` (PROTOCOL.md). Unknown scopes grant nothing.
 */
function assertMayGrant(conn: GatewayConnection, requested: readonly string[]): void {
  const missing = requested.find(
    (scope): scope is KnownScope =>
      (KNOWN_SCOPES as readonly string[]).includes(scope) &&
      !hasScope(conn.scopes, scope as KnownScope),
  );
  if (missing === undefined) return;
  throw GatewayError.of('MISSING_SCOPE', {
    message: `missing scope: approving this request grants ${missing}, which this device does not hold (approve it from an admin device)`,
    details: { requiredScope: missing },
  });
}
