/**
 * Pairing records. The public shapes are exactly PROTOCOL.md "Records" (what
 * `device.pair.list` returns); the stored shapes add what must never leave the gateway
 * (token hashes).
 */

/** Why a device needs a person's approval (PROTOCOL.md handshake step 5). */
export type PairingReason = 'not-paired' | 'scope-upgrade' | 'role-upgrade';

/** Who approved a device. */
export type ApprovedBy = 'local-auto' | 'operator';

/** A device waiting for approval. Public and stored shape are the same. */
export interface PendingRequest {
  requestId: string;
  deviceId: string;
  publicKey: string;
  displayName?: string;
  platform?: string;
  deviceFamily?: string;
  clientId: string;
  clientMode: string;
  role: string;
  scopes: string[];
  remoteIp: string;
  reason: PairingReason;
  /** True when the device is already paired and asks for more. */
  isRepair: boolean;
  /** Created, epoch ms. */
  ts: number;
  expiresAtMs: number;
}

/** A device token as shown to operators: no hash. */
export interface DeviceTokenInfo {
  role: string;
  createdAtMs: number;
  rotatedAtMs?: number;
  revokedAtMs?: number;
  lastUsedAtMs?: number;
}

/** A device token as stored: the SHA-256 (hex) of the token, never the token. */
export interface StoredDeviceToken extends DeviceTokenInfo {
  hash: string;
}

/** Fields shared by the public and stored paired-device shapes. */
interface PairedDeviceBase {
  deviceId: string;
  publicKey: string;
  displayName?: string;
  platform?: string;
  deviceFamily?: string;
  clientId: string;
  roles: string[];
  scopes: string[];
  createdAtMs: number;
  approvedAtMs: number;
  approvedBy: ApprovedBy;
  lastSeenAtMs?: number;
  /** Address the device was last seen from. */
  remoteIp?: string;
}

/** A paired device as `device.pair.list` shows it. */
export interface PairedDevice extends PairedDeviceBase {
  tokens: DeviceTokenInfo[];
}

/** A paired device as `devices.json` holds it. */
export interface StoredPairedDevice extends PairedDeviceBase {
  tokens: StoredDeviceToken[];
}

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
