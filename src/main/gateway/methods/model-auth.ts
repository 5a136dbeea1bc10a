import { z } from 'zod';
import { ProfileAdmin } from '../../auth-profiles/profile-admin.js';
import { listModels } from '../../providers/list-models.js';
import { PROVIDER_ID_PATTERN, profileNameSchema } from '../../../shared/config-schema.js';
import { ownValue } from '../../../shared/own-key.js';
import { baseHashParam, withBaseHash } from './config.js';
import type { MethodServices } from './context.js';
import { providerNotFound } from '../../providers/provider-errors.js';

const providerId = z
  .string()
  .regex(PROVIDER_ID_PATTERN, 'provider ids use a-z, 0-9, _ and -, starting with a letter or digit')
  .max(64);

/**
 * `models.list` and `models.auth.list|add|remove|order` (PROTOCOL.md): a provider's models and
 * its auth profiles. Keys go to the keychain and are never echoed, only a masked tail. The
 * writers take `baseHash` (CONFLICT, nothing changed, when the file changed since) and then
 * answer the file's new `hash`: `order` sends a whole list computed from what was on screen.
 */
export function registerModelAuthMethods(services: MethodServices): void {
  const { router, config, secrets, profiles, catalog } = services;
  const admin = new ProfileAdmin({
    getConfig: () => config.current(),
    secrets,
    profiles,
    editConfig: (edits) => config.editor.applyEdits(edits),
    reload: () => config.reload(),
  });
  const requireProvider = (id: string) => {
    if (!ownValue(config.current().models.providers, id)) throw providerNotFound(id);
  };

  router.register('models.list', {
    scope: 'operator.read',
    params: z.strictObject({ provider: providerId }),
    handler: (params) =>
      listModels(params.provider, { config: config.current(), profiles, catalog }),
  });
  router.register('models.auth.list', {
    scope: 'operator.read',
    params: z.strictObject({ provider: providerId.optional() }),
    handler: async (params) => {
      if (params.provider !== undefined) requireProvider(params.provider);
      return { profiles: await profiles.list(params.provider) };
    },
  });
  router.register('models.auth.add', {
    scope: 'operator.admin',
    params: z.strictObject({
      provider: providerId,
      profile: profileNameSchema,
      apiKey: z.string().min(1).max(4096),
      baseHash: baseHashParam,
    }),
    handler: withBaseHash(config.editor, async (params) => {
      const added = await admin.add(params.provider, params.profile, params.apiKey);
      return { profile: added.profile };
    }),
  });
  router.register('models.auth.remove', {
    scope: 'operator.admin',
    params: z.strictObject({
      provider: providerId,
      profile: profileNameSchema,
      baseHash: baseHashParam,
    }),
    handler: withBaseHash(config.editor, (params) => admin.remove(params.provider, params.profile)),
  });
  router.register('models.auth.order', {
    scope: 'operator.admin',
    params: z.strictObject({
      provider: providerId,
      order: z.array(profileNameSchema).max(64),
      baseHash: baseHashParam,
    }),
    handler: withBaseHash(config.editor, (params) => admin.order(params.provider, params.order)),
  });
}
