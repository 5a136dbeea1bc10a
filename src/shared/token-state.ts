/**
 * The state of a paired device's token, as `devices list` and the Devices page show it: from
 * the newest token record (by `createdAtMs`, whatever the store's order).
 */
import type { PairedDevice } from './protocol.js';

/** `active`, `rotated`, `revoked`, or `none` when no token was ever issued. */
export type TokenState = 'active' | 'rotated' | 'revoked' | 'none';

/** The state of the device's newest token. */
export function tokenState(device: Pick<PairedDevice, 'tokens'>): TokenState {
  let latest: PairedDevice['tokens'][number] | undefined;
  for (const token of device.tokens) {
    if (latest === undefined || token.createdAtMs >= latest.createdAtMs) latest = token;
  }
  if (!latest) return 'none';
  if (latest.revokedAtMs !== undefined) return 'revoked';
  if (latest.rotatedAtMs !== undefined) return 'rotated';
  return 'active';
}
