/**
 * The gateway under test: the real composition root from the build (dist/main/app.js),
 * started in this process with a fresh temp home and a token from the environment, so
 * bench/run.js can ask it for its own CPU time, heap and event-loop delay. Started with
 * `fork`; the load generator is a separate process.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGatewayApp } from '../dist/main/app.js';
import { createLogger } from '../dist/main/util/logger.js';
import { announceReady, serveControl } from './lib/control.js';

const home = await mkdtemp(join(tmpdir(), 'special-agent-bench-'));
await writeFile(join(home, 'config.json5'), '{ gateway: { port: 0 } }\n');
const token = randomBytes(32).toString('base64url');
const env = {
  ...process.env,
  SPECIAL_AGENT_HOME: home,
  SPECIAL_AGENT_CONFIG: '',
  SPECIAL_AGENT_GATEWAY_TOKEN: token,
};
// The product's logger at warn: at info every handshake's connection line landed in the
// bench's output (thousands of lines). The gateway still builds each line; the logger
// drops it before scrubbing or writing (bench/README.md, handshake limit).
const logger = createLogger({ level: 'warn', secrets: () => [token] });
// Every bench client shares 127.0.0.1, and the storms hold up to 200 sockets between upgrade
// and hello-ok at once: past the per-address limit of 32 (PROTOCOL.md "Transport") they
// would measure 503s. The raw baseline has no such limit either.
const limits = { maxUnauthenticatedPerAddress: 4096 };
const app = await startGatewayApp({ env, logger, limits });

serveControl({
  onStop: async () => {
    await app.stop('bench finished');
    await rm(home, { recursive: true, force: true });
  },
});
announceReady({ port: app.port, token });
