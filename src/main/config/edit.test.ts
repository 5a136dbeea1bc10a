import { createHash } from 'node:crypto';
import {
  chmod,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEMP_FILE_MARKER } from '../fs/atomic-file.js';
import { ConfigEditor, parseCliValue, parseConfigPath, restartRequiredFor } from './edit.js';
import { ConfigError, loadConfig } from './load.js';
import { resolvePaths, type AppPaths } from './paths.js';

const FILE = `// special-agent — my settings
{
  gateway: {
    port: 18789, // restart after changing
    bind: 'loopback',
    auth: { mode: 'token' },
    trustedProxies: [],
  },
  models: {
    providers: {
      /* runs on this machine */
      ollama: { type: "openai", baseUrl: 'http://localhost:11434/v1' },
    },
  },
  agents: {
    list: [
      { id: 'main', model: { provider: 'ollama' } },
    ],
  },
}
`;

let root: string;
let paths: AppPaths;
let editor: ConfigEditor;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'sa-config-edit-'));
  paths = resolvePaths({ SPECIAL_AGENT_HOME: join(root, 'home') });
  editor = new ConfigEditor({ paths });
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const read = () => readFile(paths.config, 'utf8');
const sha256 = async () =>
  createHash('sha256')
    .update(await readFile(paths.config))
    .digest('hex');
const rejection = <T>(promise: Promise<T>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e as ConfigError,
  );

async function writeFixture(mode = 0o644): Promise<void> {
  await mkdir(paths.home, { recursive: true, mode: 0o700 });
  await writeFile(paths.config, FILE);
  await chmod(paths.config, mode);
}

