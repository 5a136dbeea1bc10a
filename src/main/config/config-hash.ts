/**
 * The `hash` of `config.get` and the `baseHash` of every config writer: which file an edit
 * was made against, so that an edit based on an older file is refused (CONFLICT) instead
 * of silently overwriting what changed meanwhile.
 */
import { createHash } from 'node:crypto';
import { CONFIG_CONFLICT_MESSAGE } from '../../shared/config-conflict.js';
import { conflict, type GatewayError } from '../../shared/errors.js';
import { EXIT } from '../../shared/exit-codes.js';

/** The hash of "there is no config file" (a file's hash is 64 hex digits, never this). */
export const ABSENT_CONFIG_HASH = 'absent';

/** sha256 hex of the file's exact bytes (a string is taken as its UTF-8 bytes), or `"absent"`. */
export function configHash(content: Uint8Array | string | undefined): string {
  if (content === undefined) return ABSENT_CONFIG_HASH;
  return createHash('sha256').update(content).digest('hex');
}

/** An edit made against a file that has changed since; nothing was written. */
export class ConfigConflictError extends Error {
  /** The registry code (src/shared/errors.ts) this error maps to on the wire. */
  readonly code = 'CONFLICT';
  readonly exitCode = EXIT.failure;

  constructor() {
    super(CONFIG_CONFLICT_MESSAGE);
    this.name = 'ConfigConflictError';
  }

  /** The wire form: `CONFLICT`, with no file path. */
  toGatewayError(): GatewayError {
    return conflict(this.message);
  }
}
