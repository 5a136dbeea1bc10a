/**
 * The changes a journal entry records, and applying them. A transaction becomes `put` and
 * `del` ops of the records it changed, plus `stamp` ops for the last-seen stamps made
 * since the previous write (PairingState.stamped).
 */
import { isDeepStrictEqual } from 'node:util';
import type { JournalOp, MapName, StampOp, StoreRecord } from './store-schema.js';
import type { PairingStoreData, StoredPairedDevice } from './types.js';

/** One record a transaction changed: `after` undefined means deleted. */
export interface RecordChange {
  map: MapName;
  key: string;
  before: StoreRecord | undefined;
  after: StoreRecord | undefined;
}

/** True when `before` → `after` changes nothing a write would record. */
export function unchanged(
  before: StoreRecord | undefined,
  after: StoreRecord | undefined,
): boolean {
  if (before === undefined || after === undefined) return before === after;
  return isDeepStrictEqual(before, after);
}

/** The journal op of one change. */
export function opOf(change: RecordChange): JournalOp {
  const { map, key, after } = change;
  return after === undefined
    ? { t: 'del', m: map, k: key }
    : { t: 'put', m: map, k: key, v: after };
}

/** The stamp op of `device`: its last-seen time and address, and when each token was used. */
export function stampOpOf(device: StoredPairedDevice): StampOp {
  const used = device.tokens.flatMap((token): [string, number][] =>
    token.lastUsedAtMs === undefined ? [] : [[token.hash, token.lastUsedAtMs]],
  );
  return {
    t: 'stamp',
    k: device.deviceId,
    ...(device.lastSeenAtMs === undefined ? {} : { seen: device.lastSeenAtMs }),
    ...(device.remoteIp === undefined ? {} : { ip: device.remoteIp }),
    ...(used.length === 0 ? {} : { used }),
  };
}

/** Applies the ops of one journal entry to `data`, in order. */
export function applyOps(data: PairingStoreData, ops: readonly JournalOp[]): void {
  for (const op of ops) {
    if (op.t === 'stamp') {
      // A stamp is written only for a device that exists at that point of the journal;
      // should one ever be missing, the informational stamp is all there is to lose.
      const device = Object.hasOwn(data.paired, op.k) ? data.paired[op.k] : undefined;
      if (device !== undefined) applyStamp(device, op);
      continue;
    }
    const map = data[op.m] as Record<string, StoreRecord>;
    if (op.t === 'put') map[op.k] = op.v;
    else delete map[op.k];
  }
}

/** Copies the stamps of `op` onto `device` where they are newer. */
export function applyStamp(device: StoredPairedDevice, op: StampOp): void {
  if (op.seen !== undefined && op.seen > (device.lastSeenAtMs ?? -1)) {
    device.lastSeenAtMs = op.seen;
    if (op.ip === undefined) delete device.remoteIp;
    else device.remoteIp = op.ip;
  }
  for (const [hash, usedAtMs] of op.used ?? []) {
    const token = device.tokens.find((candidate) => candidate.hash === hash);
    if (token !== undefined && usedAtMs > (token.lastUsedAtMs ?? -1)) token.lastUsedAtMs = usedAtMs;
  }
}

/**
 * Copies the in-memory stamps made on `from` (the committed record, possibly while a write
 * was in flight) onto `to`, the record replacing it, where they are newer: committing a
 * changed record never loses a stamp.
 */
export function carryStamps(from: StoredPairedDevice, to: StoredPairedDevice): void {
  applyStamp(to, stampOpOf(from));
}
