import { connect } from 'node:net';

/**
 * Why this exists: `@napi-rs/keyring` opens its D-Bus connection inside the *synchronous*
 * `AsyncEntry` constructor. A session bus that accepts the connection but never answers
 * would freeze the whole main process there, where no timeout or AbortSignal can reach.
 * So before touching the library we check, asynchronously and under the caller's signal,
 * that the bus answers the first step of its handshake.
 */

/**
 * The socket path Node can connect to for a D-Bus address such as
 * `unix:path=/run/user/1000/bus,guid=…`; undefined when no entry is a Unix socket path
 * (abstract, tcp, launchd, …), in which case no preflight is possible.
 */
export function busSocketPath(address: string): string | undefined {
  for (const entry of address.split(';')) {
    const colon = entry.indexOf(':');
    if (colon < 0 || entry.slice(0, colon) !== 'unix') continue;
    const params = new Map<string, string>();
    for (const pair of entry.slice(colon + 1).split(',')) {
      const equals = pair.indexOf('=');
      if (equals > 0) params.set(pair.slice(0, equals), unescapeBusValue(pair.slice(equals + 1)));
    }
    // Only `path=`: Node's abstract-socket addresses differ from libdbus's (libuv counts a
    // trailing NUL), so an `abstract=` bus cannot be checked and is left to the library.
    const path = params.get('path');
    if (path) return path;
  }
  return undefined;
}

/** D-Bus escapes address values as `%xx`, like URIs; a malformed escape is kept as is. */
function unescapeBusValue(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Resolves once the session bus at `address` answers an `AUTH` line; rejects with the
 * connection error, or with `signal.reason` when the signal aborts first. An unset or
 * non-Unix address resolves at once and leaves the verdict to the library.
 */
export function checkSessionBus(address: string | undefined, signal: AbortSignal): Promise<void> {
  const path = address ? busSocketPath(address) : undefined;
  if (path === undefined) return Promise.resolve();
  signal.throwIfAborted();
  return new Promise<void>((resolve, reject) => {
    const socket = connect({ path });
    const finish = (error?: unknown) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (error === undefined) resolve();
      else reject(asError(error));
    };
    const onAbort = () => finish(signal.reason ?? new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish(
        new Error(
          `cannot connect to the D-Bus session bus at ${path.replace('\0', '@')} (${error.code ?? error.message})`,
        ),
      ),
    );
    socket.once('close', () => finish(new Error('D-Bus session bus closed the connection')));
    // Any reply (OK or REJECTED) proves a live bus; the library then does the real handshake.
    socket.once('data', () => finish());
    socket.once('connect', () => {
      const uid = String(process.getuid?.() ?? '');
      socket.write(`\0AUTH EXTERNAL ${Buffer.from(uid).toString('hex')}\r\n`);
    });
  });
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error('D-Bus session bus check failed');
}
