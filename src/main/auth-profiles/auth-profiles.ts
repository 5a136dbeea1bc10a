/**
 * A provider's auth profiles (DESIGN.md "Auth profiles"): its named keys, which one a run
 * tries first, and how each has fared. Keys are resolved on every call (a key rotated with
 * the CLI beside a running gateway is used by the next request). Which named profiles exist
 * is the one thing a run takes from a kept listing (src/main/secrets/profile-listing.ts):
 * listing them costs ~6 ms of keychain per run otherwise.
 */
import { DEFAULT_PROFILE, type Config } from '../../shared/config-schema.js';
import { GatewayError } from '../../shared/errors.js';
import { ownValue } from '../../shared/own-key.js';
import type { AuthProfile } from '../../shared/protocol.js';
import type { SecretRef } from '../../shared/secret-paths.js';
import { providerNeedsKey } from '../providers/auth-status.js';
import { maskSecret, type ResolvedSecret } from '../secrets/resolve.js';
import type { Clock } from '../util/clock.js';
import {
  afterFailure,
  afterSuccess,
  healthOf,
  keyHashOf,
  type ClassifiedFailure,
  type ProfileHealth,
} from './profile-health.js';
import type { ProfileStateStore } from './profile-state-store.js';

/** The part of the secrets service profiles need (src/main/secrets/secrets-service.ts). */
export interface ProfileSecrets {
  resolve(ref: SecretRef): Promise<ResolvedSecret>;
  namedProfiles(options?: { cached?: boolean }): Promise<Map<string, string[]>>;
  refreshNamedProfiles(): void;
}

/** One profile that holds a key, as a run uses it. */
export interface ProfileKey {
  provider: string;
  profile: string;
  source: AuthProfile['source'];
  apiKey: string;
  keyHash: string;
}

/** A provider's profiles with a key, in the order a run tries them. */
export interface ProviderProfiles {
  profiles: ProfileKey[];
  /** The keychain could not be read: some profiles may be missing from `profiles`. */
  keychainError?: GatewayError | undefined;
}

export interface AuthProfilesOptions {
  getConfig: () => Config;
  secrets: ProfileSecrets;
  state: ProfileStateStore;
  clock: Clock;
}

/** Profiles of every provider; one per gateway (and one per CLI command). */
export class AuthProfiles {
  readonly #getConfig: () => Config;
  readonly #secrets: ProfileSecrets;
  readonly #state: ProfileStateStore;
  readonly #clock: Clock;

  constructor(options: AuthProfilesOptions) {
    this.#getConfig = options.getConfig;
    this.#secrets = options.secrets;
    this.#state = options.state;
    this.#clock = options.clock;
  }

