/**
 * Pairing records. The public shapes are exactly PROTOCOL.md "Records" (what
 * `device.pair.list` returns); the stored shapes add what must never leave the gateway
 * (token hashes).
 */

/** Why a device needs a person's approval (PROTOCOL.md handshake step 5). */
export type PairingReason = 'not-paired' | 'scope-upgrade' | 'role-upgrade';

/** Who approved a device. */
export type ApprovedBy = 'local-auto' | 'operator';

import type { DeviceTokenInfo, PairedDevice, PendingRequest } from '../../shared/protocol.js';

/** The public records are PROTOCOL.md "Records", defined once in src/shared. */
export type { DeviceTokenInfo, PairedDevice, PendingRequest } from '../../shared/protocol.js';

/** A device token as stored: the SHA-256 (hex) of the token, never the token. */
export interface StoredDeviceToken extends DeviceTokenInfo {
  hash: string;
}

/** A paired device as `devices.json` holds it. */
export type StoredPairedDevice = Omit<PairedDevice, 'tokens'> & { tokens: StoredDeviceToken[] };

/** The whole of `<home>/state/devices.json`. */
export interface PairingStoreData {
  version: 1;
  /** requestId → request. */
  pending: Record<string, PendingRequest>;
  /** deviceId → device. */
  paired: Record<string, StoredPairedDevice>;
}

/** What the handshake knows about a device asking to pair. */
export interface PairingRequestInput {
  deviceId: string;
  publicKey: string;
  displayName?: string | undefined;
  platform?: string | undefined;
  deviceFamily?: string | undefined;
  clientId: string;
  clientMode: string;
  role: string;
  scopes: readonly string[];
  remoteIp: string;
  reason: PairingReason;
}

/** What a silent local approval needs (no pending record is kept). */
export type DirectApprovalInput = Omit<PairingRequestInput, 'reason' | 'clientMode' | 'remoteIp'>;

/** Payload of the `resolved` event (PROTOCOL.md `device.pair.resolved`). */
export interface PairingResolvedEvent {
  requestId: string;
  deviceId: string;
  decision: 'approved' | 'rejected' | 'expired';
  ts: number;
}

/** Payload of the `device-changed` event: the gateway closes the device's sockets with 4001. */
export interface DeviceChangedEvent {
  deviceId: string;
  change: 'removed' | 'rotated' | 'revoked';
}
