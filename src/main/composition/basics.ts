import type { NetworkInterfaceMap } from '../auth/client-address.js';
import type { AppPaths } from '../config/paths.js';
import type { GatewayLimits } from '../gateway/limits.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { LogSecrets } from './log-secrets.js';

/** `--port` / `--bind` from the command line; they win over the config file. */
export interface ConfigOverrides {
  port?: number | undefined;
  bind?: string | undefined;
}

/** What every step may read: the caller's options resolved to their defaults. */
export interface AppBasics {
  readonly env: NodeJS.ProcessEnv;
  readonly clock: Clock;
  readonly limits: GatewayLimits;
  readonly paths: AppPaths;
  /** Scrubs `logSecrets` from every line before the entry's logger sees it. */
  readonly logger: Logger;
  readonly logSecrets: LogSecrets;
  readonly overrides: ConfigOverrides | undefined;
  readonly interfaces: () => NetworkInterfaceMap;
}
