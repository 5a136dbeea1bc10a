/** What the secrets service (secrets-service.ts) is asked and answers; never a secret value. */
import type { PathSegment } from '../config/json5-positions.js';

/**
 * One edit the secrets service asks of the user's config file, its path already split into
 * segments; the config editor's own `ConfigEdit` (config/edit.ts) also takes a dotted path.
 */
export interface SecretsConfigEdit {
  path: PathSegment[];
  unset?: boolean;
  value?: unknown;
}

/** What `storeSecret` reports; never the value itself. */
export interface StoredSecret {
  account: string;
  source: 'keychain';
  masked: string;
  /** Set when this environment variable is set and so still wins over the stored value. */
  shadowedByEnv?: string;
}

/** What `setConfigValue` reports; never a secret. */
export interface ConfigValueWritten {
  /** The path written, dotted. */
  path: string;
  /** What went to the file at `path` (no secrets); undefined when `path` is a secret path. */
  value: unknown;
  /** The secrets that went to the keychain, in the order they appeared. */
  stored: StoredSecret[];
  restartRequired: boolean;
}

/** What `clearSecret` reports. */
export interface ClearedSecret {
  account: string;
  /** False when the keychain held no entry. */
  deletedFromKeychain: boolean;
  /** True when a plaintext copy was removed from the config file. */
  removedPlaintext: boolean;
}
