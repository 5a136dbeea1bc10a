/**
 * The gateway of the chat bench: like gateway-server.js (the real composition root from
 * dist/, a fresh temp home, a token from the environment, the product's logger), with one
 * OpenAI-type provider at `BENCH_PROVIDER_URL` (the fake, on loopback, so no key) and an
 * agent on it. Runs may exceed the default 16 at once: the bench streams 100 together.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGatewayApp } from '../dist/main/app.js';
import { createLogger } from '../dist/main/util/logger.js';
import { announceReady, serveControl } from './lib/control.js';

const baseUrl = process.env.BENCH_PROVIDER_URL;
if (!baseUrl)
  throw new Error('BENCH_PROVIDER_URL: the fake provider, e.g. http://127.0.0.1:1234/v1');
const maxConcurrentRuns = Number(process.env.BENCH_CHAT_MAX_RUNS ?? 100);

const home = await mkdtemp(join(tmpdir(), 'special-agent-bench-chat-'));
const config = {
  gateway: { port: 0 },
  models: { providers: { bench: { type: 'openai', baseUrl } } },
  agents: { list: [{ id: 'main', model: { provider: 'bench', name: 'bench-model' } }] },
};
await writeFile(join(home, 'config.json5'), `${JSON.stringify(config)}\n`);
const token = randomBytes(32).toString('base64url');
const env = {
  ...process.env,
  SPECIAL_AGENT_HOME: home,
  SPECIAL_AGENT_CONFIG: '',
  SPECIAL_AGENT_GATEWAY_TOKEN: token,
};
const logger = createLogger({ level: 'info', secrets: () => [token] });
const app = await startGatewayApp({ env, logger, chatLimits: { maxConcurrentRuns } });

serveControl({
  onStop: async () => {
    await app.stop('bench finished');
    await rm(home, { recursive: true, force: true });
  },
});
announceReady({ port: app.port, token });
