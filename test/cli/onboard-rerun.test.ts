import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/main/config/load.js';
import { resolvePaths } from '../../src/main/config/paths.js';
import { childEnv, runCli } from '../helpers/child.js';
import { makeTempHome } from '../helpers/gateway.js';
import { expectOk, expectOneLineFailure } from './cli-test-support.js';

const homes: string[] = [];
afterEach(async () => {
  for (const home of homes.splice(0)) await rm(home, { recursive: true, force: true });
});

async function homeWith(configText: string) {
  const home = await makeTempHome();
  homes.push(home);
  const file = join(home, 'config.json5');
  await writeFile(file, configText);
  // No D-Bus: auth mode none and a loopback provider need no keychain.
  return { home, file, env: childEnv(home, { DBUS_SESSION_BUS_ADDRESS: undefined }) };
}

const EXISTING = `{
  gateway: { auth: { mode: 'none' } },
  models: { providers: { ollama: { type: 'openai', baseUrl: 'http://127.0.0.1:11434/v1' } } },
  agents: {
    default: 'helper',
    list: [
      { id: 'main', model: { provider: 'ollama', name: 'llama3.2' } },
      { id: 'helper', model: { provider: 'ollama', name: 'phi' } },
    ],
  },
}
`;

const LOCAL2 = [
  'onboard',
  '--non-interactive',
  '--auth-mode',
  'none',
  '--provider',
  'ollama',
  '--provider-id',
  'local2',
  '--base-url',
  'http://localhost:8080/v1',
  '--model',
  'qwen',
];

describe('special-agent onboard on a home that is already set up', () => {
  it('refuses to re-point agent main without --force: exit 2 naming each change, config byte-identical', async () => {
    const { file, env } = await homeWith(EXISTING);
    const result = await runCli(LOCAL2, env);
    expectOneLineFailure(result, 2, /--force/);
    expect(result.stderr).toContain('agent "main" from ollama/llama3.2 to local2/qwen');
    expect(result.stderr).toContain('agents.default from "helper" to "main"');
    expect(await readFile(file, 'utf8')).toBe(EXISTING);
  });

  it('refuses to change an existing provider without --force, naming the field', async () => {
    const { file, env } = await homeWith(EXISTING);
    const result = await runCli(
      [...LOCAL2.slice(0, 6), '--base-url', 'http://127.0.0.1:9999/v1', '--model', 'llama3.2'],
      env,
    );
    expectOneLineFailure(
      result,
      2,
      /provider "ollama" baseUrl from http:\/\/127\.0\.0\.1:11434\/v1 to http:\/\/127\.0\.0\.1:9999\/v1/,
    );
    expect(await readFile(file, 'utf8')).toBe(EXISTING);
  });

  it('with --force applies the change and says what it was before', async () => {
    const { home, env } = await homeWith(EXISTING);
    const out = expectOk(await runCli([...LOCAL2, '--force'], env));
    expect(out).toContain('Agent: main → local2/qwen (default; was ollama/llama3.2)');
    const { config } = await loadConfig(resolvePaths({ SPECIAL_AGENT_HOME: home }));
    expect(config.agents).toEqual({
      default: 'main',
      list: [
        { id: 'main', model: { provider: 'local2', name: 'qwen' } },
        { id: 'helper', model: { provider: 'ollama', name: 'phi' } },
      ],
    });
  });

  it('with no keychain to store the new key in, writes nothing to the config either', async () => {
    const { file, env } = await homeWith('{}\n');
    const result = await runCli(
      [
        'onboard',
        '--non-interactive',
        '--auth-mode',
        'none',
        '--provider',
        'openai',
        '--api-key-stdin',
      ],
      env,
      'sk-new-key-0000000000\n',
    );
    expect(result.code, 'the exit of an onboarding with no keychain').not.toBe(0);
    expect(await readFile(file, 'utf8'), 'the config file afterwards').toBe('{}\n');
  });

  it('re-running the same onboarding changes nothing and needs no --force', async () => {
    const { file, env } = await homeWith(EXISTING.replace("default: 'helper'", "default: 'main'"));
    const before = await readFile(file, 'utf8');
    const out = expectOk(
      await runCli(
        ['onboard', '--non-interactive', '--auth-mode', 'none', '--provider', 'ollama'],
        env,
      ),
    );
    expect(await readFile(file, 'utf8')).toBe(before);
    expect(out).toContain(`Config unchanged: ${file}`);
    expect(out).not.toContain('Config written');
  });

  it('interactively asks before re-pointing agent main, and a "n" leaves the config as it was', async () => {
    const { file, env } = await homeWith(EXISTING);
    const answers = 'none\nollama\nlocal2\nhttp://localhost:8080/v1\nqwen\n';
    const declined = await runCli(['onboard'], env, `${answers}n\n`);
    expect(declined.stdout).toContain(
      'Onboarding would change agent "main" from ollama/llama3.2 to local2/qwen',
    );
    expectOneLineFailure(declined, 2, /the config was not changed \(declined: agent "main"/);
    expect(await readFile(file, 'utf8')).toBe(EXISTING);

    expectOk(await runCli(['onboard'], env, `${answers}y\n`));
    expect(await readFile(file, 'utf8')).toContain("provider: 'local2'");
  });
});
