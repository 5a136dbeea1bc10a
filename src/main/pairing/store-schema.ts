import { z } from 'zod';
import type { PairingStoreData, PendingRequest, StoredPairedDevice } from './types.js';

/** The only store format this code reads and writes. */
export const PAIRING_STORE_VERSION = 1;

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
  approvedBy: z.enum(['local-auto', 'operator']),
  lastSeenAtMs: epochMs.optional(),
  remoteIp: optionalText,
  tokens: z.array(storedTokenSchema),
});

/**
 * `devices.json` version 1. Keys must equal the ids inside their records: a mismatch
 * means the file was edited or damaged, and guessing which one is right could admit the
 * wrong device.
 */
export const pairingStoreSchema: z.ZodType<PairingStoreData> = z
  .object({
    version: z.literal(PAIRING_STORE_VERSION),
    pending: z.record(z.string(), pendingRequestSchema),
    paired: z.record(z.string(), storedPairedDeviceSchema),
  })
  .superRefine((data, ctx) => {
    for (const [key, request] of Object.entries(data.pending)) {
      if (key !== request.requestId) {
        ctx.addIssue({
          code: 'custom',
          path: ['pending', key],
          message: 'key differs from requestId',
        });
      }
    }
    for (const [key, device] of Object.entries(data.paired)) {
      if (key !== device.deviceId) {
        ctx.addIssue({
          code: 'custom',
          path: ['paired', key],
          message: 'key differs from deviceId',
        });
      }
    }
  });

/** An empty store: what a missing file means. */
export function emptyStoreData(): PairingStoreData {
  return { version: PAIRING_STORE_VERSION, pending: {}, paired: {} };
}
