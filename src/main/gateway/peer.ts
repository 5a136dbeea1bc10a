/**
 * What a connection knows about its peer and, once admitted, about itself. Declared below
 * both the handshake (which produces them) and the connection (which keeps them), so the
 * lower module never imports the higher one.
 */
import type { PairedDevice } from '../pairing/types.js';
import type { IssuedDeviceToken } from '../pairing/device-tokens.js';

/** What the upgrade learned about the peer, before any frame. */
export interface PeerContext {
  clientIp: string;
  isLocal: boolean;
  /** The request carried an Origin header (a browser). */
  browser: boolean;
  /** That Origin is one of the gateway's own origins. */
  ownOrigin: boolean;
  origin: string | undefined;
}

/** A successful handshake: who is connected and with what. */
export interface Admission {
  device: PairedDevice;
  role: string;
  scopes: string[];
  /**
   * How the connection proved itself; `shared` ones close when the shared secret changes.
   * `invite`: with an invite code (`auth.bootstrapToken`), which paired it just now.
   */
  authMethod: 'shared' | 'device-token' | 'invite' | 'none';
  issuedToken?: IssuedDeviceToken;
}
