import { z } from 'zod';
import { CONTROL_CHARACTERS, MAX_LABEL_LENGTH } from '../../../shared/invites.js';

/**
 * A name a person gives (device display name, invite label): trimmed, 1–64 characters
 * (code points), no control characters, so it prints safely in a terminal table.
 */
export const displayText = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .refine((value) => [...value].length <= MAX_LABEL_LENGTH, {
    message: `must be at most ${MAX_LABEL_LENGTH} characters`,
  })
  .refine((value) => !CONTROL_CHARACTERS.test(value), {
    message: 'must not contain control characters',
  });

/** A device id: the 64 lowercase hex characters of PROTOCOL.md step 3. */
export const deviceIdParam = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'expected a 64-character hex device id');
