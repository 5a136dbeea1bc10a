import { getAtPath, restartRequiredFor, formatConfigPath } from '../config/config-path.js';
import type { PathSegment } from '../config/json5-positions.js';
import { invalidRequest } from '../../shared/errors.js';
import { DEFAULT_PROFILE, type Config } from '../../shared/config-schema.js';
import {
  keychainAccountForRef,
  secretRefForPath,
  type SecretRef,
} from '../../shared/secret-paths.js';
import type {
  ClearedSecret,
  ConfigValueWritten,
  SecretsConfigEdit,
  StoredSecret,
} from './secrets-types.js';
import type { SecretStore } from './keychain.js';
import { deleteThen, storeThen, type KeychainEdit } from './keychain-then.js';
import { ProfileListing, listNamedProfiles, type NamedProfiles } from './profile-listing.js';
import { envVarForRef, maskSecret, resolveSecret, type ResolvedSecret } from './resolve.js';
import { splitSecrets, type FoundSecret } from './split-secrets.js';
import { apiKeyProblem } from './api-key-text.js';

export type { ClearedSecret, ConfigValueWritten, SecretsConfigEdit, StoredSecret };

/** Dependencies of {@link SecretsService}. */
export interface SecretsServiceDeps {
  store: SecretStore;
  /**
   * Applies edits to the config file in one atomic write (the config editor). Its answer's
   * `restartRequired`, when it gives one, is passed on.
   */
  editConfig: (edits: SecretsConfigEdit[]) => Promise<unknown>;
  /** The current validated config (as last loaded from the file). */
  getConfig: () => Config;
  env: NodeJS.ProcessEnv;
  /** Told every secret value stored or resolved, so the gateway logger can scrub it. */
  onSecret?: (value: string) => void;
}

/**
 * Stores, clears and resolves secrets for the gateway methods, the CLI and onboarding, and
 * is the one writer of config values that may carry secrets. Secrets go to the keychain
 * first and only then is the file written, so a keychain failure writes nothing; a refused
 * file edit puts the keychain back as it was, so no step costs the user a working key.
 */
export class SecretsService {
  readonly #store: SecretStore;
  readonly #editConfig: SecretsServiceDeps['editConfig'];
  readonly #getConfig: () => Config;
  readonly #env: NodeJS.ProcessEnv;
  readonly #onSecret: (value: string) => void;
  readonly #listing = new ProfileListing({ read: () => listNamedProfiles(this.#store) });

  constructor({ store, editConfig, getConfig, env, onSecret }: SecretsServiceDeps) {
    this.#store = store;
    this.#editConfig = editConfig;
    this.#getConfig = getConfig;
    this.#env = env;
    this.#onSecret = onSecret ?? (() => undefined);
  }

  /**
   * Writes `value` at `path` (any path, objects included) with every secret inside it kept
   * out of the file: each secret is stored in the keychain first, then the rest is written
   * in ONE edit, which also drops the plaintext copies (the written subtree replaces them;
   * at a secret path itself, the plaintext is unset). Throws `INVALID_REQUEST` for a secret
   * that is not a non-empty string or a reserved key, `KEYCHAIN_UNAVAILABLE` before any
   * file is touched, and the editor's error (e.g. `CONFIG_INVALID`) after restoring the
   * keychain entries it had replaced.
   */
  async setConfigValue(path: readonly PathSegment[], value: unknown): Promise<ConfigValueWritten> {
    const { rest, secrets } = splitSecrets(path, value);
    const edits: SecretsConfigEdit[] =
      rest === undefined ? this.#plaintextCopies(secrets) : [{ path: [...path], value: rest }];
    const outcome = await this.#storeThen(secrets, () =>
      edits.length > 0 ? this.#editConfig(edits) : Promise.resolve(undefined),
    );
    const dotted = formatConfigPath(path);
    return {
      path: dotted,
      value: rest,
      stored: secrets.map((secret) => this.#report(secret)),
      restartRequired: edits.length > 0 && restartRequiredOf(outcome, path),
    };
  }

