import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { locateElectronBinary } from './electron-binary.js';

const REPO = resolve(import.meta.dirname, '../../..');
const SCRIPT = join(REPO, 'scripts', 'start-electron.js');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'special-agent-electron-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function runStart(
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [SCRIPT], { env: { ...process.env, ...env }, cwd: REPO });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** A stand-in Electron: records its arguments and exits 3. */
async function fakeElectron(): Promise<string> {
  const binary = join(dir, 'electron');
  await writeFile(binary, `#!/bin/sh\nprintf '%s\\n' "$@" > "${join(dir, 'args.txt')}"\nexit 3\n`);
  await chmod(binary, 0o755);
  return binary;
}

describe('npm start without an Electron binary', () => {
  it('prints one line pointing to npm run gateway and exits 1', async () => {
    const result = await runStart({ ELECTRON_OVERRIDE_DIST_PATH: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'Electron binary not installed (npm ci downloads it on a machine with internet access); run the headless gateway instead: npm run gateway\n',
    );
    expect(locateElectronBinary({ env: { ELECTRON_OVERRIDE_DIST_PATH: dir } })).toBeUndefined();
  });
});

describe('npm start with an Electron binary', () => {
  it('launches it on the app folder and passes its exit code through', async () => {
    const binary = await fakeElectron();
    expect(locateElectronBinary({ env: { ELECTRON_OVERRIDE_DIST_PATH: dir } })).toBe(binary);
    const result = await runStart({ ELECTRON_OVERRIDE_DIST_PATH: dir });
    expect(result.code).toBe(3);
    expect((await readFile(join(dir, 'args.txt'), 'utf8')).trim()).toBe(REPO);
  });
});
