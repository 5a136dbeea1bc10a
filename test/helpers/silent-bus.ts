/**
 * A D-Bus session bus that accepts connections, completes the SASL handshake and then never
 * answers a method call: the Secret Service of a keyring daemon that hangs. Point
 * DBUS_SESSION_BUS_ADDRESS at `address`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { busSocketPath } from '../../src/main/secrets/dbus-preflight.js';

export interface SilentBus {
  /** `unix:path=…` */
  address: string;
  /** Connections that got through `BEGIN`: each is a client now waiting for an answer. */
  begun(): number;
  /**
   * The daemon is restarted and answers again: every waiting connection is dropped, and new
   * ones are passed through to the real bus at `realAddress` (a `unix:path=` address).
   */
  recover(realAddress: string): void;
  close(): Promise<void>;
}

const GUID = '0123456789abcdef0123456789abcdef';

export async function startSilentBus(): Promise<SilentBus> {
  const folder = await mkdtemp(join(tmpdir(), 'sa-silent-bus-'));
  const path = join(folder, 'bus');
  const sockets = new Set<Socket>();
  let begun = 0;
  let upstreamPath: string | undefined;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (upstreamPath !== undefined) {
      const upstream = connect({ path: upstreamPath });
      upstream.on('error', () => socket.destroy());
      socket.on('close', () => upstream.destroy());
      socket.pipe(upstream).pipe(socket);
      return;
    }
    let text = '';
    let talking = true;
    socket.on('data', (chunk: Buffer) => {
      if (!talking) return;
      text += chunk.toString('latin1');
      for (let end = text.indexOf('\r\n'); end !== -1; end = text.indexOf('\r\n')) {
        // The client's first byte is a NUL (credentials passing), then text lines.
        const line = text.slice(0, end).replace(/^\0/, '');
        text = text.slice(end + 2);
        if (line.startsWith('AUTH')) socket.write(`OK ${GUID}\r\n`);
        else if (line.startsWith('NEGOTIATE_UNIX_FD')) socket.write('AGREE_UNIX_FD\r\n');
        else if (line.startsWith('BEGIN')) {
          // From here on the client sends binary messages; none is ever answered.
          talking = false;
          begun += 1;
          return;
        } else socket.write('ERROR\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    address: `unix:path=${path}`,
    begun: () => begun,
    recover(realAddress) {
      const path = busSocketPath(realAddress);
      if (path === undefined) throw new Error(`not a unix:path= bus address: ${realAddress}`);
      for (const socket of sockets) socket.destroy();
      upstreamPath = path;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
      await rm(folder, { recursive: true, force: true });
    },
  };
}
