import { z } from 'zod';
import {
  formatConfigPath,
  getAtPath,
  parseConfigPath,
  restartRequiredFor,
} from '../../config/config-path.js';
import { invalidRequest } from '../../../shared/errors.js';
import type { AuthMode } from '../../../shared/config-schema.js';
import { redactConfig } from '../../../shared/redact-config.js';
import { isSecretPath } from '../../../shared/secret-paths.js';
import type { ConfigEditor } from '../../config/edit.js';
import type { PathSegment } from '../../config/json5-positions.js';
import type { MethodContext } from '../router.js';
import type { MethodServices } from './context.js';

const dottedPath = z.string().min(1).max(256);

/**
 * The optional `baseHash` of every method that writes the config file: the `hash` of the
 * `config.get` the caller's view came from (64 hex digits, or `"absent"`).
 */
export const baseHashParam = z
  .string()
  .regex(/^([0-9a-f]{64}|absent)$/, 'baseHash is the hash config.get answered')
  .optional();

/**
 * `handler` run as one edit of the file named by `params.baseHash`: CONFLICT, with nothing
 * changed (neither the file nor the keychain), when the file changed since. The one place
 * the config-writing methods get the check from. Without `baseHash`, `handler` runs as is;
 * with it, the answer also carries the file's new `hash`, so a form can save again without
 * reloading (as `config.set` does).
 */
export function withBaseHash<P extends { baseHash?: string | undefined }>(
  editor: ConfigEditor,
  handler: (params: P, context: MethodContext) => Promise<unknown>,
): (params: P, context: MethodContext) => Promise<unknown> {
  return async (params, context) => {
    if (params.baseHash === undefined) return handler(params, context);
    const { value, hash } = await editor.expecting(params.baseHash, () => handler(params, context));
    return typeof value === 'object' && value !== null ? { ...value, hash } : value;
  };
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
 * plaintext copy. `config.get` answers the file's `hash`; `set` and `unset` take it back
 * as `baseHash` (CONFLICT when the file changed since) and answer the new one.
 */
export function registerConfigMethods(services: MethodServices): void {
  const { router, config, secrets, auth } = services;
  /**
   * A gateway secret lives in the keychain, which no file event announces: the running
   * secret is re-read here, as `gateway.auth.rotate` does, and the caller's session stays.
   */
  const applySecret = async (path: readonly PathSegment[], connectionId: string) => {
    const touchesAuth = path[0] === 'gateway' && (path.length === 1 || path[1] === 'auth');
    if (touchesAuth) await auth.refresh(config.current(), { keepConnectionId: connectionId });
  };
  router.register('config.get', {
    scope: 'operator.admin',
    params: z.strictObject({ path: dottedPath.optional() }),
    handler: async (params) => {
      // Read the file now, not when the watcher next wakes: a form filled from a config
      // older than the file would save on a stale hash and be refused as a CONFLICT again.
      await config.reload();
      const redacted = redactConfig(config.current());
      const hash = config.hash();
      if (params.path === undefined) return { config: redacted, hash };
      const path = parsePath(params.path);
      return { path: formatConfigPath(path), config: getAtPath(redacted, path) ?? null, hash };
    },
  });
  router.register('config.set', {
    scope: 'operator.admin',
    params: z.strictObject({ path: dottedPath, value: z.unknown(), baseHash: baseHashParam }),
    handler: async (params, { conn }) => {
      const path = parsePath(params.path);
      // Refused before anything is written: a listener beyond loopback never takes `none`.
      const mode = authModeSetBy(path, params.value);
      if (mode !== undefined) auth.assertAllowed(mode);
      const { value: written, hash } = await config.editor.expecting(params.baseHash, () =>
        secrets.setConfigValue(path, params.value),
      );
      await config.reload({ keepConnectionId: conn.id });
      await applySecret(path, conn.id);
      return {
        path: written.path,
        restartRequired: written.restartRequired,
        ...(written.stored.length > 0 ? { storedIn: 'keychain' } : {}),
        hash,
      };
    },
  });
  router.register('config.unset', {
    scope: 'operator.admin',
    params: z.strictObject({ path: dottedPath, baseHash: baseHashParam }),
    handler: async (params, { conn }) => {
      const path = parsePath(params.path);
      const dotted = formatConfigPath(path);
      const { hash } = await config.editor.expecting(params.baseHash, async () => {
        if (isSecretPath(path)) await secrets.clearSecret(path);
        else await config.editor.unset(path);
      });
      await config.reload({ keepConnectionId: conn.id });
      await applySecret(path, conn.id);
      return { path: dotted, restartRequired: restartRequiredFor([dotted]), hash };
    },
  });
}

/** The `gateway.auth.mode` that setting `value` at `path` writes, if it writes one. */
function authModeSetBy(path: readonly PathSegment[], value: unknown): AuthMode | undefined {
  const target = ['gateway', 'auth', 'mode'];
  if (path.length > target.length || !path.every((segment, i) => segment === target[i]))
    return undefined;
  const mode = getAtPath(value, target.slice(path.length));
  return mode === 'token' || mode === 'password' || mode === 'none' ? mode : undefined;
}
