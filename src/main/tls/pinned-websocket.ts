/**
 * `ws` client options for a `wss://` connection pinned to a certificate fingerprint, for
 * Node callers of the isomorphic gateway client (its `openSocket`): the CLI and the tests.
 */
import type WebSocket from 'ws';
import { pinnedTlsConnect } from './pin-socket.js';

/**
 * `{createConnection}` for `new WebSocket(url, {...})`: every connection is checked against
 * `fingerprint` before the upgrade request is sent; a mismatch makes the socket emit
 * `error` with a `TlsPinMismatchError`. Throws a TypeError at once for an invalid pin.
 */
export function pinnedWebSocketOptions(
  fingerprint: string,
): Pick<WebSocket.ClientOptions, 'createConnection'> {
  // ws types createConnection as net's; a TLS socket is one, and ws passes TLS options.
  const createConnection = pinnedTlsConnect(
    fingerprint,
  ) as unknown as WebSocket.ClientOptions['createConnection'];
  return { createConnection };
}
