/**
 * Pairing records. The public shapes are exactly PROTOCOL.md "Records" (what
 * `device.pair.list` returns); the stored shapes add what must never leave the gateway
 * (token hashes). Then what {@link PairingService} takes and announces.
 */

import type { z } from 'zod';
import type { DevicePairedEvent } from '../../shared/api-results.js';
import type { PairedDevice, PendingRequest } from '../../shared/protocol.js';
import type { Clock } from '../util/clock.js';
import type { PairingLimits } from './pairing-limits.js';
import type {
  ignoredDeviceSchema,
  storedInviteSchema,
  storedPairedDeviceSchema,
} from './store-schema.js';

/** The public records are PROTOCOL.md "Records", defined once in src/shared. */
export type {
  IgnoredDeviceInfo,
  InviteInfo,
  PairedDevice,
  PendingRequest,
} from '../../shared/protocol.js';

/** Why a device needs a person's approval (PROTOCOL.md handshake step 5). */
export type PairingReason = PendingRequest['reason'];

/** Who approved a device: the local rule, a person, or a person's invite. */
export type ApprovedBy = PairedDevice['approvedBy'];

/** A paired device as `devices.json` holds it. */
export type StoredPairedDevice = z.infer<typeof storedPairedDeviceSchema>;

/**
 * An invite as `devices.json` holds it: the SHA-256 (hex) of its code, never the code.
 * It is deleted when used or revoked and swept when it expires, so a stored one is live
 * until `expiresAtMs`.
 */
export type StoredInvite = z.infer<typeof storedInviteSchema>;

/**
 * A device whose pairing requests a person chose to ignore: its later connects make no
 * request and no event until it is unignored. `requestId` is the request that was
 * ignored; later connects are answered with this id.
 */
export type IgnoredDevice = z.infer<typeof ignoredDeviceSchema>;

/**
 * The pairing state: `<home>/state/devices.json` (format version 3) with the changes of
 * `devices.journal` applied (see pairing-store.ts).
 */
export interface PairingStoreData {
  version: 3;
  /** requestId → request. */
  pending: Record<string, PendingRequest>;
  /** deviceId → device. */
  paired: Record<string, StoredPairedDevice>;
  /** inviteId → invite. */
  invites: Record<string, StoredInvite>;
  /** deviceId → ignored device. */
  ignored: Record<string, IgnoredDevice>;
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
  decision: 'approved' | 'rejected' | 'ignored' | 'expired';
  ts: number;
}

/** Payload of the `paired` event (PROTOCOL.md `device.paired`), declared once in src/shared. */
export type { DevicePairedEvent } from '../../shared/api-results.js';

/** Payload of the `device-changed` event: the gateway closes the device's sockets with 4001. */
export interface DeviceChangedEvent {
  deviceId: string;
  change: 'removed' | 'rotated' | 'revoked';
}

/** What {@link PairingService.open} needs. */
export interface PairingServiceOptions {
  /** `resolvePaths().devices`. */
  path: string;
  clock: Clock;
  /** Random bytes for request ids and device tokens. */
  random?: (size: number) => Uint8Array;
  limits?: Partial<PairingLimits>;
}

/** Events of {@link PairingService}. */
export interface PairingServiceEvents {
  /** A new pending request (not a refreshed one). */
  requested: [PendingRequest];
  resolved: [PairingResolvedEvent];
  /** A device was paired or given more (local-auto, operator or invite). */
  paired: [DevicePairedEvent];
  /** The device's live sockets must close with 4001. */
  'device-changed': [DeviceChangedEvent];
  /** A background sweep could not persist; the gateway should log it. */
  'write-failed': [Error];
}

/** How {@link PairingService.approve} approves. */
export interface ApproveOptions {
  /** Default `operator`. */
  approvedBy?: ApprovedBy;
  /** Names the paired record (already validated and trimmed by the caller). */
  displayName?: string | undefined;
  /** Grant only these; each must be covered by the request (may only narrow it). */
  scopes?: readonly string[] | undefined;
  /**
   * Called with the scopes this approval grants before anything is written; a throw
   * refuses the approval and leaves the request pending (the gateway's grant check).
   */
  authorize?: (granted: readonly string[]) => void;
}

/** What {@link PairingService.list} pages by. */
export interface PairedListQuery {
  /** 1 to {@link PAIRED_PAGE_LIMIT} (checked by the caller); default {@link PAIRED_PAGE_LIMIT}. */
  limit?: number | undefined;
  /** The `nextCursor` of the previous page; INVALID_REQUEST for anything else. */
  cursor?: string | undefined;
}
