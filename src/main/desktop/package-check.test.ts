import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Packs a bare copy of the project (built output faked, real keyring module) against a
// stub Electron, as `npm run package:check` does for the real build.
const REPO = resolve(import.meta.dirname, '../../..');
const PACK_TIMEOUT_MS = 120_000;

let project: string;
beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'special-agent-pack-'));
  await writeFile(
    join(project, 'package.json'),
    JSON.stringify({
      name: 'special-agent-desktop',
      productName: 'special-agent',
      version: '0.1.0',
      description: 'packaging test copy',
      private: true,
      type: 'module',
      main: 'dist/main/desktop/electron-main.js',
      dependencies: { '@napi-rs/keyring': '^2.1.2' },
    }),
  );
  await cp(join(REPO, 'electron-builder.yml'), join(project, 'electron-builder.yml'));
  await cp(join(REPO, 'scripts', 'after-pack.js'), join(project, 'scripts', 'after-pack.js'));
  await cp(join(REPO, 'assets'), join(project, 'assets'), { recursive: true });
  for (const pkg of ['keyring', 'keyring-linux-x64-gnu']) {
    await cp(
      join(REPO, 'node_modules', '@napi-rs', pkg),
      join(project, 'node_modules', '@napi-rs', pkg),
      {
        recursive: true,
      },
    );
  }
  const files: Record<string, string> = {
    'dist/main/desktop/electron-main.js': 'export {};\n',
    'dist/main/gateway-main.js': 'export {};\n',
    'dist/main/gateway-main.js.map': '{}',
    'dist/cli/main.js': 'export {};\n',
    'dist/renderer/index.html': '<!doctype html><title>special-agent</title>\n',
  };
  for (const [file, text] of Object.entries(files)) {
    await mkdir(join(project, file, '..'), { recursive: true });
    await writeFile(join(project, file), text);
  }
}, PACK_TIMEOUT_MS);

afterAll(async () => {
  await rm(project, { recursive: true, force: true });
});

function packageCheck(): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [
      join(REPO, 'scripts', 'package-check.js'),
      '--project',
      project,
    ]);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, output }));
  });
}

describe.skipIf(process.platform !== 'linux' || process.arch !== 'x64')('package:check', () => {
  it(
    'packs main, UI, CLI and assets into app.asar with the keyring binary unpacked',
    async () => {
      const { code, output } = await packageCheck();
      expect(output).toContain(
        'after-pack: special-agent is not a real Electron binary (no fuse wire); fuses not flipped',
      );
      expect(output).toMatch(
        /unpacked: app\.asar\.unpacked\/node_modules\/@napi-rs\/keyring-linux-x64-gnu\/keyring\.linux-x64-gnu\.node/,
      );
      expect(output).toMatch(/^ {2}dist +\d+ files/m);
      expect(output).toContain('package:check ok');
      expect(code).toBe(0);
    },
    PACK_TIMEOUT_MS,
  );

  it(
    'fails with a clear line when the Control UI is missing from the build',
    async () => {
      await rm(join(project, 'dist', 'renderer'), { recursive: true });
      const { code, output } = await packageCheck();
      expect(output).toContain(
        'package:check failed: app.asar does not contain the Control UI (dist/renderer/index.html)',
      );
      expect(output).not.toContain('package:check ok');
      expect(code).toBe(1);
    },
    PACK_TIMEOUT_MS,
  );
});
