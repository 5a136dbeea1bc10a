import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateFileCorruptError, StateFileError } from '../fs/json-state-file.js';
import { ProfileStateStore, profileStatePath } from './profile-state-store.js';

let stateDir: string;
const clock = { now: () => Date.UTC(2025, 0, 31, 12) };
beforeEach(async () => {
  stateDir = join(await mkdtemp(join(tmpdir(), 'sa-profiles-')), 'state');
});
afterEach(async () => rm(join(stateDir, '..'), { recursive: true, force: true }));

describe('ProfileStateStore', () => {
  it('saves every change to auth-profiles.json (0600) and loads it again after a restart', async () => {
    const store = await ProfileStateStore.open(stateDir, { clock });
    await store.update('openai', 'work', () => ({ cooldownUntilMs: 99, failures: 1 }));
    await store.update('constructor', 'default', () => ({ lastUsedAtMs: 5 }));
    const file = profileStatePath(stateDir);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const again = await ProfileStateStore.open(stateDir, { clock });
    expect(again.get('openai', 'work')).toEqual({ cooldownUntilMs: 99, failures: 1 });
    expect(again.get('constructor', 'default')).toEqual({ lastUsedAtMs: 5 });
    expect(again.get('openai', 'other')).toBeUndefined();
    expect(again.keySalt).toBe(store.keySalt);
  });

  it('moves a corrupt file aside and refuses to start, also on the next start', async () => {
    await ProfileStateStore.open(stateDir, { clock }).then((s) => s.update('p', 'a', () => ({})));
    await writeFile(profileStatePath(stateDir), '{"version":1,"keySalt":');
    const error = await ProfileStateStore.open(stateDir, { clock }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateFileCorruptError);
    expect(error).toMatchObject({ exitCode: 78 });
    const { movedTo, message } = error as StateFileCorruptError;
    expect(message).toMatch(
      /the auth profile state .*auth-profiles\.json is corrupt \(invalid JSON/,
    );
    expect(message).toContain('to start with every auth profile ready');
    expect(await readFile(movedTo, 'utf8')).toBe('{"version":1,"keySalt":');
    await expect(ProfileStateStore.open(stateDir, { clock })).rejects.toBeInstanceOf(
      StateFileCorruptError,
    );
    expect((await readdir(stateDir)).filter((name) => name.includes('corrupt'))).toHaveLength(1);
  });

  it('refuses a schema mismatch naming the field, and a newer format without moving it', async () => {
    await ProfileStateStore.open(stateDir, { clock }).then((s) => s.update('p', 'a', () => ({})));
    const file = profileStatePath(stateDir);
    const good = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...good, version: 2 }));
    await expect(ProfileStateStore.open(stateDir, { clock })).rejects.toThrow(
      /format version 2, newer/,
    );
    expect(await readFile(file, 'utf8')).toContain('"version":2');
    await writeFile(file, JSON.stringify({ ...good, providers: { p: { a: { failures: -1 } } } }));
    await expect(ProfileStateStore.open(stateDir, { clock })).rejects.toThrow(
      /providers\.p\.a\.failures/,
    );
  });

  it('reads a corrupt file for showing without moving it, with a clear error', async () => {
    await ProfileStateStore.open(stateDir, { clock }).then((s) => s.update('p', 'a', () => ({})));
    await writeFile(profileStatePath(stateDir), 'not json');
    const error = await ProfileStateStore.readOnly(stateDir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateFileError);
    expect((error as Error).message).toMatch(/start the gateway to move it aside, or delete it/);
    expect(await readFile(profileStatePath(stateDir), 'utf8')).toBe('not json');
  });
});
