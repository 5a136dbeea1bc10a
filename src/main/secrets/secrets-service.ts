import { invalidRequest } from '../../shared/errors.js';
import { keychainAccountForPath, type Config } from '../../shared/config-schema.js';
import type { SecretStore } from './keychain.js';
import {
  envVarForRef,
  maskSecret,
  resolveSecret,
  type ResolvedSecret,
  type SecretRef,
} from './resolve.js';

/** One edit of the user's config file, in the config editor's terms. */
export interface ConfigEdit {
  path: (string | number)[];
  unset?: boolean;
  value?: unknown;
}

/** Dependencies of {@link SecretsService}. */
export interface SecretsServiceDeps {
  store: SecretStore;
  /** Applies edits to the config file in one atomic write (the config editor). */
  editConfig: (edits: ConfigEdit[]) => Promise<unknown>;
  /** The current validated config (as last loaded from the file). */
  getConfig: () => Config;
  env: NodeJS.ProcessEnv;
  /** Told every secret value stored or resolved, so the gateway logger can scrub it. */
  onSecret?: (value: string) => void;
}

/** What `storeSecret` reports; never the value itself. */
export interface StoredSecret {
  account: string;
  source: 'keychain';
  masked: string;
  /** Set when this environment variable is set and so still wins over the stored value. */
  shadowedByEnv?: string;
}

/** What `clearSecret` reports. */
export interface ClearedSecret {
  account: string;
  /** False when the keychain held no entry. */
  deletedFromKeychain: boolean;
  /** True when a plaintext copy was removed from the config file. */
  removedPlaintext: boolean;
}

/**
 * Stores, clears and resolves secrets for the gateway methods, the CLI and onboarding.
 * A stored secret goes to the keychain first and only then is any plaintext copy removed
 * from the config file, so a keychain failure never costs the user a working key.
 */
export class SecretsService {
  readonly #store: SecretStore;
  readonly #editConfig: SecretsServiceDeps['editConfig'];
  readonly #getConfig: () => Config;
  readonly #env: NodeJS.ProcessEnv;
  readonly #onSecret: (value: string) => void;

  constructor({ store, editConfig, getConfig, env, onSecret }: SecretsServiceDeps) {
    this.#store = store;
    this.#editConfig = editConfig;
    this.#getConfig = getConfig;
    this.#env = env;
    this.#onSecret = onSecret ?? (() => undefined);
  }

  /**
   * Keeps `value` in the keychain under the account of `path` (e.g.
   * `models.providers.openai.apiKey` → `provider:openai`), then removes a plaintext copy at
   * `path` from the config file. Throws `KEYCHAIN_UNAVAILABLE` before touching any file.
   */
  async storeSecret(path: (string | number)[], value: string): Promise<StoredSecret> {
    const account = accountFor(path);
    if (typeof value !== 'string' || value.length === 0) {
      throw invalidRequest(`${path.join('.')} must be a non-empty string`);
    }
    this.#onSecret(value);
    await this.#store.set(account, value);
    await this.#removePlaintext(path);
    const envVar = envVarForRef(refForPath(path));
    return {
      account,
      source: 'keychain',
      masked: maskSecret(value),
      ...(this.#env[envVar] ? { shadowedByEnv: envVar } : {}),
    };
  }

  /** Deletes the keychain entry of `path`, then any plaintext copy in the config file. */
  async clearSecret(path: (string | number)[]): Promise<ClearedSecret> {
    const account = accountFor(path);
    const deletedFromKeychain = await this.#store.delete(account);
    const removedPlaintext = await this.#removePlaintext(path);
    return { account, deletedFromKeychain, removedPlaintext };
  }

  /** Env, then config, then keychain, against the current config. */
  async resolve(ref: SecretRef): Promise<ResolvedSecret> {
    const resolved = await resolveSecret(ref, {
      env: this.#env,
      config: this.#getConfig(),
      store: this.#store,
    });
    if (resolved.value) this.#onSecret(resolved.value);
    return resolved;
  }

  async #removePlaintext(path: (string | number)[]): Promise<boolean> {
    if (valueAt(this.#getConfig(), path) === undefined) return false;
    await this.#editConfig([{ path, unset: true }]);
    return true;
  }
}

function accountFor(path: (string | number)[]): string {
  const account = keychainAccountForPath(path);
  if (account === undefined) {
    throw invalidRequest(`${path.join('.')} is not a secret path`, { path });
  }
  return account;
}

/** Only called with a secret path, which names a provider key or a gateway secret. */
function refForPath(path: (string | number)[]): SecretRef {
  if (path[0] === 'models') return { kind: 'provider', id: String(path[2]) };
  return path[2] === 'token' ? { kind: 'gateway-token' } : { kind: 'gateway-password' };
}

function valueAt(root: unknown, path: (string | number)[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}
