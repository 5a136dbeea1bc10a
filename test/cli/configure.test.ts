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

async function homeWith(
  configText?: string,
): Promise<{ home: string; file: string; env: NodeJS.ProcessEnv }> {
  const home = await makeTempHome();
  homes.push(home);
  const file = join(home, 'config.json5');
  if (configText !== undefined) await writeFile(file, configText);
  // No D-Bus: these commands must not need the keychain.
  return { home, file, env: childEnv(home, { DBUS_SESSION_BUS_ADDRESS: undefined }) };
}

const COMMENTED = `// my settings
{
  gateway: {
    port: 18789, // the default port
    /* keep loopback */ bind: 'loopback',
  },
}
`;

describe('special-agent configure', () => {
  it('sets, gets and unsets plain values, keeping the comments of the file', async () => {
    const { file, env } = await homeWith(COMMENTED);
    expect(expectOk(await runCli(['configure', 'set', 'gateway.port', '19000'], env))).toBe(
      'Set gateway.port = 19000 (restart required)\n',
    );
    expect(
      expectOk(
        await runCli(['configure', 'set', 'gateway.pairing.autoApproveLocal', 'false'], env),
      ),
    ).toBe('Set gateway.pairing.autoApproveLocal = false\n');
    let text = await readFile(file, 'utf8');
    expect(text).toContain('// my settings');
    expect(text).toContain('port: 19000, // the default port');
    expect(text).toContain("/* keep loopback */ bind: 'loopback'");

    expect(expectOk(await runCli(['configure', 'get', 'gateway.port'], env))).toBe('19000\n');
    expect(
      JSON.parse(expectOk(await runCli(['configure', 'get', 'gateway.pairing', '--json'], env))),
    ).toEqual({
      path: 'gateway.pairing',
      config: { autoApproveLocal: false, pendingTtlSeconds: 300 },
    });

    expect(expectOk(await runCli(['configure', 'unset', 'gateway.port'], env))).toBe(
      'Unset gateway.port (restart required)\n',
    );
    text = await readFile(file, 'utf8');
    expect(text).not.toContain('port:');
    expect(text).toContain('// my settings');
    expect(expectOk(await runCli(['configure', 'get', 'gateway.port'], env))).toBe('18789\n');
    // A path that is not in the file (a typo) says so rather than "Unset".
    expect(expectOk(await runCli(['configure', 'unset', 'gateway.prot'], env))).toBe(
      'gateway.prot is not set in the config file (nothing changed)\n',
    );
  });

  it('prints the default gateway.port when there is no config file', async () => {
    const { env } = await homeWith();
    expect(expectOk(await runCli(['configure', 'get', 'gateway.port'], env))).toBe('18789\n');
  });

  it('reads a value given as - from stdin', async () => {
    const { env } = await homeWith();
    expectOk(
      await runCli(
        ['configure', 'set', 'gateway.allowedHosts', '-'],
        env,
        '["agent.example.com:443"]\n',
      ),
    );
    expect(
      JSON.parse(expectOk(await runCli(['configure', 'get', 'gateway.allowedHosts'], env))),
    ).toEqual(['agent.example.com:443']);
  });

  it('exits 78 with the one-line config error for an invalid file, and leaves it unchanged', async () => {
    const broken = '{ gateway: { port: "eighty" } }\n';
    const { file, env } = await homeWith(broken);
    expectOneLineFailure(
      await runCli(['configure', 'get', 'gateway.port'], env),
      78,
      /config\.json5:1:\d+: .*gateway\.port/,
    );
    expectOneLineFailure(
      await runCli(['configure', 'set', 'gateway.bind', 'lan'], env),
      78,
      /config\.json5/,
    );
    expect(await readFile(file, 'utf8')).toBe(broken);
  });

  it('exits 78 and writes nothing when an edit would make the config invalid', async () => {
    const { file, env } = await homeWith(COMMENTED);
    expectOneLineFailure(
      await runCli(['configure', 'set', 'gateway.port', '700000'], env),
      78,
      /gateway\.port.*refused/,
    );
    expect(await readFile(file, 'utf8')).toBe(COMMENTED);
  });

  it('refuses a network bind while auth mode is none (the gateway would not start), and writes nothing', async () => {
    const noAuth = '{\n  gateway: { auth: { mode: "none" } },\n}\n';
    const { file, env } = await homeWith(noAuth);
    for (const bind of ['lan', 'tailnet', '192.168.1.20']) {
      expectOneLineFailure(
        await runCli(['configure', 'set', 'gateway.bind', bind], env),
        78,
        /auth mode "none" is only allowed with gateway\.bind "loopback".*use gateway\.auth\.mode "token", or bind to loopback at gateway\.auth\.mode/,
      );
    }
    expect(await readFile(file, 'utf8')).toBe(noAuth);
    // A loopback address is a loopback bind.
    expectOk(await runCli(['configure', 'set', 'gateway.bind', '127.0.0.1'], env));
  });

  it('refuses an object whose secret is not a non-empty string, naming the path, and writes nothing', async () => {
    const { file, env } = await homeWith(COMMENTED);
    for (const apiKey of ['42', "''", "{nested: 'sk-nested-cli-1234'}", "['sk-listed-cli-1234']"]) {
      const result = await runCli(
        [
          'configure',
          'set',
          'models.providers.cloud',
          `{type: 'openai', baseUrl: 'https://api.example.com/v1', apiKey: ${apiKey}}`,
        ],
        env,
      );
      expectOneLineFailure(
        result,
        1,
        /models\.providers\.cloud\.apiKey must be a non-empty string/,
      );
      expect(result.stderr).not.toContain('sk-');
    }
    expectOneLineFailure(
      await runCli(['configure', 'set', 'gateway.auth', '{mode: "token", token: 7}'], env),
      1,
      /gateway\.auth\.token must be a non-empty string/,
    );
    expect(await readFile(file, 'utf8')).toBe(COMMENTED);
  });

  it('refuses a constructor or __proto__ key inside a value, and writes nothing', async () => {
    const { file, env } = await homeWith(COMMENTED);
    for (const key of ['constructor', '__proto__']) {
      expectOneLineFailure(
        await runCli(
          [
            'configure',
            'set',
            'models.providers',
            `{"${key}": {"type": "openai", "baseUrl": "https://api.example.com/v1"}}`,
          ],
          env,
        ),
        1,
        new RegExp(`"${key}" is not a setting name`),
      );
    }
    expect(await readFile(file, 'utf8')).toBe(COMMENTED);
  });

  it('says when a value is not set, and refuses an empty path segment as a usage error', async () => {
    const { env } = await homeWith();
    expectOneLineFailure(
      await runCli(['configure', 'get', 'models.providers.nope'], env),
      1,
      /models\.providers\.nope is not set/,
    );
    expectOneLineFailure(
      await runCli(['configure', 'get', 'gateway..port'], env),
      2,
      /invalid config path/,
    );
  });
});

