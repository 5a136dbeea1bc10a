import { ConfigEditor } from '../config/edit.js';
import { ConfigWatcher } from '../config/watch.js';
import { prepareGatewayTls, tlsStatusOf } from '../gateway/tls-setting.js';
import { GatewayAuthState } from '../gateway/gateway-auth-state.js';
import { keychainForHome, type SecretStore } from '../secrets/keychain.js';
import { SecretsService } from '../secrets/secrets-service.js';
import type { GatewayCertificate } from '../tls/certificate-info.js';
import type { Config } from '../../shared/config-schema.js';
import type { StatusTls } from '../../shared/protocol.js';
import type { AppBasics } from './basics.js';
import type { Connections } from './connections.js';
import { applyOverrides, type StartConfig } from './setup-config.js';

/** The certificate the port serves (undefined: plain HTTP) and `status.tls`. */
export interface TlsSetup {
  readonly certificate: GatewayCertificate | undefined;
  readonly tls: StatusTls;
}

/** With the lock held: the gateway's own certificate lives in this home. */
export async function setupTls(
  { paths, clock, logger }: Pick<AppBasics, 'paths' | 'clock' | 'logger'>,
  start: StartConfig,
): Promise<TlsSetup> {
  const certificate = await prepareGatewayTls({
    gateway: start.config.gateway,
    home: paths.home,
    addresses: start.listenAddresses,
    clock,
    logger,
  });
  return { certificate, tls: tlsStatusOf(certificate) };
}

/** The config as it is now (file + overrides), how to edit it, and the keychain behind it. */
export interface SecretsSetup {
  readonly keychain: SecretStore;
  readonly editor: ConfigEditor;
  readonly watcher: ConfigWatcher;
  readonly currentConfig: () => Config;
  readonly secrets: SecretsService;
}

/** The keychain, the config editor and watcher, and the secrets service over both. */
export function setupSecrets(
  basics: Pick<AppBasics, 'env' | 'paths' | 'overrides' | 'logSecrets'>,
  start: StartConfig,
  keychainOption: SecretStore | undefined,
): SecretsSetup {
  const { env, paths, overrides, logSecrets } = basics;
  const keychain = keychainOption ?? keychainForHome(paths.home);
  const editor = new ConfigEditor({ paths });
  const watcher = new ConfigWatcher({
    paths,
    initial: start.config,
    initialHash: start.loaded.hash,
  });
  const currentConfig = () => applyOverrides(watcher.current(), overrides);
  const secrets = new SecretsService({
    store: keychain,
    editConfig: (edits) => editor.applyEdits(edits),
    getConfig: currentConfig,
    env,
    onSecret: (value) => logSecrets.seen.add(value),
  });
  // The CLI announces its keychain changes (`models auth add|remove` among them).
  watcher.on('secrets', () => secrets.forgetNamedProfiles());
  return { keychain, editor, watcher, currentConfig, secrets };
}

/** The shared secret; its own values join the logger's scrub list. */
export async function setupAuth(
  { env, logSecrets }: Pick<AppBasics, 'env' | 'logSecrets'>,
  { keychain, secrets }: SecretsSetup,
  connections: Connections,
  config: Config,
): Promise<GatewayAuthState> {
  const auth = await GatewayAuthState.create(
    {
      env,
      keychain,
      secrets,
      onSharedSecretChanged: (keep) => connections.closeSharedSecretSessions(keep),
    },
    config,
  );
  logSecrets.addSource(() => auth.secrets());
  return auth;
}
