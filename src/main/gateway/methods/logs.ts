import { z } from 'zod';
import { DEFAULT_TAIL_LINES, MAX_TAIL_LINES } from '../../util/log-tail.js';
import type { MethodServices } from './context.js';

/** `logs.tail {lines?}` → `{lines}`: the end of `<home>/logs/gateway.log`, for the Gateway page. */
export function registerLogMethods(services: MethodServices): void {
  services.router.register('logs.tail', {
    // The log names devices, addresses and config paths: for the operator only.
    scope: 'operator.admin',
    params: z.strictObject({
      lines: z.number().int().min(1).max(MAX_TAIL_LINES).optional(),
    }),
    handler: async (params) => ({
      lines: await services.logs.tail(params.lines ?? DEFAULT_TAIL_LINES),
    }),
  });
}