  /**
   * Keeps `value` in the keychain under the account of `path` (e.g.
   * `models.providers.openai.apiKey` → `provider:openai`), then removes a plaintext copy at
   * `path` from the config file. Throws `KEYCHAIN_UNAVAILABLE` before touching any file.
   */
  async storeSecret(path: readonly PathSegment[], value: string): Promise<StoredSecret> {
    const account = keychainAccountForRef(refFor(path));
    const { stored } = await this.setConfigValue(path, value);
    const entry = stored.find((candidate) => candidate.account === account);
    if (entry === undefined) throw new Error(`${account} was not stored`);
    return entry;
  }

  /**
   * Keeps `value` as the secret at `path` and applies `edits` as ONE change (a provider
   * added or edited together with its key): the keychain first, so `KEYCHAIN_UNAVAILABLE`
   * comes before any file is touched, then `edits` and the removal of a plaintext copy in
   * one file write; a refused write puts the keychain entry back as it was.
   */
  async storeSecretWith(
    path: readonly PathSegment[],
    value: string,
    edits: readonly SecretsConfigEdit[],
  ): Promise<StoredSecret> {
    refFor(path);
    const { secrets } = splitSecrets(path, value);
    const copies = this.#plaintextCopies(secrets);
    await this.#storeThen(secrets, () => this.#editConfig([...edits, ...copies]));
    const [secret] = secrets;
    if (secret === undefined) throw new Error(`${formatConfigPath(path)} was not stored`);
    return this.#report(secret);
  }

