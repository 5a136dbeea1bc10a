#!/usr/bin/env node
// `npm start` (after the build): open the tray app with the real Electron binary, or say in
// one line why it cannot. Electron 45's `require('electron')` downloads a missing binary as
// a side effect, which offline prints a stack trace; so the binary is located the way that
// require does (path.txt, ELECTRON_OVERRIDE_DIST_PATH) without triggering the download.
// The same rules, in TypeScript, are src/main/desktop/electron-binary.ts.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const MISSING =
  'Electron binary not installed (npm ci downloads it on a machine with internet access); run the headless gateway instead: npm run gateway';

function locateElectron(env) {
  let packageDir;
  try {
    packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return undefined;
  }
  const pathFile = join(packageDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  let binary;
  if (env.ELECTRON_OVERRIDE_DIST_PATH)
    binary = join(env.ELECTRON_OVERRIDE_DIST_PATH, relative || 'electron');
  else if (relative) binary = join(packageDir, 'dist', relative);
  return binary && existsSync(binary) ? binary : undefined;
}

const binary = locateElectron(process.env);
if (!binary) {
  console.error(MISSING);
  process.exit(1);
}

const child = spawn(binary, [APP_DIR, ...process.argv.slice(2)], { stdio: 'inherit' });
// Ctrl-C in the terminal stops the app the same way a tray Quit does.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
child.on('error', (error) => {
  console.error(`Could not start Electron (${binary}): ${error.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  process.exit(code ?? (signal ? 1 : 0));
});
