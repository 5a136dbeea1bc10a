import { SerialQueue } from '../fs/atomic-file.js';
import type { Clock } from '../util/clock.js';
import { Draft } from './draft.js';
import { dropExpiredInvites, inviteExpired } from './invites.js';
import { PairedIndex, type ListPosition } from './paired-index.js';
import type { PairingStore } from './pairing-store.js';
import { dropExpired, isExpired } from './records.js';
import { captureOf } from './snapshot.js';
import { carryStamps, opOf, stampOpOf, type RecordChange } from './store-ops.js';
import type { StoreRecord } from './store-schema.js';
import type {
  PairingStoreData,
  PendingRequest,
  StoredInvite,
  StoredPairedDevice,
} from './types.js';

/** One mutation in flight: a private draft of the state plus what to announce once written. */
export interface Transaction {
  /** Reads copy the record they reach; only what the change really alters is written. */
  draft: PairingStoreData;
  now: number;
  /** Pending requests that timed out and were dropped from `draft`. */
  expired: PendingRequest[];
  /** Invites that timed out and were dropped from `draft`. */
  expiredInvites: StoredInvite[];
  /** Runs `emit` after the write succeeded and the draft became current. */
  announce(emit: () => void): void;
}

/** How {@link PairingState} persists (see {@link PairingState.stamp} and compaction). */
export interface StateOptions {
  /** `PairingLimits.stampWriteDelayMs`. */
  stampWriteDelayMs: number;
  /** `PairingLimits.journalCompactBytes`. */
  journalCompactBytes: number;
  /** A background write (deferred stamps, compaction) failed; nothing acknowledged was lost. */
  onWriteFailed: (error: Error) => void;
}

/** A page of paired devices in list order, and where the next page starts. */
export interface PairedPage {
  devices: StoredPairedDevice[];
  next?: ListPosition;
}

/**
 * The in-memory pairing state and the only way to change it: one transaction at a time,
 * each written durably (one journal entry of what it changed) before it becomes visible,
 * so readers never see state that a crash could take back. The one exception is
 * informational stamps (last seen, last used), which are written lazily: a crash may lose
 * the latest few seconds of them.
 */
export class PairingState {
  readonly #store: PairingStore;
  readonly #clock: Clock;
  readonly #onExpired: (request: PendingRequest, now: number) => void;
  readonly #options: StateOptions;
  readonly #queue = new SerialQueue();
  readonly #current: PairingStoreData;
  #closed = false;
  /** Devices stamped since the last write → their stamps as that write left them on disk. */
  #stamped = new Map<string, string>();
  #stampTimer: NodeJS.Timeout | undefined;
  /** List order of the paired devices, built by the first list and kept up to date. */
  #index: PairedIndex | undefined;
  #compaction: Promise<void> | undefined;

  constructor(
    store: PairingStore,
    clock: Clock,
    onExpired: (request: PendingRequest, now: number) => void,
    options: StateOptions,
  ) {
    this.#store = store;
    this.#clock = clock;
    this.#onExpired = onExpired;
    this.#options = options;
    this.#current = store.loaded();
  }

