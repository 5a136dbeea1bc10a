import { z } from 'zod';
import type {
  IgnoredDevice,
  PairingStoreData,
  PendingRequest,
  StoredInvite,
  StoredPairedDevice,
} from './types.js';

/**
 * The store format this code writes. Version 1 (no `invites`, no `ignored`, no
 * `approvedBy: "invite"`) is still read and becomes version 2 on the next write; the bump
 * makes an older app refuse the file as "newer" instead of moving it aside as corrupt.
 */
export const PAIRING_STORE_VERSION = 2;

const optionalText = z.string().optional();
const epochMs = z.number().int().nonnegative();

const pendingRequestSchema: z.ZodType<PendingRequest> = z.object({
  requestId: z.string().min(1),
  deviceId: z.string().min(1),
  publicKey: z.string().min(1),
  displayName: optionalText,
  platform: optionalText,
  deviceFamily: optionalText,
  clientId: z.string(),
  clientMode: z.string(),
  role: z.string().min(1),
  scopes: z.array(z.string()),
  remoteIp: z.string(),
  reason: z.enum(['not-paired', 'scope-upgrade', 'role-upgrade']),
  isRepair: z.boolean(),
  ts: epochMs,
  expiresAtMs: epochMs,
});

const storedTokenSchema = z.object({
  role: z.string().min(1),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  createdAtMs: epochMs,
  rotatedAtMs: epochMs.optional(),
  revokedAtMs: epochMs.optional(),
  lastUsedAtMs: epochMs.optional(),
});

const storedPairedDeviceSchema: z.ZodType<StoredPairedDevice> = z.object({
  deviceId: z.string().min(1),
  publicKey: z.string().min(1),
  displayName: optionalText,
  platform: optionalText,
  deviceFamily: optionalText,
  clientId: z.string(),
  roles: z.array(z.string().min(1)),
  scopes: z.array(z.string()),
  createdAtMs: epochMs,
  approvedAtMs: epochMs,
  approvedBy: z.enum(['local-auto', 'operator', 'invite']),
  lastSeenAtMs: epochMs.optional(),
  remoteIp: optionalText,
  tokens: z.array(storedTokenSchema),
});

const storedInviteSchema: z.ZodType<StoredInvite> = z.object({
  inviteId: z.string().min(1),
  codeHash: z.string().regex(/^[0-9a-f]{64}$/),
  label: optionalText,
  role: z.string().min(1),
  scopes: z.array(z.string()),
  createdAtMs: epochMs,
  expiresAtMs: epochMs,
});

const ignoredDeviceSchema: z.ZodType<IgnoredDevice> = z.object({
  deviceId: z.string().min(1),
  displayName: optionalText,
  ignoredAtMs: epochMs,
  requestId: z.string().min(1),
});

/** Records whose map key must equal the id inside them, by map. */
const KEYED_BY = {
  pending: 'requestId',
  paired: 'deviceId',
  invites: 'inviteId',
  ignored: 'deviceId',
} as const;

/**
 * `devices.json`, version 1 or 2 (version 1 has no `invites` or `ignored`: they load as
 * empty). Keys must equal the ids inside their records: a mismatch means the file was
 * edited or damaged, and guessing which one is right could admit the wrong device.
 */
export const pairingStoreSchema: z.ZodType<PairingStoreData, unknown> = z
  .object({
    version: z.union([z.literal(1), z.literal(PAIRING_STORE_VERSION)]),
    pending: z.record(z.string(), pendingRequestSchema),
    paired: z.record(z.string(), storedPairedDeviceSchema),
    invites: z.record(z.string(), storedInviteSchema).optional(),
    ignored: z.record(z.string(), ignoredDeviceSchema).optional(),
  })
  .superRefine((data, ctx) => {
    for (const [map, idField] of Object.entries(KEYED_BY) as [keyof typeof KEYED_BY, string][]) {
      for (const [key, record] of Object.entries(data[map] ?? {})) {
        if (key === (record as Record<string, unknown>)[idField]) continue;
        ctx.addIssue({ code: 'custom', path: [map, key], message: `key differs from ${idField}` });
      }
    }
  })
  // The migration from version 1: the maps it lacked start empty.
  .transform((data) => ({
    version: PAIRING_STORE_VERSION,
    pending: data.pending,
    paired: data.paired,
    invites: data.invites ?? {},
    ignored: data.ignored ?? {},
  }));

/** An empty store: what a missing file means. */
export function emptyStoreData(): PairingStoreData {
  return { version: PAIRING_STORE_VERSION, pending: {}, paired: {}, invites: {}, ignored: {} };
}
