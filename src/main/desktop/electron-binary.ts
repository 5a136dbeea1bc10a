/**
 * Finds the Electron executable the way `require('electron')` does, but without its side
 * effect: since Electron 45 that require downloads the binary when it is missing, which
 * on an offline machine prints a stack trace instead of one clear line. Used by the e2e
 * spec to skip; scripts/start-electron.js applies the same rules in plain JS.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface ElectronBinaryProbe {
  env?: NodeJS.ProcessEnv;
  /** Folder of the `electron` npm package; resolved from this module when omitted. */
  packageDir?: string;
}

/** Absolute path of a present Electron executable, or undefined when there is none. */
export function locateElectronBinary(probe: ElectronBinaryProbe = {}): string | undefined {
  const env = probe.env ?? process.env;
  let packageDir = probe.packageDir;
  if (packageDir === undefined) {
    try {
      packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    } catch {
      return undefined;
    }
  }
  const pathFile = join(packageDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  const binary = override
    ? join(override, relative || 'electron')
    : relative
      ? join(packageDir, 'dist', relative)
      : undefined;
  return binary !== undefined && existsSync(binary) ? binary : undefined;
}
