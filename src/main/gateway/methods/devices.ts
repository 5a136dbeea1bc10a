import { z } from 'zod';
import type { MethodServices } from './context.js';

const requestId = z.strictObject({ requestId: z.string().min(1).max(128) });
const deviceId = z.strictObject({ deviceId: z.string().regex(/^[0-9a-f]{64}$/, 'expected a 64-character hex device id') });

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
    handler: (params) => pairing.approve(params.requestId, 'operator'),
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
