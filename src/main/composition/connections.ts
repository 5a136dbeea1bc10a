import type { GatewayServer } from '../gateway/gateway-server.js';
import { CLOSE } from '../../shared/protocol.js';

/**
 * The gateway's live connections, for the services that must close some of them. The auth
 * state is built before the server (the server's handshake reads it), yet a changed shared
 * secret must close the sessions it authenticated; so this handle is made before both and
 * the server is attached once it exists. Until then there are no connections to close.
 */
export class Connections {
  #server: GatewayServer | undefined;

  attach(server: GatewayServer): void {
    if (this.#server) throw new Error('the connections handle already has a server');
    this.#server = server;
  }

  /**
   * Closes (4001) every shared-secret session except `keepConnectionId`; with
   * `alsoAdmittedWithout` (auth was turned on) those that `none` mode let in with no secret.
   */
  closeSharedSecretSessions(keepConnectionId?: string, alsoAdmittedWithout = false): void {
    const closes = (method: string | undefined) =>
      method === 'shared' || (alsoAdmittedWithout && method === 'none');
    this.#server?.closeWhere(
      (conn) => closes(conn.identity?.authMethod) && conn.id !== keepConnectionId,
      CLOSE.credentialsWithdrawn,
      'gateway auth changed',
    );
  }

  /** Closes (4001) the live sockets of a device. */
  closeDevice(deviceId: string, reason: string): void {
    this.#server?.closeWhere(
      (conn) => conn.deviceId === deviceId,
      CLOSE.credentialsWithdrawn,
      reason,
    );
  }
}
