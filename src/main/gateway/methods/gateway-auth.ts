import { z } from 'zod';
import { baseHashParam, withBaseHash } from './config.js';
import type { MethodServices } from './context.js';

/**
 * `gateway.auth.rotate`: a new shared token; other shared-secret sessions close 4001. It
 * writes the file when it moves a plaintext token to the keychain, so it takes `baseHash`
 * and answers the new `hash` like every config writer the Control UI calls.
 */
export function registerGatewayAuthMethods(services: MethodServices): void {
  services.router.register('gateway.auth.rotate', {
    scope: 'operator.admin',
    params: z.strictObject({ baseHash: baseHashParam }),
    handler: withBaseHash(services.config.editor, async (_params, { conn }) => {
      const mode = await services.auth.rotate({ keepConnectionId: conn.id });
      return { mode };
    }),
  });
}
