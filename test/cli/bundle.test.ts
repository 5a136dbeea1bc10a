/**
 * The built command: bin/special-agent.js runs the esbuild bundle (scripts/bundle-gateway.js),
 * which must answer like the sources do. These tests need `dist/` and fail, saying so, when
 * it is missing: `npm test` builds before it runs vitest; a targeted run needs
 * `npm run build:node` first.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { defaultHomeDir } from '../../src/main/config/paths.js';
import { keychainServiceForHome } from '../../src/main/secrets/keychain.js';
import { describeWithKeychain } from '../../src/main/secrets/keychain.test-support.js';
import { CHILD_EXIT_WAIT_MS, REPO_ROOT, childEnv } from '../helpers/child.js';
import { makeTempHome, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { LoggedChild, runLoggingModules } from '../helpers/module-log.js';
import { OUTCOME_WAIT_MS } from '../helpers/within.js';
import { cliEnvFor, expectOk } from './cli-test-support.js';

const BIN = fileURLToPath(new URL('../../bin/special-agent.js', import.meta.url));
const BUNDLE = fileURLToPath(new URL('../../dist/cli/special-agent.js', import.meta.url));
const GATEWAY_BUNDLE = fileURLToPath(new URL('../../dist/main/gateway.js', import.meta.url));
const ROOT_URL = pathToFileURL(REPO_ROOT).href;
const { version: VERSION } = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string };

/** Fails the test with the fix when the build output is missing. */
function requireBuild(): void {
  expect(
    existsSync(BUNDLE) && existsSync(GATEWAY_BUNDLE),
    'dist/cli/special-agent.js or dist/main/gateway.js is missing: run npm run build:node (npm test builds first)',
  ).toBe(true);
}

const homes: string[] = [];
let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
  for (const home of homes.splice(0)) await rm(home, { recursive: true, force: true });
});

async function tempHome(config = '{ gateway: { port: 0 } }\n'): Promise<string> {
  const home = await makeTempHome();
  homes.push(home);
  await writeFile(join(home, 'config.json5'), config);
  return home;
}

it('bin/special-agent.js runs the bundle: --version prints the package version, loading only bundled files', async () => {
  requireBuild();
  const result = await runLoggingModules(
    [BIN, '--version'],
    childEnv(await tempHome()),
    'special-agent --version to exit',
    CHILD_EXIT_WAIT_MS,
  );
  expect(expectOk(result)).toBe(`${VERSION}\n`);
  const files = result.modules.filter((url) => url.startsWith('file:'));
  expect(files.slice(0, 2)).toEqual([
    `${ROOT_URL}bin/special-agent.js`,
    `${ROOT_URL}dist/cli/special-agent.js`,
  ]);
  // No unbundled module of ours, nothing from node_modules.
  expect(files.slice(2).filter((url) => !/\/dist\/main\/chunk-\w+\.js$/.test(url))).toEqual([]);
});

it("the bundled CLI lists a real gateway's devices as JSON, itself among the paired", async () => {
  requireBuild();
  gateway = await startTestGateway();
  const result = await runLoggingModules(
    [BUNDLE, 'devices', 'list', '--json'],
    cliEnvFor(gateway),
    'special-agent devices list --json to exit',
    CHILD_EXIT_WAIT_MS,
  );
  const list = JSON.parse(expectOk(result)) as { pending: unknown[]; paired: unknown[] };
  expect(list.pending).toEqual([]);
  // The CLI's own device, paired silently on its first local connect.
  expect(JSON.stringify(list.paired)).toContain('special-agent-cli');
});

it('the bundled gateway run serves /healthz and exits 0 on SIGINT, loading no unbundled module', async () => {
  requireBuild();
  const env = childEnv(await tempHome(), {
    SPECIAL_AGENT_GATEWAY_TOKEN: randomBytes(24).toString('base64url'),
  });
  const child = await LoggedChild.start([BIN, 'gateway', 'run'], env);
  const [, url] = await child.waitFor(
    /listening on (http:\/\/\S+)/,
    'special-agent gateway run listening',
    CHILD_EXIT_WAIT_MS,
  );
  const health = (await (await fetch(`${url}healthz`)).json()) as { service?: string };
  expect(health.service).toBe('special-agent-gateway');
  child.child.kill('SIGINT');
  const result = await child.result('special-agent gateway run to stop on SIGINT', OUTCOME_WAIT_MS);
  expect(result.code, result.stderr).toBe(0);
  // Ours come from the bundle only; the keychain worker loads the native keyring.
  const unbundled = result.modules.filter(
    (url) =>
      url.startsWith('file:') &&
      !/\/(bin\/special-agent|dist\/cli\/special-agent|dist\/main\/chunk-\w+|dist\/main\/keychain-worker)\.js$/.test(
        url,
      ) &&
      !url.includes('/node_modules/@napi-rs/keyring'),
  );
  expect(unbundled).toEqual([]);
});

const serviceOf = (home: string) => keychainServiceForHome(home, defaultHomeDir());

describeWithKeychain('the bundled CLI with the OS keychain', () => {
  it('finds its keychain worker: configure set stores a key in the keychain and get names that source', async () => {
    requireBuild();
    const home = await tempHome(
      "{ models: { providers: { openai: { type: 'openai', baseUrl: 'https://api.example.com/v1' } } } }\n",
    );
    const env = childEnv(home);
    const key = `sk-test-${randomBytes(12).toString('hex')}`;
    const path = 'models.providers.openai.apiKey';
    try {
      const run = (args: string[]) =>
        runLoggingModules(
          [BUNDLE, ...args],
          env,
          `configure ${args[1]} to exit`,
          CHILD_EXIT_WAIT_MS,
        );
      expect(expectOk(await run(['configure', 'set', path, key]))).toBe(
        'Stored in OS keychain (provider:openai)\n',
      );
      expect(expectOk(await run(['configure', 'get', path]))).toBe('[stored in the OS keychain]\n');
    } finally {
      await promisify(execFile)('secret-tool', ['clear', 'service', serviceOf(home)]).catch(
        () => undefined,
      );
    }
  });
});
