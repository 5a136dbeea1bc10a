import type { NetworkInterfaceMap } from '../auth/client-address.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import type { AppPaths } from '../config/paths.js';
import {
  BindError,
  assertListenHostHere,
  bindIsLoopback,
  listenAddressesFor,
  reachableHostFor,
  listenHostFor,
} from '../gateway/listen-address.js';
import type { Config } from '../../shared/config-schema.js';
import type { ConfigOverrides } from './basics.js';

/** The config the gateway starts with, and where it listens. */
export interface StartConfig {
  readonly loaded: LoadedConfig;
  /** The file's config with the command-line overrides applied. */
  readonly config: Config;
  readonly host: string;
  readonly listenAddresses: string[];
  /** `host` as a URL shows it: `127.0.0.1` for `0.0.0.0`, brackets around IPv6. */
  readonly displayHost: string;
  /** Where another device reaches this gateway, as a URL shows it (`reachableHostFor`). */
  readonly reachableHost: string;
}

/** Reads the config file and refuses a bind the auth mode does not allow. */
export async function setupConfig(deps: {
  paths: AppPaths;
  overrides: ConfigOverrides | undefined;
  interfaces: () => NetworkInterfaceMap;
}): Promise<StartConfig> {
  const loaded = await loadConfig(deps.paths);
  const config = applyOverrides(loaded.config, deps.overrides);
  const { bind, auth } = config.gateway;
  if (auth.mode === 'none' && !bindIsLoopback(bind)) {
    throw new BindError(
      `gateway.auth.mode "none" is only allowed with gateway.bind "loopback" (bind is "${bind}"); ` +
        'use token mode: special-agent configure set gateway.auth.mode token',
    );
  }
  const interfaces = deps.interfaces();
  const host = listenHostFor(bind, interfaces);
  assertListenHostHere(host, interfaces);
  const listenAddresses = listenAddressesFor(host, interfaces);
  const displayHost = host === '0.0.0.0' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const reachableHost = reachableHostFor(host, listenAddresses);
  return { loaded, config, host, listenAddresses, displayHost, reachableHost };
}

/** `config` with `--port` / `--bind` applied (the same object when there are none). */
export function applyOverrides(config: Config, overrides: ConfigOverrides | undefined): Config {
  if (!overrides || (overrides.port === undefined && overrides.bind === undefined)) return config;
  return {
    ...config,
    gateway: {
      ...config.gateway,
      ...(overrides.port === undefined ? {} : { port: overrides.port }),
      ...(overrides.bind === undefined ? {} : { bind: overrides.bind }),
    },
  };
}
