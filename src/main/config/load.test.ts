import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load.js';
import { resolvePaths, type AppPaths } from './paths.js';

const GOOD = `// my config
{
  gateway: {
    port: 18789,
    bind: 'loopback',
    auth: { mode: 'token' },
  },
  models: {
    providers: {
      ollama: { type: "openai", baseUrl: 'http://localhost:11434/v1' },
    },
  },
  agents: {
    default: 'main',
    list: [
      { id: 'main', model: { provider: 'ollama', name: 'llama3.2' } },
    ],
  },
}
`;

let home: string;
let paths: AppPaths;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'sa-config-load-'));
  paths = resolvePaths({ SPECIAL_AGENT_HOME: home });
});

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

/** Writes `text`, expects loading to fail, and checks the file was left byte-for-byte alone. */
async function loadError(text: string): Promise<ConfigError> {
  await writeFile(paths.config, text);
  const before = await sha256(paths.config);
  const error = await loadConfig(paths).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  expect(await sha256(paths.config)).toBe(before);
  return error as ConfigError;
}

describe('loadConfig', () => {
  it('runs on defaults when there is no file: loopback, 18789, token', async () => {
    const loaded = await loadConfig(paths);
    expect(loaded.exists).toBe(false);
    expect(loaded.text).toBeUndefined();
    expect(loaded.config.gateway).toMatchObject({
      port: 18789,
      bind: 'loopback',
      auth: { mode: 'token' },
    });
  });

  it('reads a hand-written JSON5 file', async () => {
    await writeFile(paths.config, GOOD);
    const loaded = await loadConfig(paths);
    expect(loaded).toMatchObject({ exists: true, text: GOOD });
    expect(loaded.config.agents.list[0]?.model.provider).toBe('ollama');
    expect(loaded.config.gateway.pairing.pendingTtlSeconds).toBe(300);
  });

  it('treats a blank file as an empty config', async () => {
    await writeFile(paths.config, '\n  \n');
    expect((await loadConfig(paths)).config.gateway.port).toBe(18789);
  });

  it('names config.json5:line:column for a syntax error and leaves the file alone', async () => {
    const error = await loadError(GOOD.replace("bind: 'loopback',", "bind: 'loopback',,"));
    expect(error.message).toContain('config.json5:5:22:');
    expect(error.message).toContain("invalid character ','");
    expect(error.message).toContain('fix the file (it was not changed)');
    expect(error.message).not.toContain('\n');
    expect(error).toMatchObject({ exitCode: 78, line: 5, column: 22, file: paths.config });
    expect(error.configPath).toBeUndefined();
  });

  it('points at the value for a wrong type deep inside', async () => {
    const error = await loadError(GOOD.replace("name: 'llama3.2'", 'name: 42'));
    expect(error.message).toContain('config.json5:16:56:');
    expect(error.message).toContain('at agents.list.0.model.name');
    expect(error.message).toMatch(/expected string/);
    expect(error).toMatchObject({ line: 16, column: 56, configPath: 'agents.list.0.model.name' });
  });

  it('points at the key for an unknown key', async () => {
    const error = await loadError(GOOD.replace('    auth:', '    pairng: {},\n    auth:'));
    expect(error.message).toContain('config.json5:6:5: unknown key "pairng" at gateway.pairng');
    expect(error.configPath).toBe('gateway.pairng');
  });

  it('points at the provider of an agent that uses a missing provider', async () => {
    const error = await loadError(GOOD.replace("provider: 'ollama'", "provider: 'openai'"));
    expect(error.message).toContain('config.json5:16:40:');
    expect(error.message).toContain('provider "openai", which is not in models.providers');
    expect(error.configPath).toBe('agents.list.0.model.provider');
  });

  it('points at the parent object for a missing key', async () => {
    const error = await loadError(GOOD.replace('type: "openai", ', ''));
    expect(error.message).toContain('config.json5:10:15: missing key "type"');
    expect(error.configPath).toBe('models.providers.ollama.type');
  });

  it('reports a file it cannot read with the OS reason', async () => {
    await mkdir(paths.config);
    const error = await loadConfig(paths).then(
      () => undefined,
      (e: unknown) => e as ConfigError,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toContain('EISDIR');
    expect(error?.exitCode).toBe(78);
  });

  it('maps to the CONFIG_INVALID wire error', async () => {
    const error = await loadError('{ gateway: { port: "x" } }');
    expect(error.toGatewayError().toWire()).toMatchObject({
      code: 'INVALID_REQUEST',
      details: { code: 'CONFIG_INVALID', path: 'gateway.port', line: 1, column: 20 },
    });
  });
});

describe('loadConfig names the cause, not only the symptom', () => {
  it('names the line of a `{` a missing `}` left open, where the parser only trips later', async () => {
    const text =
      "{\n  gateway: {\n    port: 18789,\n    auth: { mode: 'token',\n  }\n  models: {},\n}\n";
    const error = await loadError(text);
    expect(error.message).toContain("config.json5:6:3: invalid character 'm'");
    expect(error.message).toContain('(the `{` opened at 4:11 is not closed)');
    expect(error).toMatchObject({ line: 6, column: 3 });
  });

  it('names the unclosed `{` when the file ends too early', async () => {
    const error = await loadError(
      GOOD.replace("auth: { mode: 'token' },", "auth: { mode: 'token',"),
    );
    expect(error.message).toContain('invalid end of input');
    expect(error.message).toContain('(the `{` opened at 6:11 is not closed)');
    const noEnd = await loadError('{\n  gateway: { port: 1 },\n');
    expect(noEnd.message).toContain('(the `{` opened at 1:1 is not closed)');
  });

  it('names an unclosed `[` too', async () => {
    const error = await loadError(
      "{\n  gateway: {\n    allowedHosts: ['a.example:443',\n  },\n}\n",
    );
    expect(error.message).toContain('(the `[` opened at 3:19 is not closed)');
  });

  it('adds no bracket note to a missing comma inside a line', async () => {
    const error = await loadError("{\n  gateway: {\n    port: 18789  bind: 'loopback',\n  },\n}\n");
    expect(error.message).toContain("config.json5:3:18: invalid character 'b'");
    expect(error.message).not.toContain('is not closed');
  });

  it('lists every schema problem with its line:column and dotted path', async () => {
    const text = GOOD.replace('port: 18789', 'port: "x"')
      .replace('    auth:', '    pairng: {},\n    auth:')
      .replace("name: 'llama3.2'", 'name: 42');
    const error = await loadError(text);
    expect(error.message).toContain('config.json5:4:11: ');
    expect(error.message).toContain('at gateway.port');
    expect(error.message).toContain('6:5: unknown key "pairng" at gateway.pairng');
    expect(error.message).toMatch(
      /17:56: [^;]*expected string[^;]* at agents\.list\.0\.model\.name/,
    );
    expect(error.message).toContain('3 problems');
    expect(error.message).not.toContain('\n');
    expect(error.issues.map((issue) => issue.configPath)).toEqual([
      'gateway.port',
      'gateway.pairng',
      'agents.list.0.model.name',
    ]);
    expect(error).toMatchObject({ line: 4, column: 11, configPath: 'gateway.port' });
  });

  it('lists at most 10 problems and says how many more there are', async () => {
    const keys = Array.from({ length: 12 }, (_, i) => `  extra${i}: ${i},`).join('\n');
    const error = await loadError(`{\n${keys}\n}\n`);
    for (let i = 0; i < 10; i++) expect(error.message).toContain(`unknown key "extra${i}"`);
    expect(error.message).not.toContain('extra10');
    expect(error.message).toContain('and 2 more');
    expect(error.issues).toHaveLength(12);
  });
});
