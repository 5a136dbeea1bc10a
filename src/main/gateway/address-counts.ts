/**
 * Open sockets per client address, capped: the pre-auth limit of PROTOCOL.md "Transport"
 * (at most `maxUnauthenticatedPerAddress` upgraded sockets without `hello-ok` per address).
 * An address leaves the map when its last socket is released, so the map holds only
 * addresses with sockets open now.
 */
export class AddressCounts {
  readonly #max: number;
  readonly #counts = new Map<string, number>();

  constructor(max: number) {
    this.#max = max;
  }

  /** True when `address` already holds the maximum. */
  full(address: string): boolean {
    return (this.#counts.get(address) ?? 0) >= this.#max;
  }

  /** Counts one socket for `address`; the returned release may be called any number of times. */
  add(address: string): () => void {
    this.#counts.set(address, (this.#counts.get(address) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#counts.get(address) ?? 1) - 1;
      if (left === 0) this.#counts.delete(address);
      else this.#counts.set(address, left);
    };
  }
}
