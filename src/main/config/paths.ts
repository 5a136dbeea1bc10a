import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

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
}

export function resolvePaths(env: NodeJS.ProcessEnv = process.env): AppPaths {
  const home = resolve(env.SPECIAL_AGENT_HOME || join(homedir(), '.special-agent'));
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
  };
}
