import { z } from 'zod';
import type { MethodServices } from './context.js';
import { deviceIdParam, displayText } from './params.js';

/**
 * `device.pair.ignore`, `device.unignore` and `device.rename` (DESIGN.md "Ignore and
 * name"). An ignored device's later connects make no request and no event until it is
 * unignored; `device.pair.list` lists it under `ignored`.
 */
export function registerDeviceManagementMethods(services: MethodServices): void {
  const { router, pairing } = services;
  router.register('device.pair.ignore', {
    scope: 'operator.pairing',
    params: z.strictObject({ requestId: z.string().min(1).max(128) }),
    handler: (params) => pairing.ignored.ignore(params.requestId),
  });
  router.register('device.unignore', {
    scope: 'operator.pairing',
    params: z.strictObject({ deviceId: deviceIdParam }),
    handler: (params) => pairing.ignored.unignore(params.deviceId),
  });
  router.register('device.rename', {
    scope: 'operator.pairing',
    params: z.strictObject({ deviceId: deviceIdParam, displayName: displayText }),
    handler: async (params) => ({
      device: await pairing.rename(params.deviceId, params.displayName),
    }),
  });
}
