/**
 * The records of PROTOCOL.md "Records", declared once: each type in protocol.ts is the
 * `z.infer` of its schema here, and the gateway's store (src/main/pairing/store-schema.ts)
 * checks `devices.json` with these schemas extended by what is stored only (token hashes).
 * The Control UI imports the types alone (protocol.ts), so zod stays out of its startup.
 */
import { z } from 'zod';

const optionalText = z.string().optional();

/** Epoch milliseconds. */
export const epochMs = z.number().int().nonnegative();

/** Why a device needs a person's approval (PROTOCOL.md handshake step 5). */
export const pairingReasonSchema = z.enum(['not-paired', 'scope-upgrade', 'role-upgrade']);

/** Who approved a device: the local rule, a person, or a person's invite. */
export const approvedBySchema = z.enum(['local-auto', 'operator', 'invite']);

/** What a device says about itself in `connect`, kept on its request and its record alike. */
const deviceDescription = {
  deviceId: z.string().min(1),
  publicKey: z.string().min(1),
  displayName: optionalText,
  platform: optionalText,
  deviceFamily: optionalText,
  clientId: z.string(),
};

/** A device waiting for a person's approval (`device.pair.list` → `pending`). */
export const pendingRequestSchema = z.object({
  requestId: z.string().min(1),
  ...deviceDescription,
  clientMode: z.string(),
  role: z.string().min(1),
  scopes: z.array(z.string()),
  remoteIp: z.string(),
  reason: pairingReasonSchema,
  isRepair: z.boolean(),
  ts: epochMs,
  expiresAtMs: epochMs,
});

/** One device token as the gateway shows it: never the token or its hash. */
export const deviceTokenInfoSchema = z.object({
  role: z.string().min(1),
  createdAtMs: epochMs,
  rotatedAtMs: epochMs.optional(),
  revokedAtMs: epochMs.optional(),
  lastUsedAtMs: epochMs.optional(),
});

/** A paired device (`device.pair.list` → `paired`). */
export const pairedDeviceSchema = z.object({
  ...deviceDescription,
  roles: z.array(z.string().min(1)),
  scopes: z.array(z.string()),
  createdAtMs: epochMs,
  approvedAtMs: epochMs,
  approvedBy: approvedBySchema,
  lastSeenAtMs: epochMs.optional(),
  remoteIp: optionalText,
  tokens: z.array(deviceTokenInfoSchema),
});

/** An open invite as `device.invite.list` shows it (never its code). */
export const inviteInfoSchema = z.object({
  inviteId: z.string().min(1),
  label: optionalText,
  role: z.string().min(1),
  scopes: z.array(z.string()),
  createdAtMs: epochMs,
  expiresAtMs: epochMs,
});

/** A device whose requests are ignored (`device.pair.list` → `ignored`, an addition). */
export const ignoredDeviceInfoSchema = z.object({
  deviceId: z.string().min(1),
  displayName: optionalText,
  ignoredAtMs: epochMs,
});
