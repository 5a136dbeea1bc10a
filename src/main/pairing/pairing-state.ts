import { SerialQueue } from '../fs/atomic-file.js';
import type { Clock } from '../util/clock.js';
import type { PairingStore } from './pairing-store.js';
import { carryLastUsed, dropExpired, isExpired } from './records.js';
import type { PairingStoreData, PendingRequest } from './types.js';

/** One mutation in flight: a private copy of the state plus what to announce once written. */
export interface Transaction {
  draft: PairingStoreData;
  now: number;
  /** Pending requests that timed out and were dropped from `draft`. */
  expired: PendingRequest[];
  /** Runs `emit` after the write succeeded and the draft became current. */
  announce(emit: () => void): void;
  /** Nothing changed: skip the write. */
  skipWrite(): void;
}

/**
 * The in-memory copy of `devices.json` and the only way to change it: one transaction at
 * a time, each written durably before it becomes visible, so readers never see state that
 * a crash could take back.
 */
export class PairingState {
  readonly #store: PairingStore;
  readonly #clock: Clock;
  readonly #onExpired: (request: PendingRequest, now: number) => void;
  readonly #queue = new SerialQueue();
  #current: PairingStoreData;
  #closed = false;

  constructor(
    store: PairingStore,
    clock: Clock,
    onExpired: (request: PendingRequest, now: number) => void,
  ) {
    this.#store = store;
    this.#clock = clock;
    this.#onExpired = onExpired;
    this.#current = store.loaded();
  }

  /** The committed state. Callers only read it, except for in-memory `lastUsedAtMs` stamps. */
  get current(): PairingStoreData {
    return this.#current;
  }

  /** True once {@link close} began; mutations then reject. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Pending requests whose TTL has not passed yet. */
  livePending(): PendingRequest[] {
    const now = this.#clock.now();
    return Object.values(this.#current.pending).filter((request) => !isExpired(request, now));
  }

  /**
   * Runs `change` on a copy of the state with expired requests already dropped, writes
   * the copy, then makes it current and runs its announcements. A throw from `change` or
   * from the write leaves everything as it was.
   */
  mutate<T>(change: (tx: Transaction) => T): Promise<T> {
    return this.#queue.run(async () => {
      if (this.#closed) throw new Error('the pairing service is closed');
      const now = this.#clock.now();
      const draft = structuredClone(this.#current);
      const announcements: Array<() => void> = [];
      let write = true;
      const expired = dropExpired(draft, now);
      const result = change({
        draft,
        now,
        expired,
        announce: (emit) => announcements.push(emit),
        skipWrite: () => (write = false),
      });
      if (write) await this.#store.save(draft);
      carryLastUsed(this.#current, draft);
      this.#current = draft;
      for (const request of expired) this.#onExpired(request, now);
      for (const emit of announcements) emit();
      return result;
    });
  }

  /** Waits for the transactions queued so far; later ones reject. */
  close(): Promise<void> {
    return this.#queue.run(() => {
      this.#closed = true;
      return this.#store.flush();
    });
  }
}
