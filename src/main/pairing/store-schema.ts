import { z } from 'zod';
import {
  deviceTokenInfoSchema,
  epochMs,
  ignoredDeviceInfoSchema,
  inviteInfoSchema,
  pairedDeviceSchema,
  pendingRequestSchema,
} from '../../shared/record-schemas.js';
import type { PairingStoreData } from './types.js';

/**
 * The store format this code writes. Version 3 adds `journalSeq` (the last entry of
 * `devices.journal` the file already holds): an older app that read only `devices.json`
 * would miss the journal's changes (a revoked token, a removed device), so the bump makes
 * it refuse the file as "newer" instead. Versions 1 and 2 are still read (no journal);
 * version 1 has no `invites` or `ignored` (they load as empty).
 */
export const PAIRING_STORE_VERSION = 3;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

// The stored records are the public ones (shared/record-schemas.ts) plus what must never
// leave the gateway; types.ts infers the stored types from these.

/** A device token as stored: the SHA-256 (hex) of the token, never the token. */
const storedTokenSchema = deviceTokenInfoSchema.extend({ hash: sha256Hex });

/** A paired device as `devices.json` holds it. */
export const storedPairedDeviceSchema = pairedDeviceSchema.extend({
  tokens: z.array(storedTokenSchema),
});

/** An invite as stored: the SHA-256 (hex) of its code, never the code. */
export const storedInviteSchema = inviteInfoSchema.extend({ codeHash: sha256Hex });

/** An ignored device as stored: with the request that was ignored. */
export const ignoredDeviceSchema = ignoredDeviceInfoSchema.extend({
  requestId: z.string().min(1),
});

/** The record maps of the store. */
export type MapName = 'pending' | 'paired' | 'invites' | 'ignored';

/** The maps in the order a snapshot lists them. */
export const MAP_NAMES: readonly MapName[] = ['pending', 'paired', 'invites', 'ignored'];

/** A record of any map. */
export type StoreRecord = PairingStoreData[MapName][string];

/**
 * Each map's record schema and the field its keys must equal: a mismatch means the file
 * was edited or damaged, and guessing which one is right could admit the wrong device.
 */
const RECORDS: Record<MapName, { schema: z.ZodType<StoreRecord>; idField: string }> = {
  pending: { schema: pendingRequestSchema, idField: 'requestId' },
  paired: { schema: storedPairedDeviceSchema, idField: 'deviceId' },
  invites: { schema: storedInviteSchema, idField: 'inviteId' },
  ignored: { schema: ignoredDeviceSchema, idField: 'deviceId' },
};

/** A record that failed its schema, with where: `paired.<key>.tokens.0.hash: …`. */
export class RecordIssue extends Error {
  constructor(where: string, message: string) {
    super(`${where}: ${message}`);
    this.name = 'RecordIssue';
  }
}

/** `value` as a valid record of `map` stored under `key`, or a {@link RecordIssue}. */
export function parseRecord(map: MapName, key: string, value: unknown): StoreRecord {
  const { schema, idField } = RECORDS[map];
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const inside = issue && issue.path.length > 0 ? `.${issue.path.join('.')}` : '';
    throw new RecordIssue(`${map}.${key}${inside}`, issue?.message ?? 'schema mismatch');
  }
  if ((parsed.data as unknown as Record<string, unknown>)[idField] !== key)
    throw new RecordIssue(`${map}.${key}`, `key differs from ${idField}`);
  return parsed.data;
}

// The maps are checked record by record below, straight from the parsed JSON (no copy).
const recordMap = z.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  'expected an object',
);

const snapshotShape = z.object({
  version: z.union([z.literal(1), z.literal(2), z.literal(PAIRING_STORE_VERSION)]),
  journalSeq: z.number().int().nonnegative().optional(),
  pending: recordMap,
  paired: recordMap,
  invites: recordMap.optional(),
  ignored: recordMap.optional(),
});

/** What a parsed `devices.json` holds. */
export interface Snapshot {
  data: PairingStoreData;
  /** The format the file was written in: anything below the current one is rewritten. */
  version: number;
  /** The last journal entry the file holds (0 for version 1 and 2 files). */
  journalSeq: number;
}

/**
 * `devices.json` of version 1, 2 or 3 (version 3 must say `journalSeq`). Each record is
 * checked on its own (faster than one schema over the whole file at 10,000 devices),
 * unless `recordsChecked`: the file's checksum proved it is a snapshot this app wrote.
 * Throws a {@link RecordIssue}.
 */
export function parseSnapshot(raw: unknown, recordsChecked = false): Snapshot {
  const shape = snapshotShape.safeParse(raw);
  if (!shape.success) {
    const issue = shape.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'devices.json';
    throw new RecordIssue(where, issue?.message ?? 'schema mismatch');
  }
  const { version, journalSeq } = shape.data;
  if (version === PAIRING_STORE_VERSION && journalSeq === undefined)
    throw new RecordIssue('journalSeq', 'missing in a version 3 file');
  const data = emptyStoreData();
  for (const map of MAP_NAMES) {
    // Null-prototype maps: a key such as `__proto__` stays an ordinary key.
    const target = data[map] as Record<string, StoreRecord>;
    for (const [key, value] of Object.entries(shape.data[map] ?? {}))
      target[key] = recordsChecked ? (value as StoreRecord) : parseRecord(map, key, value);
  }
  return { data, version, journalSeq: journalSeq ?? 0 };
}

/** One change in a journal entry: a whole record put or deleted, or last-seen stamps. */
export type JournalOp =
  | { t: 'put'; m: MapName; k: string; v: StoreRecord }
  | { t: 'del'; m: MapName; k: string }
  | StampOp;

/** The lazily saved stamps of one device (PairingState.stamped): newer values win. */
export interface StampOp {
  t: 'stamp';
  k: string;
  seen?: number;
  ip?: string;
  /** `[token hash, lastUsedAtMs]` per token used. */
  used?: [string, number][];
}

const mapName = z.enum(['pending', 'paired', 'invites', 'ignored']);
const journalOpSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('put'), m: mapName, k: z.string().min(1), v: z.unknown() }),
  z.object({ t: z.literal('del'), m: mapName, k: z.string().min(1) }),
  z.object({
    t: z.literal('stamp'),
    k: z.string().min(1),
    seen: epochMs.optional(),
    ip: z.string().optional(),
    used: z.array(z.tuple([sha256Hex, epochMs])).optional(),
  }),
]);

const journalEntrySchema = z.object({
  seq: z.number().int().positive(),
  ops: z.array(journalOpSchema).min(1),
});

/** One line of `devices.journal`: one transaction. */
export interface JournalEntry {
  seq: number;
  ops: JournalOp[];
}

/** A decoded journal line as a checked entry (records included), or a {@link RecordIssue}. */
export function parseJournalEntry(raw: unknown): JournalEntry {
  const parsed = journalEntrySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RecordIssue(issue?.path.join('.') || 'entry', issue?.message ?? 'schema mismatch');
  }
  const ops = parsed.data.ops.map((op): JournalOp => {
    if (op.t !== 'put') return op;
    return { ...op, v: parseRecord(op.m, op.k, op.v) };
  });
  return { seq: parsed.data.seq, ops };
}

/** An empty store: what a missing file means. */
export function emptyStoreData(): PairingStoreData {
  return {
    version: PAIRING_STORE_VERSION,
    pending: Object.create(null) as PairingStoreData['pending'],
    paired: Object.create(null) as PairingStoreData['paired'],
    invites: Object.create(null) as PairingStoreData['invites'],
    ignored: Object.create(null) as PairingStoreData['ignored'],
  };
}
