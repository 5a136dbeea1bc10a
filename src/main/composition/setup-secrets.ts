import { ConfigEditor } from '../config/edit.js';
import { ConfigWatcher } from '../config/watch.js';
import { prepareGatewayTls, tlsStatusOf, watchGatewayTls } from '../gateway/tls-setting.js';
import { GatewayAuthState } from '../gateway/gateway-auth-state.js';
import { keychainForHome, type SecretStore } from '../secrets/keychain.js';
import { SecretsService } from '../secrets/secrets-service.js';
import type { GatewayCertificate } from '../tls/certificate-info.js';
import type { CertificateRefresh } from '../tls/certificate-refresh.js';
import type { Config } from '../../shared/config-schema.js';
import type { StatusTls } from '../../shared/protocol.js';
import type { AppBasics } from './basics.js';
import type { Connections } from './connections.js';
import { applyOverrides, type StartConfig } from './setup-config.js';

/** Whether the port speaks HTTPS, the certificate it starts with, and `status.tls` now. */
export interface TlsSetup {
  /** Fixed for the life of the process: a change of `gateway.tls` needs a restart. */
  readonly enabled: boolean;
  /** The pair the server is built with (undefined: plain HTTP); `refresh` may replace it. */
  readonly certificate: GatewayCertificate | undefined;
  /** Renews or reloads the certificate while the gateway runs; undefined with TLS off. */
  readonly refresh: CertificateRefresh | undefined;
  /** `status.tls` of the pair served now, so a renewal shows at once. */
  status(): StatusTls;
}

/** With the lock held: the gateway's own certificate lives in this home. */
export async function setupTls(
  { paths, clock, logger, limits }: Pick<AppBasics, 'paths' | 'clock' | 'logger' | 'limits'>,
  start: StartConfig,
): Promise<TlsSetup> {
  const options = {
    gateway: start.config.gateway,
    home: paths.home,
    addresses: start.listenAddresses,
    clock,
    logger,
  };
  const certificate = await prepareGatewayTls(options);
  const refresh =
    certificate &&
    watchGatewayTls({ ...options, certificate, recheckIntervalMs: limits.tlsRecheckIntervalMs });
  return {
    enabled: certificate !== undefined,
    certificate,
    refresh,
    status: () => tlsStatusOf(refresh?.current),
  };
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
  { env, logSecrets, logger }: Pick<AppBasics, 'env' | 'logSecrets' | 'logger'>,
  { keychain, secrets }: SecretsSetup,
  connections: Connections,
  config: Config,
): Promise<GatewayAuthState> {
  const auth = await GatewayAuthState.create(
    {
      env,
      keychain,
      secrets,
      onSharedSecretChanged: (keep, leftNoneMode) =>
        connections.closeSharedSecretSessions(keep, leftNoneMode),
      listenBind: config.gateway.bind,
      warn: (message) => logger.warn(message),
    },
    config,
  );
  logSecrets.addSource(() => auth.secrets());
  return auth;
}
