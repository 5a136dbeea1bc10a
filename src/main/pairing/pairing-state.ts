import { SerialQueue } from '../fs/atomic-file.js';
import type { Clock } from '../util/clock.js';
import type { PairingStore } from './pairing-store.js';
import { dropExpiredInvites, inviteExpired } from './invites.js';
import { carryStamps, dropExpired, isExpired } from './records.js';
import type { PairingStoreData, PendingRequest, StoredInvite } from './types.js';

/** One mutation in flight: a private copy of the state plus what to announce once written. */
export interface Transaction {
  draft: PairingStoreData;
  now: number;
  /** Pending requests that timed out and were dropped from `draft`. */
  expired: PendingRequest[];
  /** Invites that timed out and were dropped from `draft`. */
  expiredInvites: StoredInvite[];
  /** Runs `emit` after the write succeeded and the draft became current. */
  announce(emit: () => void): void;
  /** Nothing changed: skip the write. */
  skipWrite(): void;
}

/** How {@link PairingState} persists in-memory stamps (see {@link PairingState.stamped}). */
export interface StampOptions {
  /** `PairingLimits.stampWriteDelayMs`. */
  stampWriteDelayMs: number;
  /** A deferred stamp write failed; the stamps stay in memory for the next write. */
  onWriteFailed: (error: Error) => void;
}

/**
 * The in-memory copy of `devices.json` and the only way to change it: one transaction at
 * a time, each written durably before it becomes visible, so readers never see state that
 * a crash could take back. The one exception is informational stamps (last seen, last
 * used), which are written lazily: a crash may lose the latest few seconds of them.
 */
export class PairingState {
  readonly #store: PairingStore;
  readonly #clock: Clock;
  readonly #onExpired: (request: PendingRequest, now: number) => void;
  readonly #stampOptions: StampOptions;
  readonly #queue = new SerialQueue();
  #current: PairingStoreData;
  #closed = false;
  /** `current` holds stamps that no write has carried to disk yet. */
  #stamped = false;
  #stampTimer: NodeJS.Timeout | undefined;

  constructor(
    store: PairingStore,
    clock: Clock,
    onExpired: (request: PendingRequest, now: number) => void,
    stampOptions: StampOptions,
  ) {
    this.#store = store;
    this.#clock = clock;
    this.#onExpired = onExpired;
    this.#stampOptions = stampOptions;
    this.#current = store.loaded();
  }

  /**
   * Says that `current` was stamped in memory (last seen, last used). The stamps reach the
   * disk with the next transaction, or `stampWriteDelayMs` later at the latest, or at close,
   * so a handshake never waits for a write of the whole store.
   */
  stamped(): void {
    this.#stamped = true;
    if (this.#stampTimer !== undefined || this.#closed) return;
    this.#stampTimer = setTimeout(() => {
      this.#stampTimer = undefined;
      if (!this.#stamped) return;
      this.mutate(() => undefined).catch((error: unknown) => {
        if (!this.#closed)
          this.#stampOptions.onWriteFailed(
            error instanceof Error ? error : new Error(String(error)),
          );
      });
    }, this.#stampOptions.stampWriteDelayMs);
    this.#stampTimer.unref();
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

  /** True when a pending request or an invite has expired but is still stored. */
  hasExpired(): boolean {
    const now = this.#clock.now();
    return (
      Object.values(this.#current.pending).some((request) => isExpired(request, now)) ||
      Object.values(this.#current.invites).some((invite) => inviteExpired(invite, now))
    );
  }

  /**
   * Runs `change` on a copy of the state with expired requests and invites already dropped, writes
   * the copy, then makes it current and runs its announcements. A throw from `change` or
   * from the write leaves everything as it was.
   */
  mutate<T>(change: (tx: Transaction) => T): Promise<T> {
    return this.#queue.run(async () => {
      if (this.#closed) throw new Error('the pairing service is closed');
      const now = this.#clock.now();
      // The copy carries every stamp made so far; later ones set the flag again.
      const hadStamps = this.#stamped;
      this.#stamped = false;
      const draft = structuredClone(this.#current);
      const announcements: Array<() => void> = [];
      let write = true;
      const expired = dropExpired(draft, now);
      const expiredInvites = dropExpiredInvites(draft, now);
      let result: T;
      try {
        result = change({
          draft,
          now,
          expired,
          expiredInvites,
          announce: (emit) => announcements.push(emit),
          skipWrite: () => (write = false),
        });
        if (write) await this.#store.save(draft);
        else this.#stamped ||= hadStamps;
      } catch (error) {
        this.#stamped ||= hadStamps;
        throw error;
      }
      carryStamps(this.#current, draft);
      this.#current = draft;
      for (const request of expired) this.#onExpired(request, now);
      for (const emit of announcements) emit();
      return result;
    });
  }

  /** Waits for the transactions queued so far and writes pending stamps; later ones reject. */
  close(): Promise<void> {
    return this.#queue.run(async () => {
      this.#closed = true;
      clearTimeout(this.#stampTimer);
      if (this.#stamped) {
        this.#stamped = false;
        await this.#store.save(this.#current);
      }
      return this.#store.flush();
    });
  }
}
