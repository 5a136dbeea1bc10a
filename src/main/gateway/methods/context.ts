import type { ChatService } from '../../agents/chat-service.js';
import type { SessionStore } from '../../agents/session-store.js';
import type { AuthProfiles } from '../../auth-profiles/auth-profiles.js';
import type { ConfigEditor } from '../../config/edit.js';
import type { PairingService } from '../../pairing/pairing-service.js';
import type { ModelCatalog } from '../../providers/model-catalog.js';
import type { SecretStore } from '../../secrets/keychain.js';
import type { SecretsService } from '../../secrets/secrets-service.js';
import type { Config } from '../../../shared/config-schema.js';
import type { StatusPayload } from '../../../shared/protocol.js';
import type { GatewayAuthState } from '../gateway-auth-state.js';
import type { MethodRouter } from '../router.js';

/** The in-process services the gateway methods call; built once by the composition root. */
export interface MethodServices {
  router: MethodRouter;
  pairing: PairingService;
  config: {
    current(): Config;
    editor: ConfigEditor;
    /** Re-reads the file now, so an edit takes effect before the method answers. */
    /** `keepConnectionId`: the connection whose edit this is (see ConfigWatcher.reload). */
    reload(origin?: { keepConnectionId?: string }): Promise<void>;
    /** `configHash` of the file `current()` was read from (`config.get`'s `hash`). */
    hash(): string;
  };
  secrets: SecretsService;
  keychain: SecretStore;
  chat: ChatService;
  sessions: SessionStore;
  /** Auth profiles of every provider: keys, try order, cooldown and disabled state. */
  profiles: AuthProfiles;
  /** Model listings (`models.list`), cached a minute per provider. */
  catalog: ModelCatalog;
  auth: GatewayAuthState;
  status(): Promise<StatusPayload>;
  logs: {
    /** The last `lines` lines of the gateway log, oldest first, secrets redacted. */
    tail(lines: number): Promise<string[]>;
  };
  /** Closes the live sockets of a device (4001). */
  closeDevice(deviceId: string, reason: string): void;
  /** Where other devices reach the gateway, e.g. `http://127.0.0.1:18789` (setup URLs). */
  publicOrigin(): string;
  /** The TLS certificate's SHA-256 fingerprint (`AB:CD:…`) while TLS is on, else undefined. */
  tlsFingerprint(): string | undefined;
  /** Asks whoever runs the gateway to stop and start it again; absent when nothing can. */
  requestRestart?: ((restartExpectedMs: number) => void) | undefined;
}