  /**
   * Stamps the record of `deviceId` in memory (last seen, last used) with `apply`. The
   * stamps reach the disk with the next transaction, or `stampWriteDelayMs` later at the
   * latest, or at close, so a handshake never waits for a write; stamps that end up as they
   * were on disk are not written at all.
   */
  stamp(deviceId: string, apply: (device: StoredPairedDevice) => void): void {
    const device = Object.hasOwn(this.#current.paired, deviceId)
      ? this.#current.paired[deviceId]
      : undefined;
    if (device === undefined) return;
    // Before the first stamp since the last write: what the disk holds.
    if (!this.#stamped.has(deviceId)) this.#stamped.set(deviceId, stampTextOf(device));
    apply(device);
    if (this.#stampTimer !== undefined || this.#closed) return;
    this.#stampTimer = setTimeout(() => {
      this.#stampTimer = undefined;
      if (this.#stamped.size === 0) return;
      this.mutate(() => undefined).catch((error: unknown) => {
        if (!this.#closed) this.#options.onWriteFailed(asError(error));
      });
    }, this.#options.stampWriteDelayMs);
    this.#stampTimer.unref();
  }

  /** The committed state. Callers only read it; stamps go through {@link stamp}. */
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

  /** Up to `limit` paired devices strictly after `after` in list order (earliest approval, then id). */
  pairedPage(after: ListPosition | undefined, limit: number): PairedPage {
    this.#index ??= PairedIndex.of(Object.values(this.#current.paired));
    const { deviceIds, more } = this.#index.page(after, limit);
    const devices = deviceIds.map(
      (deviceId) => this.#current.paired[deviceId] as StoredPairedDevice,
    );
    const last = devices.at(-1);
    if (!more || last === undefined) return { devices };
    return { devices, next: { approvedAtMs: last.approvedAtMs, deviceId: last.deviceId } };
  }

  /**
   * Runs `change` on a draft of the state with expired requests and invites already
   * dropped, writes what it changed, then makes that current and runs its announcements.
   * A throw from `change` or from the write leaves everything as it was. A change that
   * alters nothing (and no pending stamps) writes nothing.
   */
  mutate<T>(change: (tx: Transaction) => T): Promise<T> {
    return this.#queue.run(async () => {
      if (this.#closed) throw new Error('the pairing service is closed');
      const now = this.#clock.now();
      const draft = new Draft(this.#current);
      const expired = dropExpired(draft.data, now);
      const expiredInvites = dropExpiredInvites(draft.data, now);
      const announcements: Array<() => void> = [];
      const result = change({
        draft: draft.data,
        now,
        expired,
        expiredInvites,
        announce: (emit) => announcements.push(emit),
      });
      const changes = draft.changes();
      await this.#write(changes);
      this.#commit(changes);
      for (const request of expired) this.#onExpired(request, now);
      for (const emit of announcements) emit();
      this.#compactIfDue();
      return result;
    });
  }

  /**
   * Waits for the transactions queued so far and a compaction in flight, and writes
   * pending stamps; later mutations reject.
   */
  async close(): Promise<void> {
    await this.#queue.run(async () => {
      if (this.#closed) return;
      this.#closed = true;
      clearTimeout(this.#stampTimer);
      await this.#write([]);
    });
    await this.#compaction;
    await this.#store.flush();
  }

  /** Writes `changes` and the pending stamps as one entry (or a snapshot, when the store needs one). */
  async #write(changes: RecordChange[]): Promise<void> {
    // The entry carries every stamp made so far; later ones mark their devices again.
    const stamped = this.#stamped;
    this.#stamped = new Map();
    try {
      const ops = changes.map(opOf);
      const rewritten = new Set(changes.filter((c) => c.map === 'paired').map((c) => c.key));
      for (const [deviceId, onDisk] of stamped) {
        const device = this.#current.paired[deviceId];
        // A changed device's record carries its stamps already; a removed one needs none.
        if (device === undefined || rewritten.has(deviceId)) continue;
        const op = stampOpOf(device);
        if (JSON.stringify(op) !== onDisk) ops.push(op);
      }
      if (ops.length === 0) return;
      if (!this.#store.needsSnapshot) return await this.#store.append(ops);
      // Stamp ops need no applying: they describe the committed records as they are.
      await this.#store.replaceWith(captureOf(this.#current, this.#store.seq, changes).maps);
    } catch (error) {
      // Nothing was written: the disk still holds what the earlier stamps saw.
      for (const [deviceId, onDisk] of stamped) this.#stamped.set(deviceId, onDisk);
      throw error;
    }
  }

  #commit(changes: RecordChange[]): void {
    for (const { map, key, before, after } of changes) {
      const records = this.#current[map] as Record<string, StoreRecord>;
      if (map === 'paired') {
        // Stamps made on the committed record while the write was in flight.
        const committed = records[key] as StoredPairedDevice | undefined;
        if (committed !== undefined && after !== undefined)
          carryStamps(committed, after as StoredPairedDevice);
        this.#index?.update(
          before as StoredPairedDevice | undefined,
          after as StoredPairedDevice | undefined,
        );
      }
      if (after === undefined) delete records[key];
      else records[key] = after;
    }
  }

  /** Starts folding the journal into devices.json once it is large; never awaited by a change. */
  #compactIfDue(): void {
    if (this.#closed || this.#compaction !== undefined) return;
    if (this.#store.journalBytes < this.#options.journalCompactBytes) return;
    this.#compaction = this.#compact()
      .catch((error: unknown) => {
        if (!this.#closed) this.#options.onWriteFailed(asError(error));
      })
      .finally(() => {
        this.#compaction = undefined;
      });
  }

  async #compact(): Promise<void> {
    // Between transactions, so the capture is exactly the state at the store's last entry.
    const capture = await this.#queue.run(() =>
      Promise.resolve(captureOf(this.#current, this.#store.seq)),
    );
    await this.#store.compact(capture);
  }
}

function stampTextOf(device: StoredPairedDevice): string {
  return JSON.stringify(stampOpOf(device));
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
