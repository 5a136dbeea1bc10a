/**
 * `models.list` and `special-agent models list`: a configured provider's models, asked with
 * the key a chat would use first (a provider on loopback needs none).
 */
import type { Config } from '../../shared/config-schema.js';
import { GatewayError } from '../../shared/errors.js';
import { ownValue } from '../../shared/own-key.js';
import type { ModelListPayload } from '../../shared/protocol.js';
import type { AuthProfiles } from '../auth-profiles/auth-profiles.js';
import { providerNeedsKey } from './auth-status.js';
import type { ModelCatalog } from './model-catalog.js';
import { providerNotFound } from './provider-errors.js';

export interface ListModelsDeps {
  config: Config;
  profiles: AuthProfiles;
  catalog: ModelCatalog;
}

/** The listing of `providerId`; NOT_FOUND for a provider that is not configured. */
export async function listModels(
  providerId: string,
  deps: ListModelsDeps,
): Promise<ModelListPayload> {
  const provider = ownValue(deps.config.models.providers, providerId);
  if (!provider) throw providerNotFound(providerId);
  const { profiles, keychainError } = await deps.profiles.keys(providerId);
  // A profile cooling down still lists models: listing costs the provider next to nothing.
  const key = profiles.find((candidate) => deps.profiles.health(candidate).state === 'ready');
  const apiKey = (key ?? profiles[0])?.apiKey;
  if (apiKey === undefined && providerNeedsKey(provider)) {
    throw (
      keychainError ??
      GatewayError.of('PROVIDER_NO_CREDENTIALS', {
        message: `No credentials found for provider "${providerId}" (add one with: special-agent models auth add ${providerId} default)`,
        details: { provider: providerId },
      })
    );
  }
  const ref = { id: providerId, type: provider.type, baseUrl: provider.baseUrl };
  const listing = await deps.catalog.list(ref, apiKey);
  return { provider: providerId, models: listing.models, fetchedAtMs: listing.fetchedAtMs };
}
