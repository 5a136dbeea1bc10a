/**
 * A paired device's tokens (PROTOCOL.md handshake step 6): issued once per approval or
 * shared-secret connect, kept only as their SHA-256, checked in constant time.
 */
import { hashToken } from './records.js';
import type { StoredPairedDevice } from './types.js';

/** Random bytes in a device token: 256 bits, 43 base64url characters. */
const DEVICE_TOKEN_BYTES = 32;

/** A device token as handed out, once: only its SHA-256 is stored. */
export interface IssuedDeviceToken {
  token: string;
  createdAtMs: number;
}

/** Replaces `device`'s token for `role` with a new one, inside the caller's transaction. */
export function replaceDeviceToken(
  device: StoredPairedDevice,
  role: string,
  now: number,
  random: (size: number) => Uint8Array,
): IssuedDeviceToken {
  const token = Buffer.from(random(DEVICE_TOKEN_BYTES)).toString('base64url');
  device.tokens = device.tokens.filter((existing) => existing.role !== role);
  device.tokens.push({ role, hash: hashToken(token), createdAtMs: now });
  return { token, createdAtMs: now };
}

/** `device`'s token for `role` while it is live (neither rotated nor revoked). */
export function liveDeviceToken(
  device: StoredPairedDevice | undefined,
  role: string,
): StoredPairedDevice['tokens'][number] | undefined {
  const stored = device?.tokens.find((candidate) => candidate.role === role);
  if (stored === undefined || stored.rotatedAtMs !== undefined || stored.revokedAtMs !== undefined)
    return undefined;
  return stored;
}
