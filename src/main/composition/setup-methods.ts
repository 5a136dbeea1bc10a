import { KeychainStatus } from '../gateway/keychain-status.js';
import { registerAllMethods } from '../gateway/methods/index.js';
import { gatewayLogPath } from '../util/log-file.js';
import { readLastLines } from '../util/log-tail.js';
import { redact } from '../util/logger.js';
import type { StatusPayload } from '../../shared/protocol.js';
import type { AppParts } from './parts.js';

/** The `status` payload, built fresh per call from the live services. */
export function setupStatus(
  parts: Pick<
    AppParts,
    'basics' | 'start' | 'secrets' | 'server' | 'auth' | 'pairing' | 'tls' | 'version'
  >,
): () => Promise<StatusPayload> {
  const { basics, secrets, auth, pairing, version, tls } = parts;
  // What the socket listens on: a new bind in the file waits for a restart (restartRequired),
  // and `gateway run --bind` never reaches the file.
  const { bind } = parts.start.config.gateway;
  const { gateway } = parts.server;
  // Asking the OS keychain costs ~0.65 ms; `status` is the hot read of every client.
  const keychainStatus = new KeychainStatus({
    keychain: secrets.keychain,
    clock: basics.clock,
    ttlMs: basics.limits.keychainStatusTtlMs,
  });
  // Asked now, so the first `status` has an answer and need not wait for one.
  void keychainStatus.current();
  return async () => {
    const probe = await keychainStatus.current();
    return {
      version,
      uptimeMs: gateway.uptimeMs,
      bind,
      port: gateway.port,
      authMode: auth.mode,
      connections: gateway.openConnectionCount(),
      pendingPairings: pairing.pendingCount(),
      keychain: { available: probe.available, backend: probe.backend },
      tls: tls.status(),
    };
  };
}

/** Registers every gateway method with the services it needs. */
export function setupMethods(
  parts: Pick<
    AppParts,
    'basics' | 'start' | 'tls' | 'secrets' | 'auth' | 'pairing' | 'server' | 'chat' | 'connections'
  >,
  status: () => Promise<StatusPayload>,
  requestRestart: ((restartExpectedMs: number) => void) | undefined,
): void {
  const { basics, secrets, server, connections, tls } = parts;
  const { watcher } = secrets;
  registerAllMethods({
    router: server.router,
    pairing: parts.pairing,
    config: {
      current: secrets.currentConfig,
      editor: secrets.editor,
      reload: (origin) => watcher.reload(origin),
      hash: () => watcher.hash(),
    },
    secrets: secrets.secrets,
    keychain: secrets.keychain,
    ...parts.chat, // chat, sessions, profiles, catalog
    auth: parts.auth,
    status,
    // Redacted again on the way out: a value may have become a secret after it was logged.
    logs: {
      tail: async (lines) =>
        (await readLastLines(gatewayLogPath(basics.paths.home), lines)).map((line) =>
          redact(line, basics.logSecrets.values()),
        ),
    },
    closeDevice: (deviceId, reason) => connections.closeDevice(deviceId, reason),
    publicOrigin: () =>
      `${tls.enabled ? 'https' : 'http'}://${parts.start.reachableHost}:${server.gateway.port}`,
    // Read per invite: a renewed certificate's setup URL carries the new fingerprint.
    tlsFingerprint: () => tls.status().fingerprintSha256,
    requestRestart,
  });
}
