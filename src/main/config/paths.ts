import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

/** Every file location of DESIGN.md "Files and environment", resolved once per process. */
export interface AppPaths {
  home: string;
  config: string;
  stateDir: string;
  devices: string;
  sessionsDir: string;
  identityDir: string;
  cliIdentity: string;
  gatewayLock: string;
  /** Rewritten by the CLI after it changed a keychain entry, which no config file event shows. */
  secretsChanged: string;
}

/** The home used when `SPECIAL_AGENT_HOME` is unset: `<os home>/.special-agent`. */
export function defaultHomeDir(osHome: string = homedir()): string {
  return join(osHome, '.special-agent');
}

/** Resolves every location from the environment (`SPECIAL_AGENT_HOME`, `SPECIAL_AGENT_CONFIG`). */
export function resolvePaths(env: NodeJS.ProcessEnv = process.env): AppPaths {
  const home = resolve(env.SPECIAL_AGENT_HOME || defaultHomeDir());
  const stateDir = join(home, 'state');
  const identityDir = join(home, 'identity');
  return {
    home,
    config: resolve(env.SPECIAL_AGENT_CONFIG || join(home, 'config.json5')),
    stateDir,
    devices: join(stateDir, 'devices.json'),
    sessionsDir: join(stateDir, 'sessions'),
    identityDir,
    cliIdentity: join(identityDir, 'cli-device.json'),
    gatewayLock: join(stateDir, 'gateway.lock'),
    secretsChanged: join(stateDir, 'secrets-changed'),
  };
}

/**
 * The canonical form of `path`, also for a folder not created yet: the nearest existing
 * ancestor is resolved (symlinks, and on macOS and Windows the letter case) and the missing
 * rest appended as given, so the answer is the same before and after the folder is created.
 * Errors other than "does not exist" (e.g. EACCES) are thrown: guessing could name a
 * different folder than the one the app will use.
 */
export function realPathOrPlanned(path: string): string {
  const absolute = resolve(path);
  const missing: string[] = [];
  let current = absolute;
  for (;;) {
    try {
      return join(realpathSync.native(current), ...missing);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
    }
    const parent = dirname(current);
    // A root that does not exist (a missing Windows drive): nothing to resolve against.
    if (parent === current) return absolute;
    missing.unshift(basename(current));
    current = parent;
  }
}
