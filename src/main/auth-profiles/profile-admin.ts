/**
 * Adding, removing and ordering auth profiles: the `models.auth.add|remove|order` methods
 * and the CLI's `models auth …` (which runs it locally, with no gateway). Keys go to the
 * keychain through the secrets service (so the gateway logger learns them) and are never
 * echoed; the order goes to `models.providers.<id>.auth.order` through the config editor.
 */
import { DEFAULT_PROFILE, type Config } from '../../shared/config-schema.js';
import { conflict, invalidRequest, notFound } from '../../shared/errors.js';
import { ownValue } from '../../shared/own-key.js';
import type { AuthProfile } from '../../shared/protocol.js';
import type { SecretsConfigEdit, SecretsService } from '../secrets/secrets-service.js';
import type { AuthProfiles } from './auth-profiles.js';
import { providerNotFound } from '../providers/provider-errors.js';

export interface ProfileAdminOptions {
  getConfig: () => Config;
  secrets: Pick<SecretsService, 'storeProfileKey' | 'clearProfileKeyThen'>;
  profiles: AuthProfiles;
  /** Applies edits to the config file in one atomic write (the config editor). */
  editConfig: (edits: SecretsConfigEdit[]) => Promise<unknown>;
  /** Re-reads the config after an edit, so the answer shows the new state. */
  reload: () => Promise<void>;
}

/** What `add` reports; never the key. */
export interface AddedProfile {
  profile: AuthProfile;
  /** Set when this environment variable still wins over the stored `default` key. */
  shadowedByEnv?: string | undefined;
}

/** The write side of auth profiles. */
export class ProfileAdmin {
  readonly #options: ProfileAdminOptions;

  constructor(options: ProfileAdminOptions) {
    this.#options = options;
  }

  /** Stores `apiKey` as `profile` of `provider` (replacing its key); the new row. */
  async add(provider: string, profile: string, apiKey: string): Promise<AddedProfile> {
    this.#requireProvider(provider);
    if (apiKey.trim() === '') throw invalidRequest('apiKey must be a non-empty string');
    const stored = await this.#options.secrets.storeProfileKey(provider, profile, apiKey);
    await this.#options.reload();
    const row = await this.#find(provider, profile);
    if (!row)
      throw conflict(
        `profile "${profile}" of provider "${provider}" was stored but cannot be read back (check: special-agent models auth-status)`,
      );
    return {
      profile: row,
      ...(stored.shadowedByEnv ? { shadowedByEnv: stored.shadowedByEnv } : {}),
    };
  }

  /** Deletes the profile's key (and drops it from `auth.order`). */
  async remove(provider: string, profile: string): Promise<{ provider: string; profile: string }> {
    const config = this.#requireProvider(provider);
    const row = await this.#find(provider, profile);
    if (!row) throw notFoundProfile(provider, profile);
    if (row.source === 'env')
      throw conflict(
        `profile "${profile}" of provider "${provider}" comes from an environment variable; unset it there`,
      );
    const order = config.auth?.order ?? [];
    // All or nothing: a refused `auth.order` edit puts the key back.
    await this.#options.secrets.clearProfileKeyThen(provider, profile, async () => {
      if (!order.includes(profile)) return;
      const rest = order.filter((name) => name !== profile);
      await this.#options.editConfig([orderEdit(provider, rest)]);
    });
    await this.#options.reload();
    return { provider, profile };
  }

  /** Sets which profiles a run tries first; each must exist. An empty list unsets it. */
  async order(
    provider: string,
    order: readonly string[],
  ): Promise<{ provider: string; order: string[] }> {
    this.#requireProvider(provider);
    if (new Set(order).size !== order.length) throw invalidRequest('order lists a profile twice');
    const known = new Set((await this.#options.profiles.list(provider)).map((row) => row.profile));
    const unknown = order.find((name) => !known.has(name));
    if (unknown !== undefined) throw notFoundProfile(provider, unknown);
    await this.#options.editConfig([orderEdit(provider, order)]);
    await this.#options.reload();
    return { provider, order: [...order] };
  }

  #requireProvider(provider: string) {
    // Own keys only: an id such as `constructor` must not find Object.prototype's.
    const found = ownValue(this.#options.getConfig().models.providers, provider);
    if (!found) throw providerNotFound(provider);
    return found;
  }

  async #find(provider: string, profile: string): Promise<AuthProfile | undefined> {
    const rows = await this.#options.profiles.list(provider);
    return rows.find((row) => row.profile === profile);
  }
}

function orderEdit(provider: string, order: readonly string[]): SecretsConfigEdit {
  const path = ['models', 'providers', provider, 'auth'];
  return order.length === 0 ? { path, unset: true } : { path, value: { order: [...order] } };
}

function notFoundProfile(provider: string, profile: string) {
  const hint =
    profile === DEFAULT_PROFILE
      ? `set one with: special-agent models auth add ${provider} default`
      : 'see: special-agent models auth-status';
  return notFound(`profile "${profile}" of provider "${provider}" not found (${hint})`);
}
