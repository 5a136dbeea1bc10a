/**
 * `models.list` with a short memory: a provider's listing is kept for a minute per provider
 * and key (a chat with no model set, and every model picker, would otherwise ask on each
 * use). Failures are not kept: the next call asks again.
 */
import { createHash } from 'node:crypto';
import { GatewayError } from '../../shared/errors.js';
import type { Clock } from '../util/clock.js';
import { fetchModelList, type ListedModel, type ModelListRequest } from './model-list.js';
import type { ProviderRef } from './provider-types.js';

/** How long a listing is reused. */
export const MODEL_LIST_TTL_MS = 60_000;

/** A listing and when it was fetched. */
export interface ModelListing {
  provider: string;
  models: ListedModel[];
  fetchedAtMs: number;
}

export interface ModelCatalogOptions {
  clock: Clock;
  ttlMs?: number;
  fetchList?: (request: ModelListRequest) => Promise<ListedModel[]>;
}

/** Cached listings by provider; one per gateway. */
export class ModelCatalog {
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #fetchList: (request: ModelListRequest) => Promise<ListedModel[]>;
  readonly #entries = new Map<string, { key: string; listing: Promise<ModelListing> }>();

  constructor(options: ModelCatalogOptions) {
    this.#clock = options.clock;
    this.#ttlMs = options.ttlMs ?? MODEL_LIST_TTL_MS;
    this.#fetchList = options.fetchList ?? fetchModelList;
  }

  /**
   * The provider's models, from the cache when fetched less than a minute ago for the same
   * type, URL and key (an edited provider, or a new key, is asked afresh, so a wrong key is
   * reported at once). Concurrent callers share one request, which is why it takes no
   * caller's signal: one caller's abort must not fail the others.
   */
  async list(provider: ProviderRef, apiKey: string | undefined): Promise<ModelListing> {
    // The key's digest, not the key: the entry outlives the call.
    const keyDigest = apiKey ? createHash('sha256').update(apiKey).digest('base64url') : '-';
    const key = `${provider.type} ${provider.baseUrl} ${keyDigest}`;
    const cached = this.#entries.get(provider.id);
    if (cached?.key === key) {
      const listing = await cached.listing.catch(() => undefined);
      if (listing && this.#clock.now() - listing.fetchedAtMs < this.#ttlMs) return listing;
    }
    const listing = this.#fetchList({ provider, apiKey }).then((models) => ({
      provider: provider.id,
      models,
      fetchedAtMs: this.#clock.now(),
    }));
    const entry = { key, listing };
    this.#entries.set(provider.id, entry);
    listing.catch(() => {
      if (this.#entries.get(provider.id) === entry) this.#entries.delete(provider.id);
    });
    return listing;
  }

  /** The model a chat uses when none is configured: the first the provider lists. */
  async firstModel(provider: ProviderRef, apiKey: string | undefined): Promise<string> {
    const { models } = await this.list(provider, apiKey);
    const first = models[0];
    if (first !== undefined) return first.id;
    throw GatewayError.of('CONFIG_INVALID', {
      message: `provider "${provider.id}" lists no models; set one in models.providers.${provider.id}.models or agents.list[].model.name`,
      details: { provider: provider.id },
    });
  }
}
