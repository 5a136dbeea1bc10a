/**
 * A gateway on a home that bench/lib/pairing-scale.js prepared (SPECIAL_AGENT_HOME, with a
 * pairing store of many devices already in it): the real composition root from the build,
 * the product's logger and keychain, and the control channel of lib/control.js so the
 * event-loop delay is measured inside the gateway process. Started with `fork`; the home
 * is left in place on stop (the caller measures restarts on it, then removes it).
 */
import { startGatewayApp } from '../../dist/main/app.js';
import { createLogger } from '../../dist/main/util/logger.js';
import { announceReady, serveControl } from './control.js';

const token = process.env.SPECIAL_AGENT_GATEWAY_TOKEN;
if (!process.env.SPECIAL_AGENT_HOME || !token)
  throw new Error('set SPECIAL_AGENT_HOME and SPECIAL_AGENT_GATEWAY_TOKEN');
const logger = createLogger({ level: 'info', secrets: () => [token] });
const app = await startGatewayApp({ env: process.env, logger });

serveControl({ onStop: () => app.stop('bench finished') });
announceReady({ port: app.port, token });
