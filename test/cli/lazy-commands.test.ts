/**
 * The CLI loads only the command group it runs (src/cli/program.ts), from the sources: a
 * bare `--version` loads none, so it starts in milliseconds; help and typos still see
 * every command.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { CHILD_EXIT_WAIT_MS, childEnv, runCli } from '../helpers/child.js';
import { makeTempHome, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { runLoggingModules } from '../helpers/module-log.js';
import { cliEnvFor, expectOk } from './cli-test-support.js';

const CLI_ENTRY = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const COMMANDS = ['gateway', 'dashboard', 'devices', 'models', 'configure', 'onboard', 'chat'];

/** Modules under src/cli/commands/ that were loaded, by file name. */
const commandModules = (modules: string[]) =>
  modules.flatMap((url) => /\/src\/cli\/commands\/([\w-]+)\.ts$/.exec(url)?.[1] ?? []);
/** Packages from node_modules that were loaded, by name. */
const packages = (modules: string[]) =>
  modules.flatMap((url) => /\/node_modules\/((?:@[\w.-]+\/)?[\w.-]+)\//.exec(url)?.[1] ?? []);

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

it('special-agent --version loads no command module, no config schema (zod) and no WebSocket library', async () => {
  const result = await runLoggingModules(
    ['--import', 'tsx', CLI_ENTRY, '--version'],
    childEnv(await makeTempHome()),
    'special-agent --version to exit',
    CHILD_EXIT_WAIT_MS,
  );
  expect(expectOk(result)).toMatch(/^\d+\.\d+\.\d+\n$/);
  expect(commandModules(result.modules)).toEqual([]);
  expect(packages(result.modules)).not.toContain('zod');
  expect(packages(result.modules)).not.toContain('ws');
  expect(result.modules.filter((url) => url.includes('/src/main/gateway/'))).toEqual([]);
});

/** The gateway server and what only it loads. */
const GATEWAY_SERVER =
  /\/src\/main\/gateway\/(gateway-server|handshake|router|connection|methods\/)/;

it('devices list loads the devices commands only: no other command, no gateway server, no QR code library', async () => {
  gateway = await startTestGateway();
  const result = await runLoggingModules(
    ['--import', 'tsx', CLI_ENTRY, 'devices', 'list', '--json'],
    cliEnvFor(gateway),
    'special-agent devices list --json to exit',
    CHILD_EXIT_WAIT_MS,
  );
  expect(JSON.parse(expectOk(result))).toHaveProperty('paired');
  expect(commandModules(result.modules).sort()).toEqual(['device-invites', 'devices']);
  expect(packages(result.modules)).not.toContain('qrcode');
  // Small pure rules (TLS on or off for a bind) may load; the server and its methods may not.
  expect(result.modules.filter((url) => GATEWAY_SERVER.test(url))).toEqual([]);
  expect(result.modules.filter((url) => url.endsWith('/src/main/app.ts'))).toEqual([]);
});

it('help lists every command, and a mistyped command is answered with the right one', async () => {
  const env = childEnv(await makeTempHome());
  const help = expectOk(await runCli(['--help'], env));
  for (const command of COMMANDS) expect(help).toMatch(new RegExp(`^  ${command}\\b`, 'm'));

  const typo = await runCli(['devcies', 'list'], env);
  expect(typo.code).toBe(2);
  expect(typo.stderr).toBe("special-agent: unknown command 'devcies' (Did you mean devices?)\n");
});
