import { z } from 'zod';
import type { MethodServices } from './context.js';

/** `status` (PROTOCOL.md "Methods"). */
export function registerStatusMethods(services: MethodServices): void {
  services.router.register('status', {
    scope: 'operator.read',
    params: z.strictObject({}),
    handler: () => services.status(),
  });
}
