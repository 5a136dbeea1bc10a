/**
 * Invite limits and defaults (PROTOCOL.md `device.invite.create`), shared by the gateway
 * method and the CLI's `--ttl` parser so both refuse the same values.
 */
import type { KnownScope } from './scopes.js';

/** Invite lifetime bounds and default, in seconds (60 s – 1 h, 10 min). */
export const INVITE_TTL_SECONDS = Object.freeze({ min: 60, max: 3600, default: 600 });

/**
 * Scopes of an invite that names none: enough to chat and read, nothing that manages the
 * gateway or other devices. A wider invite must ask for it (`--scopes`), so a person never
 * hands out admin by accident.
 */
export const DEFAULT_INVITE_SCOPES: readonly KnownScope[] = ['operator.read', 'operator.write'];

/** Longest invite label and device display name, in characters. */
export const MAX_LABEL_LENGTH = 64;

/** Control characters (C0, DEL, C1: Unicode `Cc`): never in a label or a device name. */
export const CONTROL_CHARACTERS = /\p{Cc}/u;