  /**
   * The profiles of `providerId` that hold a key, in try order: `first` (a session's pinned
   * profile), then `auth.order`, then least recently used. Never throws for the keychain.
   */
  async keys(providerId: string, first?: string): Promise<ProviderProfiles> {
    const kept = await this.#keysFrom(providerId, first, { cached: true });
    // A profile added by another process may be what this run needs: list again first.
    const wanted = first !== undefined && !kept.profiles.some((key) => key.profile === first);
    const ready = kept.profiles.some((key) => this.health(key).state === 'ready');
    const provider = ownValue(this.#getConfig().models.providers, providerId);
    const keylessAsListed = kept.profiles.length === 0 && !!provider && !providerNeedsKey(provider);
    if (wanted || (!ready && !keylessAsListed))
      return this.#keysFrom(providerId, first, { cached: false });
    this.#secrets.refreshNamedProfiles();
    return kept;
  }

  async #keysFrom(
    providerId: string,
    first: string | undefined,
    listing: { cached: boolean },
  ): Promise<ProviderProfiles> {
    let keychainError: GatewayError | undefined;
    const named = await this.#secrets.namedProfiles(listing).catch((error: unknown) => {
      keychainError = asGatewayError(error);
      return new Map<string, string[]>();
    });
    const found = await this.#resolveAll(providerId, named.get(providerId) ?? []);
    keychainError ??= found.keychainError;
    return { profiles: this.#ordered(providerId, found.profiles, first), keychainError };
  }

  /** The profile's state now (another run may have just cooled it down). */
  health(key: ProfileKey): ProfileHealth {
    return healthOf(this.#state.get(key.provider, key.profile), key.keyHash, this.#clock.now());
  }

  /** The end of the profile's cooldown, when it is in one now. */
  cooldownUntil(key: ProfileKey): number | undefined {
    const health = this.health(key);
    return health.state === 'cooldown' ? health.untilMs : undefined;
  }

  /** Records an answer: cooldown reset, last use now. */
  recordSuccess(key: ProfileKey): Promise<void> {
    const now = this.#clock.now();
    return this.#state.update(key.provider, key.profile, (record) => afterSuccess(record, now));
  }

  /** Records a failure: disable, cooldown, or only the last error (see `classifyFailure`). */
  recordFailure(key: ProfileKey, failure: ClassifiedFailure): Promise<void> {
    const now = this.#clock.now();
    return this.#state.update(key.provider, key.profile, (record) =>
      afterFailure(record, failure, key.keyHash, now),
    );
  }

  /**
   * `models.auth.list`: every profile with a key, of one provider or all, in try order.
   * Asked about one provider left with no profile because the keychain could not be read,
   * it throws that error: an empty list would tell the person they have no key. Keys from
   * the environment or the config are listed without a keychain.
   */
  async list(providerId?: string): Promise<AuthProfile[]> {
    const providers = Object.keys(this.#getConfig().models.providers).filter(
      (id) => providerId === undefined || id === providerId,
    );
    let listingError: GatewayError | undefined;
    const named = await this.#secrets.namedProfiles().catch((error: unknown) => {
      listingError = asGatewayError(error);
      return new Map<string, string[]>();
    });
    const rows: AuthProfile[] = [];
    for (const id of providers) {
      const { profiles, keychainError } = await this.#resolveAll(id, named.get(id) ?? []);
      const unreadable = keychainError ?? listingError;
      // Asked about this provider alone: say why it has none. In the full list, one such
      // provider must not hide the keys of the others.
      if (providerId !== undefined && profiles.length === 0 && unreadable) throw unreadable;
      rows.push(...this.#ordered(id, profiles).map((key, index) => this.#row(key, index + 1)));
    }
    return rows;
  }

  async #resolveAll(
    providerId: string,
    named: readonly string[],
  ): Promise<{ profiles: ProfileKey[]; keychainError?: GatewayError | undefined }> {
    const profiles: ProfileKey[] = [];
    let keychainError: GatewayError | undefined;
    for (const profile of [DEFAULT_PROFILE, ...named]) {
      const ref: SecretRef =
        profile === DEFAULT_PROFILE
          ? { kind: 'provider', id: providerId }
          : { kind: 'provider', id: providerId, profile };
      const secret = await this.#secrets.resolve(ref);
      keychainError ??= secret.error;
      if (!secret.value || secret.source === 'none') continue;
      profiles.push({
        provider: providerId,
        profile,
        source: secret.source,
        apiKey: secret.value,
        keyHash: keyHashOf(this.#state.keySalt, secret.value),
      });
    }
    return { profiles, keychainError };
  }

  #ordered(providerId: string, profiles: ProfileKey[], first?: string): ProfileKey[] {
    const provider = ownValue(this.#getConfig().models.providers, providerId);
    const order = provider?.auth?.order ?? [];
    const rank = (key: ProfileKey) => {
      if (key.profile === first) return -1;
      const at = order.indexOf(key.profile);
      return at === -1 ? order.length : at;
    };
    const lastUsed = (key: ProfileKey) =>
      this.#state.get(key.provider, key.profile)?.lastUsedAtMs ?? 0;
    return [...profiles].sort(
      (a, b) =>
        rank(a) - rank(b) ||
        lastUsed(a) - lastUsed(b) ||
        (a.profile < b.profile ? -1 : a.profile > b.profile ? 1 : 0),
    );
  }

  #row(key: ProfileKey, order: number): AuthProfile {
    const record = this.#state.get(key.provider, key.profile);
    const health = this.health(key);
    return {
      provider: key.provider,
      profile: key.profile,
      source: key.source,
      masked: maskSecret(key.apiKey),
      order,
      state: health.state,
      ...(health.state === 'cooldown' ? { cooldownUntilMs: health.untilMs } : {}),
      ...(health.state === 'disabled' ? { disabledReason: health.reason } : {}),
      ...(record?.lastUsedAtMs === undefined ? {} : { lastUsedAtMs: record.lastUsedAtMs }),
      ...(record?.lastError === undefined ? {} : { lastError: record.lastError }),
    };
  }
}

function asGatewayError(error: unknown): GatewayError {
  return error instanceof GatewayError ? error : GatewayError.of('KEYCHAIN_UNAVAILABLE');
}
