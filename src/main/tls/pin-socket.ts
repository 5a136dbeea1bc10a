/**
 * Pinning a TLS connection to a certificate fingerprint, for clients of a gateway with a
 * self-signed certificate (DESIGN.md "Remote devices", "Pinning").
 *
 * Why not `checkServerIdentity`: Node calls it only after the chain verified, and a
 * self-signed certificate never verifies, so with `rejectUnauthorized: true` every
 * connection fails and with `false` the callback is never called at all. Instead the
 * connection is made with `rejectUnauthorized: false` and the pin is checked on
 * `secureConnect`. Node holds back everything written to a TLS socket until its
 * `secureConnect` listeners have run, so destroying the socket there means the server
 * never receives a byte of application data (the pinning test proves it).
 */
import { isIP } from 'node:net';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { checkPinnedFingerprint, normalizeFingerprint } from './fingerprint.js';

/** A changed or wrong server certificate; names both fingerprints (SSH-style warning). */
export class TlsPinMismatchError extends Error {
  readonly code = 'TLS_PIN_MISMATCH';
  constructor(
    readonly expected: string,
    readonly actual: string | undefined,
  ) {
    super(
      actual === undefined
        ? `the server sent no certificate; expected fingerprint ${expected}`
        : `the server's certificate fingerprint is ${actual}, but ${expected} is pinned: ` +
            'someone may be intercepting the connection, or the gateway made a new certificate',
    );
    this.name = 'TlsPinMismatchError';
  }
}

/**
 * TLS options for a pinned connection: chain checks off because {@link pinTlsSocket}
 * replaces them. Never use these options without pinning the socket.
 */
export function pinnedConnectionOptions(): Pick<ConnectionOptions, 'rejectUnauthorized'> {
  return { rejectUnauthorized: false };
}

/**
 * Checks the server certificate of `socket` against `expectedFingerprint` as soon as the
 * handshake ends and destroys the socket with a {@link TlsPinMismatchError} if it differs.
 * Attach it before the handshake completes (right after `tls.connect`, or in the `socket`
 * event of an `https`/`ws` request). An invalid pin throws a TypeError here, at once.
 */
export function pinTlsSocket(socket: TLSSocket, expectedFingerprint: string): void {
  const pin = pinOrThrow(expectedFingerprint);
  socket.once('secureConnect', () => {
    const check = checkPinnedFingerprint(socket.getPeerCertificate(), pin);
    if (check.ok) return;
    const actual = check.reason === 'mismatch' ? check.actual : undefined;
    socket.destroy(new TlsPinMismatchError(pin, actual));
  });
}

/**
 * A `createConnection` for `ws` and `https.request` (with no `agent`: an agent uses its own) that opens every
 * connection pinned to `expectedFingerprint`. Throws a TypeError at once for an invalid pin.
 */
export function pinnedTlsConnect(
  expectedFingerprint: string,
): (options: ConnectionOptions) => TLSSocket {
  const pin = pinOrThrow(expectedFingerprint);
  return (options) => {
    const socket = connect({
      ...options,
      // The request's path is not a Unix socket path; `ws` clears it the same way.
      path: undefined,
      // SNI carries host names only (RFC 6066), never an IP literal.
      servername:
        options.servername ?? (options.host && !isIP(options.host) ? options.host : undefined),
      ...pinnedConnectionOptions(),
    });
    pinTlsSocket(socket, pin);
    return socket;
  };
}

function pinOrThrow(expectedFingerprint: string): string {
  const pin = normalizeFingerprint(expectedFingerprint);
  if (pin !== undefined) return pin;
  throw new TypeError(
    `${JSON.stringify(expectedFingerprint)} is not a SHA-256 fingerprint (expected 64 hex digits, colons optional)`,
  );
}
