import { z } from 'zod';
import { unavailable } from '../../../shared/errors.js';
import type { MethodServices } from './context.js';

/**
 * How long clients should expect the gateway to be gone after `gateway.restart`: it stops
 * and starts again in the same process, which takes well under this on a loaded machine.
 * Clients wait this long before their first reconnect.
 */
export const RESTART_EXPECTED_MS = 2_000;

/**
 * `gateway.restart` (PROTOCOL.md additions): `{}` → `{restartExpectedMs}`, then the
 * `shutdown` event with `restartExpectedMs` and close 1012; the gateway comes back on the
 * config as it is then (a new `gateway.port` included). Only a gateway run by something that
 * can start it again (`gateway run`, the desktop app) can do this.
 */
export function registerGatewayRestartMethods(services: MethodServices): void {
  services.router.register('gateway.restart', {
    scope: 'operator.admin',
    params: z.strictObject({}),
    handler: () => {
      const restart = services.requestRestart;
      if (!restart) {
        throw unavailable(
          'this gateway cannot restart itself (nothing here would start it again); stop it and start it again',
        );
      }
      // On the next turn, so this answer is sent before the `shutdown` event and the close.
      setImmediate(() => restart(RESTART_EXPECTED_MS));
      return { restartExpectedMs: RESTART_EXPECTED_MS };
    },
  });
}
