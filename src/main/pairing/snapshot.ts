/**
 * Writing `devices.json` (format version 3): one record per line, serialised a slice at a
 * time with the event loop let through between slices, so folding the journal of a store
 * with 10,000 devices never stalls the handshakes of other clients for long.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { crc32 } from 'node:zlib';
import type { RecordChange } from './store-ops.js';
import {
  MAP_NAMES,
  PAIRING_STORE_VERSION,
  type MapName,
  type StoreRecord,
} from './store-schema.js';
import type { PairingStoreData } from './types.js';

/** Records serialised between two turns of the event loop (about a millisecond's work). */
export const SNAPSHOT_SLICE_RECORDS = 200;

/**
 * The state at one moment, as the entries of each map (the records are never changed in
 * place once committed, except for the lazily saved stamps), with the journal entry it
 * reaches.
 */
export interface StoreCapture {
  seq: number;
  maps: Record<MapName, [string, StoreRecord][]>;
}

/**
 * The entries of `data` with `changes` applied (not yet committed: the write that makes
 * them durable is this snapshot), so later commits do not reach the capture.
 */
export function captureOf(
  data: PairingStoreData,
  seq: number,
  changes: readonly RecordChange[] = [],
): StoreCapture {
  const maps = {} as StoreCapture['maps'];
  for (const map of MAP_NAMES) {
    let entries = Object.entries(data[map] as Record<string, StoreRecord>);
    const changed = changes.filter((change) => change.map === map);
    if (changed.length > 0) {
      const keys = new Set(changed.map((change) => change.key));
      entries = entries.filter(([key]) => !keys.has(key));
      for (const { key, after } of changed) if (after !== undefined) entries.push([key, after]);
    }
    maps[map] = entries;
  }
  return { seq, maps };
}

/**
 * The bytes of `devices.json` for `capture`; yields to the event loop between slices. The
 * file ends with a CRC-32 of everything before it (see {@link checksumMatches}).
 */
export async function serialiseSnapshot(capture: StoreCapture): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let parts: string[] = [`{"version":${PAIRING_STORE_VERSION},"journalSeq":${capture.seq}`];
  let crc = 0;
  const flush = () => {
    const chunk = Buffer.from(parts.join(''), 'utf8');
    crc = crc32(chunk, crc);
    chunks.push(chunk);
    parts = [];
  };
  for (const map of MAP_NAMES) {
    const records = capture.maps[map];
    parts.push(`,\n${JSON.stringify(map)}:{`);
    for (let index = 0; index < records.length; index += 1) {
      const [key, record] = records[index] as [string, StoreRecord];
      parts.push(`${index === 0 ? '\n' : ',\n'}${JSON.stringify(key)}:${JSON.stringify(record)}`);
      if (parts.length >= SNAPSHOT_SLICE_RECORDS) {
        flush();
        await nextTurn();
      }
    }
    parts.push(records.length === 0 ? '}' : '\n}');
  }
  flush();
  chunks.push(Buffer.from(`${CHECKSUM_OPENING}${hex8(crc)}${CHECKSUM_CLOSING}`));
  return Buffer.concat(chunks);
}

const CHECKSUM_OPENING = ',\n"crc32":"';
const CHECKSUM_CLOSING = '"}\n';
const TRAILER_BYTES = CHECKSUM_OPENING.length + 8 + CHECKSUM_CLOSING.length;

function hex8(value: number): string {
  return value.toString(16).padStart(8, '0');
}

/**
 * True when `bytes` end with the CRC-32 this module writes and it matches: the file is,
 * byte for byte, a snapshot this app wrote from records it had checked, so the loader can
 * skip checking each record again (most of the cost of a restart at 10,000 devices). Any
 * other file, a hand-edited one included, is checked record by record.
 */
export function checksumMatches(bytes: Buffer): boolean {
  if (bytes.length < TRAILER_BYTES) return false;
  const trailer = bytes.subarray(bytes.length - TRAILER_BYTES).toString('latin1');
  const match = /^,\n"crc32":"([0-9a-f]{8})"\}\n$/.exec(trailer);
  if (match === null) return false;
  return hex8(crc32(bytes.subarray(0, bytes.length - TRAILER_BYTES))) === match[1];
}
