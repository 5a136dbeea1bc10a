/**
 * A paired device's tokens (PROTOCOL.md handshake step 6): issued once per approval or
 * shared-secret connect, kept only as their SHA-256, checked in constant time.
 */
import { conflict } from '../../shared/errors.js';
import type { Clock } from '../util/clock.js';
import type { PairingState } from './pairing-state.js';
import { getPaired, hashToken, tokenMatches } from './records.js';
import type { DeviceChangedEvent, StoredPairedDevice } from './types.js';

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

/** What {@link DeviceTokens} needs besides the state. */
export interface DeviceTokensDeps {
  clock: Clock;
  random: (size: number) => Uint8Array;
  /** Announces that the device's live sockets must close with 4001. */
  onChanged: (event: DeviceChangedEvent) => void;
}

/**
 * The device tokens of {@link PairingService}, changed through its transactions, and the
 * stamps a connect leaves on its device (last used, last seen).
 */
export class DeviceTokens {
  readonly #state: PairingState;
  readonly #deps: DeviceTokensDeps;

  constructor(state: PairingState, deps: DeviceTokensDeps) {
    this.#state = state;
    this.#deps = deps;
  }

  /**
   * Issues a new device token for an approved role, replacing the previous one. The token
   * is returned once; only its SHA-256 is stored.
   */
  issue(deviceId: string, role: string): Promise<IssuedDeviceToken> {
    return this.#state.mutate((tx) => {
      const device = getPaired(tx.draft, deviceId);
      if (!device.roles.includes(role))
        throw conflict(`device ${deviceId} is not approved for role ${role}`);
      return replaceDeviceToken(device, role, tx.now, this.#deps.random);
    });
  }

  /**
   * True when `token` is the live device token of `deviceId` for `role` (constant time),
   * and then stamps the token's last use. The handshake calls it once per connect.
   */
  verifyAndStamp(deviceId: string, role: string, token: string): boolean {
    const stored = liveDeviceToken(this.#state.current.paired[deviceId], role);
    if (stored === undefined || !tokenMatches(token, stored.hash)) return false;
    // In memory: persisted lazily (PairingState.stamp), so a connect costs no disk write.
    const now = this.#deps.clock.now();
    this.#state.stamp(deviceId, () => (stored.lastUsedAtMs = now));
    return true;
  }

  /** Notes where and when an admitted device connected from (in memory now, on disk soon after). */
  recordSeen(deviceId: string, remoteIp: string): Promise<void> {
    // A stamp, not a transaction: every handshake calls this, and writing the whole store
    // (clone, serialise, fsync) each time capped the handshake rate (bench/README.md).
    return Promise.resolve().then(() => {
      getPaired(this.#state.current, deviceId);
      const now = this.#deps.clock.now();
      this.#state.stamp(deviceId, (device) => {
        device.lastSeenAtMs = now;
        device.remoteIp = remoteIp;
      });
    });
  }

  /** Invalidates the device's tokens; it gets a new one by connecting with the shared secret. */
  rotate(deviceId: string): Promise<{ deviceId: string; rotatedAtMs: number }> {
    return this.#state.mutate((tx) => {
      for (const token of getPaired(tx.draft, deviceId).tokens) token.rotatedAtMs ??= tx.now;
      tx.announce(() => this.#deps.onChanged({ deviceId, change: 'rotated' }));
      return { deviceId, rotatedAtMs: tx.now };
    });
  }

  /** Revokes the device's tokens at once. */
  revoke(deviceId: string): Promise<{ deviceId: string; revokedAtMs: number }> {
    return this.#state.mutate((tx) => {
      for (const token of getPaired(tx.draft, deviceId).tokens) token.revokedAtMs ??= tx.now;
      tx.announce(() => this.#deps.onChanged({ deviceId, change: 'revoked' }));
      return { deviceId, revokedAtMs: tx.now };
    });
  }
}