  /**
   * Deletes the keychain entry of `path`, then any plaintext copy in the config file; when
   * that edit is refused, the entry is put back.
   */
  async clearSecret(path: readonly PathSegment[]): Promise<ClearedSecret> {
    const account = keychainAccountForRef(refFor(path));
    const copies = this.#plaintextCopies([{ path: [...path] }]);
    return this.#clearThen(account, copies, (deletedFromKeychain) => ({
      account,
      deletedFromKeychain,
      removedPlaintext: copies.length > 0,
    }));
  }

  /** Deletes `account`, applies `copies` (unsets of plaintext copies), then `then`; all or nothing. */
  #clearThen<T>(
    account: string,
    copies: readonly SecretsConfigEdit[],
    then: (deletedFromKeychain: boolean) => T | Promise<T>,
  ): Promise<T> {
    return deleteThen(this.#keychainEdit(), [account], async ([previous]) => {
      if (copies.length > 0) await this.#editConfig([...copies]);
      return then(previous !== null && previous !== undefined);
    });
  }

  /**
   * Keeps `value` as auth profile `profile` of provider `providerId` (DESIGN.md "Auth
   * profiles"). `default` is the provider's own key (`storeSecret` of its `apiKey` path, which
   * also drops a plaintext copy); any other profile lives only in `provider:<id>:<profile>`.
   */
  async storeProfileKey(providerId: string, profile: string, value: string): Promise<StoredSecret> {
    if (profile === DEFAULT_PROFILE) return this.storeSecret(apiKeyPath(providerId), value);
    if (value === '') throw invalidRequest('an API key must be a non-empty string');
    const problem = apiKeyProblem(value);
    if (problem) throw invalidRequest(`the API key ${problem}; paste the key again`);
    const account = keychainAccountForRef({ kind: 'provider', id: providerId, profile });
    this.#onSecret(value);
    try {
      await this.#store.set(account, value);
    } finally {
      this.#listing.invalidate();
    }
    return { account, source: 'keychain', masked: maskSecret(value) };
  }

  /**
   * Deletes auth profile `profile` of `providerId`: its keychain entry (for `default`, also a
   * plaintext copy in the file), then `write` (the `auth.order` edit that drops it); when
   * either file edit is refused, the key is put back.
   */
  async clearProfileKeyThen<T>(
    providerId: string,
    profile: string,
    write: () => Promise<T>,
  ): Promise<T> {
    const path = apiKeyPath(providerId);
    const ref: SecretRef =
      profile === DEFAULT_PROFILE ? refFor(path) : { kind: 'provider', id: providerId, profile };
    const copies = profile === DEFAULT_PROFILE ? this.#plaintextCopies([{ path }]) : [];
    try {
      return await this.#clearThen(keychainAccountForRef(ref), copies, write);
    } finally {
      this.#listing.invalidate();
    }
  }

  /**
   * Deletes every key of provider `providerId` (its own and its named profiles), then runs
   * `write` (the config edit that removes the provider); when `write` fails, the keys are
   * put back, so a refused edit loses none. An unreachable keychain refuses first.
   */
  async clearProviderKeysThen<T>(providerId: string, write: () => Promise<T>): Promise<T> {
    const named = (await this.namedProfiles()).get(providerId) ?? [];
    const accounts = [
      keychainAccountForRef(refFor(apiKeyPath(providerId))),
      ...named.map((profile) =>
        keychainAccountForRef({ kind: 'provider', id: providerId, profile }),
      ),
    ];
    try {
      return await deleteThen(this.#keychainEdit(), accounts, write);
    } finally {
      this.#listing.invalidate();
    }
  }

  /**
   * The named auth profiles (not `default`) the keychain holds, by provider id. A store that
   * cannot list accounts holds none. `cached`: the listing kept from an earlier call
   * (profile-listing.ts; a run's hot path), else the keychain is read now.
   */
  namedProfiles(options: { cached?: boolean } = {}): Promise<NamedProfiles> {
    return options.cached ? this.#listing.cached() : this.#listing.fresh();
  }

  /** Another process changed the keychain (the CLI announced it): the next run lists again. */
  forgetNamedProfiles(): void {
    this.#listing.invalidate();
  }

  /** Refreshes the kept listing in the background when it is old (after a run's own reads). */
  refreshNamedProfiles(): void {
    this.#listing.refreshIfStale();
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

  /** Unsets of the secret paths that hold a plaintext copy in the current config. */
  #plaintextCopies(secrets: readonly Pick<FoundSecret, 'path'>[]): SecretsConfigEdit[] {
    return secrets
      .filter((secret) => getAtPath(this.#getConfig(), secret.path) !== undefined)
      .map((secret) => ({ path: secret.path, unset: true }));
  }

  /** Stores `secrets`, then runs `write`; any failure restores the entries replaced so far. */
  #storeThen<T>(secrets: readonly FoundSecret[], write: () => Promise<T>): Promise<T> {
    const values = secrets.map((secret) => ({
      account: keychainAccountForRef(secret.ref),
      value: secret.value,
    }));
    return storeThen(this.#keychainEdit(), values, write);
  }

  #keychainEdit(): KeychainEdit {
    return { store: this.#store, onSecret: this.#onSecret };
  }

  #report(secret: FoundSecret): StoredSecret {
    const envVar = envVarForRef(secret.ref);
    return {
      account: keychainAccountForRef(secret.ref),
      source: 'keychain',
      masked: maskSecret(secret.value),
      ...(envVar !== undefined && this.#env[envVar] ? { shadowedByEnv: envVar } : {}),
    };
  }
}

function apiKeyPath(providerId: string): PathSegment[] {
  return ['models', 'providers', providerId, 'apiKey'];
}

function refFor(path: readonly PathSegment[]): SecretRef {
  const ref = secretRefForPath(path);
  if (ref === undefined) {
    throw invalidRequest(`${formatConfigPath(path)} is not a secret path`, { path });
  }
  return ref;
}

/** The editor's own answer when it gives one (it compares before and after), else by path. */
function restartRequiredOf(outcome: unknown, path: readonly PathSegment[]): boolean {
  if (typeof outcome === 'object' && outcome !== null && 'restartRequired' in outcome) {
    const { restartRequired } = outcome;
    if (typeof restartRequired === 'boolean') return restartRequired;
  }
  return restartRequiredFor([path.map(String).join('.')]);
}
