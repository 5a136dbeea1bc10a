import { z } from 'zod';
import { isReservedSegment } from '../../config/config-path.js';
import { computeAuthStatus } from '../../providers/auth-status.js';
import { maskSecret } from '../../secrets/resolve.js';
import type { StoredSecret } from '../../secrets/secrets-service.js';
import { PROVIDER_ID_PATTERN, providerSchema } from '../../../shared/config-schema.js';
import { conflict } from '../../../shared/errors.js';
import { ownValue } from '../../../shared/own-key.js';
import { baseHashParam, withBaseHash } from './config.js';
import type { MethodServices } from './context.js';
import { providerNotFound } from '../../providers/provider-errors.js';

const providerId = z
  .string()
  .regex(PROVIDER_ID_PATTERN, 'provider ids use a-z, 0-9, _ and -, starting with a letter or digit')
  .max(64);
/** A new provider's id: also not a name of JavaScript's object machinery (`constructor`). */
const newProviderId = providerId.refine((id) => !isReservedSegment(id), {
  error: (issue) => `"${String(issue.input)}" is not a usable provider id (choose another name)`,
});

/** A provider key as the wire takes it; it goes to the keychain and is never echoed. */
const apiKey = z.string().min(1).max(4096);

/** What `setKey` (and `upsert` with a key) answers about the key just stored. */
function credentialOf(stored: StoredSecret, key: string) {
  return {
    source: stored.shadowedByEnv ? 'env' : 'keychain',
    ...(stored.shadowedByEnv ? { envVar: stored.shadowedByEnv } : {}),
    masked: maskSecret(key),
    storedIn: 'keychain',
  };
}

/** `models.authStatus` and `models.providers.*`. Keys go to the keychain and are never echoed. */
export function registerModelMethods(services: MethodServices): void {
  const { router, config, secrets, profiles } = services;
  const requireProvider = (id: string) => {
    // Own keys only: an id such as `constructor` must not find Object.prototype's.
    const provider = ownValue(config.current().models.providers, id);
    if (!provider) throw providerNotFound(id);
    return provider;
  };
  const resolveKey = (id: string) => secrets.resolve({ kind: 'provider', id });

  router.register('models.authStatus', {
    scope: 'operator.read',
    params: z.strictObject({ probe: z.boolean().optional(), provider: providerId.optional() }),
    handler: async (params) => {
      const current = config.current();
      if (params.provider !== undefined) requireProvider(params.provider);
      const status = await computeAuthStatus({
        config: current,
        resolveKey,
        probe: params.probe ?? false,
        listProfiles: () => profiles.list(params.provider),
      });
      if (params.provider === undefined) return status;
      return {
        ...status,
        providers: status.providers.filter((row) => row.id === params.provider),
        agents: status.agents.filter((row) => row.provider === params.provider),
      };
    },
  });
  router.register('models.providers.upsert', {
    scope: 'operator.admin',
    params: z.strictObject({
      id: newProviderId,
      type: providerSchema.shape.type,
      baseUrl: providerSchema.shape.baseUrl,
      models: providerSchema.shape.models,
      apiKey: apiKey.optional(),
      baseHash: baseHashParam,
    }),
    // With `apiKey` the provider and its key are one change: both are stored or neither.
    handler: withBaseHash(config.editor, async (params) => {
      const base = ['models', 'providers', params.id];
      const edits = [
        { path: [...base, 'type'], value: params.type },
        { path: [...base, 'baseUrl'], value: params.baseUrl },
        params.models === undefined
          ? { path: [...base, 'models'], unset: true }
          : { path: [...base, 'models'], value: params.models },
      ];
      const stored =
        params.apiKey === undefined
          ? undefined
          : await secrets.storeSecretWith([...base, 'apiKey'], params.apiKey, edits);
      if (stored === undefined) await config.editor.applyEdits(edits);
      await config.reload();
      const { type, baseUrl, models } = requireProvider(params.id);
      return {
        provider: { id: params.id, type, baseUrl, ...(models ? { models } : {}) },
        ...(stored && params.apiKey ? { credential: credentialOf(stored, params.apiKey) } : {}),
      };
    }),
  });
  router.register('models.providers.remove', {
    scope: 'operator.admin',
    params: z.strictObject({ id: providerId, baseHash: baseHashParam }),
    handler: withBaseHash(config.editor, async (params) => {
      requireProvider(params.id);
      const users = config
        .current()
        .agents.list.filter((agent) => agent.model.provider === params.id);
      if (users.length > 0) {
        const names = users.map((agent) => `"${agent.id}"`).join(', ');
        throw conflict(
          `provider "${params.id}" is used by agent ${names}; point the agent at another provider first`,
        );
      }
      // Removed, it would leave a config the gateway refuses to start with: say what to do
      // first, rather than let the config write refuse it.
      const fallingBack = config
        .current()
        .agents.list.filter((agent) =>
          agent.model.fallbacks?.some((f) => f.provider === params.id),
        );
      if (fallingBack.length > 0) {
        const names = fallingBack.map((agent) => `"${agent.id}"`).join(', ');
        throw conflict(
          `provider "${params.id}" is a fallback of agent ${names}; remove it from the agent's fallbacks first`,
        );
      }
      // All or nothing: a refused file edit (a broken file, a held lock) puts the keys back.
      await secrets.clearProviderKeysThen(params.id, () =>
        config.editor.unset(['models', 'providers', params.id]),
      );
      await config.reload();
      return { id: params.id };
    }),
  });
  router.register('models.providers.setKey', {
    scope: 'operator.admin',
    params: z.strictObject({
      id: providerId,
      apiKey,
      baseHash: baseHashParam,
    }),
    handler: withBaseHash(config.editor, async (params) => {
      requireProvider(params.id);
      const stored = await secrets.storeSecret(
        ['models', 'providers', params.id, 'apiKey'],
        params.apiKey,
      );
      await config.reload();
      return { id: params.id, credential: credentialOf(stored, params.apiKey) };
    }),
  });
  router.register('models.providers.clearKey', {
    scope: 'operator.admin',
    params: z.strictObject({ id: providerId, baseHash: baseHashParam }),
    handler: withBaseHash(config.editor, async (params) => {
      requireProvider(params.id);
      await secrets.clearSecret(['models', 'providers', params.id, 'apiKey']);
      await config.reload();
      return { id: params.id };
    }),
  });
}
