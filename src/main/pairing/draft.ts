/**
 * The private copy a transaction changes, without copying the whole store: each map of
 * the draft is a view of the committed map that copies a record the first time it is
 * read, and keeps writes and deletes to itself until commit. So a change that touches one
 * device costs the same at 10 devices as at 10,000, and `changes()` says exactly what to
 * write. The views behave as plain objects (`draft.paired[id]`, `delete`, `Object.values`),
 * so the pure helpers in records.ts, invites.ts and ignored.ts run on them unchanged.
 */
import { MAP_NAMES, type MapName, type StoreRecord } from './store-schema.js';
import { unchanged, type RecordChange } from './store-ops.js';
import type { PairingStoreData } from './types.js';

const DELETED = Symbol('deleted');

interface Touched {
  /** The committed record when first touched (never changed by the transaction). */
  before: StoreRecord | undefined;
  after: StoreRecord | typeof DELETED;
}

/** One map of a draft: a copy-on-read view over a committed map. */
class CopyOnReadMap {
  readonly #base: Record<string, StoreRecord>;
  readonly #touched = new Map<string, Touched>();
  readonly view: Record<string, StoreRecord>;

  constructor(base: Record<string, StoreRecord>) {
    this.#base = base;
    const descriptor = (value: StoreRecord) => ({
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
    this.view = new Proxy(Object.create(null) as Record<string, StoreRecord>, {
      get: (_target, key) => (typeof key === 'string' ? this.#read(key) : undefined),
      set: (_target, key, value: StoreRecord) => this.#write(key, value),
      defineProperty: (_target, key, property) => this.#write(key, property.value as StoreRecord),
      deleteProperty: (_target, key) => this.#write(key, DELETED),
      has: (_target, key) => typeof key === 'string' && this.#has(key),
      ownKeys: () => this.#keys(),
      getOwnPropertyDescriptor: (_target, key) => {
        const value = typeof key === 'string' ? this.#read(key) : undefined;
        return value === undefined ? undefined : descriptor(value);
      },
    });
  }

  /** The records this transaction really changed (a copy read and left alone is not one). */
  changes(map: MapName): RecordChange[] {
    const changes: RecordChange[] = [];
    for (const [key, { before, after }] of this.#touched) {
      const next = after === DELETED ? undefined : after;
      if (!unchanged(before, next)) changes.push({ map, key, before, after: next });
    }
    return changes;
  }

  #committed(key: string): StoreRecord | undefined {
    return Object.hasOwn(this.#base, key) ? this.#base[key] : undefined;
  }

  #read(key: string): StoreRecord | undefined {
    const touched = this.#touched.get(key);
    if (touched !== undefined) return touched.after === DELETED ? undefined : touched.after;
    const before = this.#committed(key);
    if (before === undefined) return undefined;
    const copy = structuredClone(before);
    this.#touched.set(key, { before, after: copy });
    return copy;
  }

  #write(key: string | symbol, after: StoreRecord | typeof DELETED): boolean {
    if (typeof key !== 'string') return false;
    const touched = this.#touched.get(key);
    if (touched !== undefined) touched.after = after;
    else this.#touched.set(key, { before: this.#committed(key), after });
    return true;
  }

  #has(key: string): boolean {
    const touched = this.#touched.get(key);
    return touched === undefined ? this.#committed(key) !== undefined : touched.after !== DELETED;
  }

  #keys(): string[] {
    const keys = Object.keys(this.#base).filter((key) => this.#touched.get(key)?.after !== DELETED);
    for (const [key, { before, after }] of this.#touched)
      if (before === undefined && after !== DELETED) keys.push(key);
    return keys;
  }
}

/** A transaction's draft of the whole store. */
export class Draft {
  /** What the transaction reads and changes, shaped like the store. */
  readonly data: PairingStoreData;
  readonly #maps: Record<MapName, CopyOnReadMap>;

  constructor(base: PairingStoreData) {
    const view = (map: MapName) => new CopyOnReadMap(base[map]);
    this.#maps = {
      pending: view('pending'),
      paired: view('paired'),
      invites: view('invites'),
      ignored: view('ignored'),
    };
    this.data = {
      version: base.version,
      pending: this.#maps.pending.view as PairingStoreData['pending'],
      paired: this.#maps.paired.view as PairingStoreData['paired'],
      invites: this.#maps.invites.view as PairingStoreData['invites'],
      ignored: this.#maps.ignored.view as PairingStoreData['ignored'],
    };
  }

  /** Every record the transaction changed, map by map. */
  changes(): RecordChange[] {
    return MAP_NAMES.flatMap((map) => this.#maps[map].changes(map));
  }
}
