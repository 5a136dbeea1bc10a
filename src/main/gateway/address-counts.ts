/**
 * The pre-auth limit of PROTOCOL.md "Transport": at most `maxUnauthenticatedPerAddress`
 * unauthenticated sockets per client address, upgraded or not; past it, upgrades from that
 * address get HTTP 503. Loopback is held to it like any address (a process on this host can
 * bind another loopback address, 127.0.0.2, as tests and tools do).
 *
 * A socket counts from its accept (TLS: once its handshake is done) until it closes or its
 * WebSocket reaches `hello-ok`. A trusted proxy's socket carries other clients, whose
 * address is only known from the request: it counts from its upgrade, under the forwarded
 * address.
 */
import type { Duplex } from 'node:stream';

/** Open sockets per address; an address leaves the map with its last socket. */
class AddressCounts {
  readonly #counts = new Map<string, number>();

  count(address: string): number {
    return this.#counts.get(address) ?? 0;
  }

  /** Counts one socket for `address`; the returned release may be called any number of times. */
  add(address: string): () => void {
    this.#counts.set(address, this.count(address) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.count(address) - 1;
      if (left <= 0) this.#counts.delete(address);
      else this.#counts.set(address, left);
    };
  }
}

export class UnauthenticatedSockets {
  readonly #max: number;
  readonly #counts = new AddressCounts();
  /** Each counted socket's address and release. */
  readonly #counted = new WeakMap<Duplex, { address: string; release: () => void }>();

  constructor(max: number) {
    this.#max = max;
  }

  /** Counts an accepted socket from `address` until it closes (or its release is called). */
  accept(socket: Duplex, address: string): void {
    this.#track(socket, address);
  }

  /**
   * At an upgrade: the socket's release (to call at `hello-ok`), or undefined when its
   * address has more than the limit open, this socket included. A socket not counted at its
   * accept (a trusted proxy's) is counted now under `forwardedAddress`.
   */
  admitUpgrade(socket: Duplex, forwardedAddress: string): (() => void) | undefined {
    const counted = this.#counted.get(socket);
    if (counted !== undefined) {
      return this.#counts.count(counted.address) > this.#max ? undefined : counted.release;
    }
    if (this.#counts.count(forwardedAddress) >= this.#max) return undefined;
    return this.#track(socket, forwardedAddress);
  }

  #track(socket: Duplex, address: string): () => void {
    const release = this.#counts.add(address);
    this.#counted.set(socket, { address, release });
    socket.once('close', release);
    return release;
  }
}