describe('special-agent onboard', () => {
  it('with --auth-mode none --provider ollama writes a config that loads, with agent main as default', async () => {
    const { home, env } = await homeWith();
    const out = expectOk(
      await runCli(
        ['onboard', '--non-interactive', '--auth-mode', 'none', '--provider', 'ollama'],
        env,
      ),
    );
    expect(out).toContain('special-agent gateway run');
    expect(out).toContain('special-agent dashboard');
    const { config } = await loadConfig(resolvePaths({ SPECIAL_AGENT_HOME: home }));
    expect(config.gateway.auth.mode).toBe('none');
    expect(config.models.providers.ollama).toEqual({
      type: 'openai',
      baseUrl: 'http://127.0.0.1:11434/v1',
    });
    expect(config.agents).toEqual({
      default: 'main',
      list: [{ id: 'main', model: { provider: 'ollama', name: 'llama3.2' } }],
    });

    // The agent can run: a loopback provider needs no key, so auth-status exits 0 without a keychain.
    const status = await runCli(['models', 'auth-status'], env);
    expect(expectOk(status)).toMatch(
      /ollama\s+openai\s+http:\/\/127\.0\.0\.1:11434\/v1\s+none\s+-\s+not-required/,
    );
  });

  it('with --force points an existing main at the new provider on a second run, keeping the first provider', async () => {
    const { home, env } = await homeWith();
    expectOk(
      await runCli(
        ['onboard', '--non-interactive', '--auth-mode', 'none', '--provider', 'ollama'],
        env,
      ),
    );
    expectOk(
      await runCli(
        [
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
          '--force',
        ],
        env,
      ),
    );
    const { config } = await loadConfig(resolvePaths({ SPECIAL_AGENT_HOME: home }));
    expect(Object.keys(config.models.providers).sort()).toEqual(['local2', 'ollama']);
    expect(config.agents.list).toEqual([
      { id: 'main', model: { provider: 'local2', name: 'qwen' } },
    ]);
  });

  it('asks its questions one per line when answers are piped in', async () => {
    const { home, env } = await homeWith();
    const answers = 'none\nopenai\nmyai\nhttp://localhost:9999/v1\n\n';
    const out = expectOk(await runCli(['onboard'], env, answers));
    expect(out).toContain('Gateway auth mode [token/password/none] (token):');
    expect(out).toContain('Model (gpt-4o-mini):');
    const { config } = await loadConfig(resolvePaths({ SPECIAL_AGENT_HOME: home }));
    expect(config.models.providers.myai).toEqual({
      type: 'openai',
      baseUrl: 'http://localhost:9999/v1',
    });
    expect(config.agents.list).toEqual([
      { id: 'main', model: { provider: 'myai', name: 'gpt-4o-mini' } },
    ]);
  });

  it('refuses a provider id named like JavaScript object machinery as a usage error', async () => {
    const { file, env } = await homeWith();
    expectOneLineFailure(
      await runCli(
        [
          'onboard',
          '--non-interactive',
          '--auth-mode',
          'none',
          '--provider',
          'ollama',
          '--provider-id',
          'constructor',
        ],
        env,
      ),
      2,
      /invalid provider id "constructor"/,
    );
    await expect(readFile(file, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses provider flags without --provider as a usage error', async () => {
    const { env } = await homeWith();
    expectOneLineFailure(
      await runCli(['onboard', '--non-interactive', '--model', 'x'], env),
      2,
      /need --provider/,
    );
  });
});

describe('special-agent models auth-status without credentials', () => {
  it("exits 1 naming the provider and the fix when an agent's remote provider has no key", async () => {
    const config = {
      models: {
        providers: { 'remote-x1': { type: 'openai', baseUrl: 'https://api.example.com/v1' } },
      },
      agents: { list: [{ id: 'main', model: { provider: 'remote-x1', name: 'm' } }] },
    };
    const { env } = await homeWith(JSON.stringify(config));
    const result = await runCli(['models', 'auth-status'], {
      ...env,
      REMOTE_X1_API_KEY: undefined,
    });
    expect(result.stdout).toMatch(
      /remote-x1\s+openai\s+https:\/\/api\.example\.com\/v1\s+none\s+-\s+missing/,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^special-agent: No credentials found for provider "remote-x1" \(fix: special-agent configure set models\.providers\.remote-x1\.apiKey -\)/,
    );
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
