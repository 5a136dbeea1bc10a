import type { GatewayAuthState } from '../gateway/gateway-auth-state.js';
import type { PairingService } from '../pairing/pairing-service.js';
import type { AppBasics } from './basics.js';
import type { Connections } from './connections.js';
import type { ChatSetup } from './setup-chat.js';
import type { StartConfig } from './setup-config.js';
import type { SecretsSetup, TlsSetup } from './setup-secrets.js';
import type { ServerSetup } from './setup-server.js';

/**
 * What the steps built, in the order they built it. A step names the parts it reads with
 * `Pick<AppParts, …>`, so its dependencies stay explicit at its signature.
 */
export interface AppParts {
  readonly basics: AppBasics;
  readonly start: StartConfig;
  readonly pairing: PairingService;
  readonly tls: TlsSetup;
  readonly secrets: SecretsSetup;
  readonly connections: Connections;
  readonly auth: GatewayAuthState;
  /** The package version (`hello-ok`, `status`). */
  readonly version: string;
  readonly server: ServerSetup;
  readonly chat: ChatSetup;
}