describe('ConfigEditor', () => {
  it('round-trips set, replace, add and unset keeping every other byte', async () => {
    await writeFixture();
    let expected = FILE;

    const port = await editor.set('gateway.port', 19000);
    expected = expected.replace('port: 18789,', 'port: 19000,');
    expect(await read()).toBe(expected);
    expect(port).toMatchObject({ path: 'gateway.port', restartRequired: true });
    expect(port.config.gateway.port).toBe(19000);

    const bind = await editor.set('gateway.bind', '127.0.0.1');
    expected = expected.replace("bind: 'loopback'", "bind: '127.0.0.1'");
    expect(await read()).toBe(expected);
    expect(bind.restartRequired).toBe(true);

    const ttl = await editor.set('gateway.pairing.pendingTtlSeconds', 60);
    expected = expected.replace(
      '    trustedProxies: [],\n',
      '    trustedProxies: [],\n    pairing: {\n      pendingTtlSeconds: 60,\n    },\n',
    );
    expect(await read()).toBe(expected);
    expect(ttl).toMatchObject({
      path: 'gateway.pairing.pendingTtlSeconds',
      restartRequired: false,
    });

    await editor.set('agents.list[0].name', 'Main agent');
    expected = expected.replace(
      "{ id: 'main', model: { provider: 'ollama' } }",
      "{ id: 'main', model: { provider: 'ollama' }, name: 'Main agent' }",
    );
    expect(await read()).toBe(expected);

    const unset = await editor.unset('gateway.port');
    expected = expected.replace('    port: 19000, // restart after changing\n', '');
    expect(await read()).toBe(expected);
    expect(unset).toMatchObject({ path: 'gateway.port', restartRequired: true });
    expect(unset.config.gateway.port).toBe(18789);

    expect(await read()).toContain('/* runs on this machine */');
    expect((await loadConfig(paths)).config.agents.list[0]?.name).toBe('Main agent');
  });

  it('refuses an edit whose result is invalid and leaves the file untouched', async () => {
    await writeFixture();
    const before = await sha256();
    const error = await rejection(editor.set('agents.list.0.model.provider', 'openai'));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.configPath).toBe('agents.list.0.model.provider');
    expect(error?.message).toContain('the edit was refused (the file was not changed)');
    expect(error?.toGatewayError().toWire().details).toMatchObject({ code: 'CONFIG_INVALID' });

    const typo = await rejection(editor.set('gateway.prot', 1));
    expect(typo?.message).toContain('unknown key "prot" at gateway.prot');
    const wrongType = await rejection(editor.set('gateway.port', 'eighty'));
    expect(wrongType?.configPath).toBe('gateway.port');
    const pastEnd = await rejection(editor.set('agents.list.3', { id: 'x' }));
    expect(pastEnd?.message).toContain('agents.list has 1 items');
    expect(await sha256()).toBe(before);
    expect((await readdir(paths.home)).filter((f) => f.startsWith(TEMP_FILE_MARKER))).toEqual([]);
  });

  it('refuses to edit an invalid file and never rewrites it', async () => {
    await writeFixture();
    await writeFile(paths.config, FILE.replace("bind: 'loopback',", "bind: 'loopback',,"));
    const before = await sha256();
    const error = await rejection(editor.set('gateway.port', 1));
    expect(error?.message).toContain('config.json5:5:22:');
    expect(error?.message).toContain('fix the file (it was not changed)');
    expect(await sha256()).toBe(before);
  });

  it('creates a missing file 0600 in a new home folder 0700', async () => {
    const result = await editor.set('gateway.auth.mode', 'password');
    expect(result).toMatchObject({ path: 'gateway.auth.mode', restartRequired: false });
    expect(await read()).toBe(
      '{\n  gateway: {\n    auth: {\n      mode: "password",\n    },\n  },\n}\n',
    );
    expect((await stat(paths.config)).mode & 0o777).toBe(0o600);
    expect((await stat(paths.home)).mode & 0o777).toBe(0o700);
  });

  it('keeps the mode of an existing file and writes through a symlink', async () => {
    await writeFixture(0o640);
    const real = join(root, 'dotfiles-config.json5');
    await writeFile(real, FILE);
    await chmod(real, 0o640);
    await rm(paths.config);
    await symlink(real, paths.config);
    await editor.set('gateway.port', 20000);
    expect((await readFile(real, 'utf8')).includes('port: 20000,')).toBe(true);
    expect((await stat(real)).mode & 0o777).toBe(0o640);
    expect(await readFile(paths.config, 'utf8')).toBe(await readFile(real, 'utf8'));
  });

  it('applies several edits in one write: secret moved out of the file', async () => {
    await writeFixture();
    await writeFile(
      paths.config,
      FILE.replace("baseUrl: 'http", "apiKey: 'sk-plain', baseUrl: 'http"),
    );
    const result = await editor.applyEdits([
      { path: 'models.providers.ollama.apiKey', unset: true },
      { path: 'models.providers.ollama.models', value: ['llama3.2'] },
    ]);
    expect(result.paths).toEqual([
      'models.providers.ollama.apiKey',
      'models.providers.ollama.models',
    ]);
    expect(result.changedPaths).toEqual([
      'models.providers.ollama.apiKey',
      'models.providers.ollama.models.0',
    ]);
    expect(await read()).not.toContain('sk-plain');
    expect(await read()).toBe(
      FILE.replace(
        "baseUrl: 'http://localhost:11434/v1' }",
        "baseUrl: 'http://localhost:11434/v1', models: ['llama3.2'] }",
      ),
    );
  });

  it('serialises concurrent edits so none is lost', async () => {
    await writeFixture();
    await Promise.all([
      editor.set('gateway.allowedHosts', ['a.test:18789']),
      editor.set('gateway.pairing.autoApproveLocal', false),
      editor.set('agents.default', 'main'),
    ]);
    const { config } = await loadConfig(paths);
    expect(config.gateway.allowedHosts).toEqual(['a.test:18789']);
    expect(config.gateway.pairing.autoApproveLocal).toBe(false);
    expect(config.agents.default).toBe('main');
  });
});

describe('path and value helpers', () => {
  it('parses dotted and bracket paths', () => {
    expect(parseConfigPath('gateway.auth.mode')).toEqual(['gateway', 'auth', 'mode']);
    expect(parseConfigPath('agents.list.0.model.provider')).toEqual([
      'agents',
      'list',
      0,
      'model',
      'provider',
    ]);
    expect(parseConfigPath('agents.list[0].id')).toEqual(['agents', 'list', 0, 'id']);
    expect(() => parseConfigPath('gateway..port')).toThrow(/invalid config path/);
  });

  it('reads CLI values as JSON5 when they parse', () => {
    expect(parseCliValue('18789')).toBe(18789);
    expect(parseCliValue('false')).toBe(false);
    expect(parseCliValue("{type: 'openai'}")).toEqual({ type: 'openai' });
    expect(parseCliValue('loopback')).toBe('loopback');
  });

  it('knows which settings need a restart', () => {
    expect(restartRequiredFor(['gateway.port'])).toBe(true);
    expect(restartRequiredFor(['gateway.pairing.pendingTtlSeconds', 'gateway.bind'])).toBe(true);
    expect(restartRequiredFor(['gateway'])).toBe(true);
    expect(restartRequiredFor(['gateway.portal', 'gateway.auth.mode'])).toBe(false);
  });
});
