import { z } from 'zod';
import {
  formatConfigPath,
  getAtPath,
  parseConfigPath,
  restartRequiredFor,
} from '../../config/config-path.js';
import type { Config } from '../../../shared/config-schema.js';
import { isSecretPath } from '../../../shared/config-schema.js';
import { invalidRequest } from '../../../shared/errors.js';
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
 * `config.get|set|unset`. Secret paths go to the keychain through the secrets service (and
 * any plaintext copy leaves the file in the same edit); everything else is a surgical edit
 * of the user's JSON5 file.
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
      const path = parsePath(params.path);
      const dotted = formatConfigPath(path);
      if (isSecretPath(path)) {
        if (typeof params.value !== 'string' || params.value.length === 0) {
          throw invalidRequest(`${dotted} must be a non-empty string`);
        }
        await secrets.storeSecret(path, params.value);
        await config.reload();
        return { path: dotted, restartRequired: false, storedIn: 'keychain' };
      }
      await config.editor.set(path, params.value);
      await config.reload();
      return { path: dotted, restartRequired: restartRequiredFor([dotted]) };
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
