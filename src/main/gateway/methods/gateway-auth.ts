import { z } from 'zod';
import type { MethodServices } from './context.js';

/** `gateway.auth.rotate`: a new shared token; other shared-secret sessions close 4001. */
export function registerGatewayAuthMethods(services: MethodServices): void {
  services.router.register('gateway.auth.rotate', {
    scope: 'operator.admin',
    params: z.strictObject({}),
    handler: async (_params, { conn }) => {
      const mode = await services.auth.rotate({ keepConnectionId: conn.id });
      return { mode };
    },
  });
}
