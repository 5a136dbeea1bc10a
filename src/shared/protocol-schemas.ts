/**
 * Wire schemas of PROTOCOL.md (v3): the gateway parses every frame against these at the
 * edge and hands typed values inward. The types and constants are in protocol.ts, which
 * has no runtime imports, so a client that only needs the types (the Control UI) does
 * not load zod at startup (issue 16).
 */
import { z } from 'zod';
import { PROVIDER_ID_PATTERN, profileNameSchema } from './config-schema.js';
import { CLIENT_ID_PATTERN, CLIENT_MODES, SCOPE_PATTERN } from './protocol.js';

const idString = z.string().min(1).max(128);
const methodName = z.string().regex(/^[a-z][A-Za-z0-9._-]{0,63}$/);

export const requestFrameSchema = z.strictObject({
  type: z.literal('req'),
  id: idString,
  method: methodName,
  params: z.record(z.string(), z.unknown()).optional(),
});

const shortText = z.string().max(256);

export const clientInfoSchema = z.strictObject({
  id: z.string().regex(CLIENT_ID_PATTERN),
  version: shortText,
  platform: shortText,
  mode: z.enum(CLIENT_MODES),
  displayName: shortText.optional(),
  deviceFamily: shortText.optional(),
  instanceId: shortText.optional(),
});

export const deviceProofSchema = z.strictObject({
  // Any other string is a wrong id for the key: DEVICE_ID_MISMATCH from the verifier.
  id: z.string().min(1).max(128),
  publicKey: z.string().min(1).max(128),
  signature: z.string().min(1).max(256),
  signedAt: z.number().int().nonnegative(),
  nonce: z.string().min(1).max(128),
});

/**
 * `connect` params. OpenClaw v3 clients send a few extra descriptive fields (`caps`,
 * `commands`, `permissions`, `locale`, `userAgent`); they are accepted and ignored so those
 * clients can connect. Any other unknown field is refused.
 */
export const connectParamsSchema = z.strictObject({
  minProtocol: z.number().int(),
  maxProtocol: z.number().int(),
  client: clientInfoSchema,
  role: z.literal('operator').optional(),
  scopes: z.array(z.string().regex(SCOPE_PATTERN)).max(32).optional(),
  auth: z
    .strictObject({
      token: z.string().max(1024).optional(),
      password: z.string().max(1024).optional(),
      deviceToken: z.string().max(1024).optional(),
      /** An invite code (`device.invite.create`): pairs this device at once. */
      bootstrapToken: z.string().max(1024).optional(),
    })
    .optional(),
  device: deviceProofSchema.optional(),
  caps: z.array(z.string().max(64)).max(64).optional(),
  commands: z.array(z.string().max(64)).max(256).optional(),
  permissions: z.record(z.string(), z.boolean()).optional(),
  locale: shortText.optional(),
  userAgent: z.string().max(512).optional(),
});

/**
 * A session's (or one run's) choice of provider, model and auth profile, beating the
 * agent's. Every field is optional; the provider must be configured (checked where it is
 * set), the model and profile are checked when a run uses them.
 */
export const sessionOverrideSchema = z.strictObject({
  provider: z.string().regex(PROVIDER_ID_PATTERN).max(64).optional(),
  model: z.string().min(1).max(256).optional(),
  profile: profileNameSchema.optional(),
});
