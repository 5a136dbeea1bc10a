import { z } from 'zod';
import { SCOPE_PATTERN } from '../../../shared/protocol.js';
import { PAIRED_PAGE_LIMIT } from '../../pairing/pairing-limits.js';
import type { MethodServices } from './context.js';
import { assertMayGrant } from './grants.js';

/** Longest name a person may give a device, in characters (PROTOCOL.md `displayName`). */
export const MAX_DISPLAY_NAME_LENGTH = 64;

/**
 * A device name a person typed: trimmed, 1–64 characters, none of them control, format
 * (e.g. bidi overrides that reorder what the tray and the CLI show) or line separators.
 */
export const displayNameParam = z
  .string()
  .trim()
  .min(1, 'expected a name of at least 1 character')
  .refine((name) => [...name].length <= MAX_DISPLAY_NAME_LENGTH, {
    message: `expected a name of at most ${MAX_DISPLAY_NAME_LENGTH} characters`,
  })
  .refine((name) => !/[\p{C}\p{Zl}\p{Zp}]/u.test(name), {
    message: 'expected printable characters only (no control or format characters)',
  });

const requestIdParam = z.string().min(1).max(128);
const requestId = z.strictObject({ requestId: requestIdParam });
const approveParams = z.strictObject({
  requestId: requestIdParam,
  displayName: displayNameParam.optional(),
  // Same shape as `connect` scopes; whether each narrows the request is the service's call.
  scopes: z.array(z.string().regex(SCOPE_PATTERN)).max(32).optional(),
});
const listParams = z.strictObject({
  limit: z.number().int().min(1).max(PAIRED_PAGE_LIMIT).optional(),
  cursor: z.string().min(1).max(256).optional(),
});
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
    params: listParams,
    // Paged past PAIRED_PAGE_LIMIT devices; pending and ignored lists come whole (capped).
    handler: (params) => pairing.list(params),
  });
  router.register('device.pair.approve', {
    scope: 'operator.pairing',
    params: approveParams,
    // Any request, the caller's own included: approving grants its scopes, so the caller
    // must hold them (a pairing-only device could otherwise mint an admin key pair).
    handler: (params, { conn }) =>
      pairing.approve(params.requestId, {
        approvedBy: 'operator',
        displayName: params.displayName,
        scopes: params.scopes,
        authorize: (granted) => assertMayGrant(conn.scopes, granted, 'approve'),
      }),
  });
  router.register('device.pair.reject', {
    scope: 'operator.pairing',
    params: requestId,
    handler: (params) => pairing.reject(params.requestId),
  });
  // The methods that act on one paired device, named by `deviceId`.
  const byDevice: Record<string, (id: string) => Promise<unknown>> = {
    'device.pair.remove': (id) => pairing.remove(id),
    'device.token.rotate': (id) => pairing.rotateToken(id),
    'device.token.revoke': (id) => pairing.revokeToken(id),
  };
  for (const [method, act] of Object.entries(byDevice)) {
    router.register(method, {
      scope: 'operator.pairing',
      params: deviceId,
      // On the caller's own device: the reply first, then its sockets close 4001.
      handler: (params, { conn, replyBeforeClose }) => {
        if (params.deviceId === conn.deviceId) replyBeforeClose();
        return act(params.deviceId);
      },
    });
  }
}
