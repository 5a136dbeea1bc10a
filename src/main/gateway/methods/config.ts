import { z } from 'zod';
import {
  formatConfigPath,
  getAtPath,
  parseConfigPath,
  restartRequiredFor,
} from '../../config/config-path.js';
import type { Config } from '../../../shared/config-schema.js';
import { invalidRequest } from '../../../shared/errors.js';
import { isSecretPath } from '../../../shared/secret-paths.js';
import type { MethodServices } from './context.js';

export const REDACTED = '[redacted]';
const dottedPath = z.string().min(1).max(256);

/** A copy of the config with every secret replaced by `"[redacted]"`. */
export function redactConfig(config: Config): Config {
  const copy = structuredClone(config);
  if (copy.gateway.auth.token !== undefined) copy.gateway.auth.token = REDACTED;
  if (copy.gateway.auth.password !== undefined) copy.gateway.auth.password = REDACTED;
  for (const provider of Object.values(copy.models.providers)) {
    if (provider.apiKey !== undefined) provider.apiKey = REDACTED;
  }
  return copy;
}

function parsePath(dotted: string) {
  try {
    return parseConfigPath(dotted);
  } catch (error) {
    throw invalidRequest(
      error instanceof Error ? error.message : `invalid config path "${dotted}"`,
    );
  }
}

/**
 * `config.get|set|unset`. Every `config.set` goes through the secrets service: the secrets
 * in the value (the value itself at a secret path, or any nested in an object) go to the
 * keychain, and the rest is a surgical edit of the user's JSON5 file that also drops any
 * plaintext copy.
 */
export function registerConfigMethods(services: MethodServices): void {
  const { router, config, secrets } = services;
  router.register('config.get', {
    scope: 'operator.admin',
    params: z.strictObject({ path: dottedPath.optional() }),
    handler: (params) => {
      const redacted = redactConfig(config.current());
      if (params.path === undefined) return { config: redacted };
      const path = parsePath(params.path);
      return { path: formatConfigPath(path), config: getAtPath(redacted, path) ?? null };
    },
  });
  router.register('config.set', {
    scope: 'operator.admin',
    params: z.strictObject({ path: dottedPath, value: z.unknown() }),
    handler: async (params) => {
      const written = await secrets.setConfigValue(parsePath(params.path), params.value);
      await config.reload();
      return {
        path: written.path,
        restartRequired: written.restartRequired,
        ...(written.stored.length > 0 ? { storedIn: 'keychain' } : {}),
      };
    },
  });
  router.register('config.unset', {
    scope: 'operator.admin',
    params: z.strictObject({ path: dottedPath }),
    handler: async (params) => {
      const path = parsePath(params.path);
      const dotted = formatConfigPath(path);
      if (isSecretPath(path)) await secrets.clearSecret(path);
      else await config.editor.unset(path);
      await config.reload();
      return { path: dotted, restartRequired: restartRequiredFor([dotted]) };
    },
  });
}
