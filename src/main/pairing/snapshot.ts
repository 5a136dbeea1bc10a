/**
 * Writing `devices.json` (format version 3): one record per line, serialised a slice at a
 * time with the event loop let through between slices, so folding the journal of a store
 * with 10,000 devices never stalls the handshakes of other clients for long.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { MAP_NAMES, PAIRING_STORE_VERSION, type StoreRecord } from './store-schema.js';
import type { PairingStoreData } from './types.js';

/** Records serialised between two turns of the event loop (about a millisecond's work). */
export const SNAPSHOT_SLICE_RECORDS = 200;

/**
 * The state at one moment: maps copied shallowly (the records are never changed in place
 * once committed, except for the lazily saved stamps), with the journal entry it reaches.
 */
export interface StoreCapture {
  data: PairingStoreData;
  seq: number;
}

/** Copies the maps of `data` (not the records), so later commits do not reach the capture. */
export function captureOf(data: PairingStoreData, seq: number): StoreCapture {
  // Null-prototype copies, like the maps themselves: `__proto__` stays an ordinary key.
  const copy = <T extends object>(map: T): T => Object.assign(Object.create(null) as T, map);
  return {
    seq,
    data: {
      version: data.version,
      pending: copy(data.pending),
      paired: copy(data.paired),
      invites: copy(data.invites),
      ignored: copy(data.ignored),
    },
  };
}

/** The bytes of `devices.json` for `capture`; yields to the event loop between slices. */
export async function serialiseSnapshot(capture: StoreCapture): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let parts: string[] = [`{"version":${PAIRING_STORE_VERSION},"journalSeq":${capture.seq}`];
  for (const map of MAP_NAMES) {
    const records = Object.entries(capture.data[map] as Record<string, StoreRecord>);
    parts.push(`,\n${JSON.stringify(map)}:{`);
    for (let index = 0; index < records.length; index += 1) {
      const [key, record] = records[index] as [string, StoreRecord];
      parts.push(`${index === 0 ? '\n' : ',\n'}${JSON.stringify(key)}:${JSON.stringify(record)}`);
      if (parts.length >= SNAPSHOT_SLICE_RECORDS) {
        chunks.push(Buffer.from(parts.join(''), 'utf8'));
        parts = [];
        await nextTurn();
      }
    }
    parts.push(records.length === 0 ? '}' : '\n}');
  }
  parts.push('}\n');
  chunks.push(Buffer.from(parts.join(''), 'utf8'));
  return Buffer.concat(chunks);
}
