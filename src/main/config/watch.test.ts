import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OUTCOME_WAIT_MS, within } from '../../../test/helpers/within.js';
import { writeFileAtomic } from '../fs/atomic-file.js';
import { configHash } from './config-hash.js';
import { ConfigEditor } from './edit.js';
import { ConfigError, loadConfig } from './load.js';
import { resolvePaths, type AppPaths } from './paths.js';
import { announceSecretsChanged } from './secrets-changed.js';
import { ConfigWatcher, diffPaths, type ConfigChange } from './watch.js';

const FILE = `{
  // the gateway
  gateway: { port: 18789, auth: { mode: 'token' } },
  models: { providers: { ollama: { type: 'openai', baseUrl: 'http://localhost:11434/v1' } } },
  agents: { list: [{ id: 'main', model: { provider: 'ollama' } }] },
}
`;

let home: string;
let paths: AppPaths;
let watcher: ConfigWatcher | undefined;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'sa-config-watch-'));
  paths = resolvePaths({ SPECIAL_AGENT_HOME: home });
  await mkdir(home, { recursive: true });
  await writeFile(paths.config, FILE);
});

afterEach(async () => {
  watcher?.close();
  watcher = undefined;
  await rm(home, { recursive: true, force: true });
});

async function startWatcher(debounceMs = 20): Promise<ConfigWatcher> {
  const { config, hash } = await loadConfig(paths);
  watcher = new ConfigWatcher({ paths, initial: config, initialHash: hash, debounceMs });
  watcher.start();
  return watcher;
}

describe('ConfigWatcher', () => {
  it('emits the changed paths after an atomic external write', async () => {
    const w = await startWatcher();
    const changed = once(w, 'change') as Promise<[ConfigChange]>;
    const edited = FILE.replace("mode: 'token'", "mode: 'password'").replace(
      "{ provider: 'ollama' }",
      "{ provider: 'ollama', name: 'llama3.2' }",
    );
    await writeFileAtomic(paths.config, edited);
    const [change] = await changed;
    expect(change.changedPaths).toEqual(['agents.list.0.model.name', 'gateway.auth.mode']);
    expect(change.config.gateway.auth.mode).toBe('password');
    expect(w.current().gateway.auth.mode).toBe('password');
  });

  it('reports a broken file and keeps running on the previous config', async () => {
    const w = await startWatcher();
    const invalid = once(w, 'invalid') as Promise<[ConfigError]>;
    await writeFileAtomic(paths.config, FILE.replace('port: 18789', 'port: 18789,,'));
    const [error] = await invalid;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('config.json5:3:26:');
    expect(w.current().gateway.port).toBe(18789);
    expect(w.current().gateway.auth.mode).toBe('token');

    // Fixing the file brings the watcher back, with the fix applied.
    const valid = once(w, 'valid');
    const changed = once(w, 'change') as Promise<[ConfigChange]>;
    await writeFileAtomic(paths.config, FILE.replace('port: 18789', 'port: 18790'));
    await valid;
    const [change] = await changed;
    expect(change.changedPaths).toEqual(['gateway.port']);
    expect(w.current().gateway.port).toBe(18790);
  });

  it('picks up the gateway’s own edit at once with reload()', async () => {
    // A debounce far longer than the test: only reload() can deliver the change.
    const w = await startWatcher(60_000);
    const changes: ConfigChange[] = [];
    w.on('change', (change) => changes.push(change));
    await new ConfigEditor({ paths }).set('gateway.pairing.autoApproveLocal', false);
    await w.reload();
    expect(changes.map((c) => c.changedPaths)).toEqual([['gateway.pairing.autoApproveLocal']]);
    expect(w.current().gateway.pairing.autoApproveLocal).toBe(false);
    await w.reload();
    expect(changes).toHaveLength(1);
  });

  it('keeps hash() on the bytes it read: a comment-only edit moves it, a broken file does not', async () => {
    const w = await startWatcher(60_000);
    expect(w.hash(), 'hash at start').toBe(configHash(FILE));
    const commented = FILE.replace('// the gateway', '// the gateway, edited');
    await writeFileAtomic(paths.config, commented);
    await w.reload();
    expect(w.hash(), 'hash after a comment-only edit').toBe(configHash(commented));
    await writeFileAtomic(paths.config, '{ broken');
    await w.reload();
    expect(w.hash(), 'hash while the file is broken').toBe(configHash(commented));
  });

  it('emits secrets when the CLI announces a keychain change', async () => {
    const w = await startWatcher();
    const announced = once(w, 'secrets');
    await announceSecretsChanged(paths, Date.now());
    await within(OUTCOME_WAIT_MS, announced, 'the watcher’s secrets event');
  });

  it('falls back to defaults when the file is deleted', async () => {
    await writeFile(paths.config, FILE.replace('port: 18789', 'port: 18800'));
    const w = await startWatcher();
    const changed = once(w, 'change') as Promise<[ConfigChange]>;
    await rm(paths.config);
    const [change] = await changed;
    expect(change.changedPaths).toContain('gateway.port');
    expect(w.current().gateway.port).toBe(18789);
  });
});

describe('diffPaths', () => {
  it('lists differing leaf paths, sorted, including added and removed ones', () => {
    expect(
      diffPaths(
        { gateway: { port: 1, trustedProxies: [] }, agents: { list: [{ id: 'a' }] } },
        { gateway: { port: 2, trustedProxies: ['::1'] }, agents: { list: [] }, models: {} },
      ),
    ).toEqual(['agents.list.0.id', 'gateway.port', 'gateway.trustedProxies.0', 'models']);
    expect(diffPaths({ a: { b: 1 } }, { a: { b: 1 } })).toEqual([]);
  });
});
