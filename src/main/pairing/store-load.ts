/**
 * Reading the pairing store: `devices.json` parsed and checked, then the journal entries
 * after its `journalSeq` replayed onto it. Nothing here writes; {@link PairingStore.open}
 * adds the side effects (moving a corrupt file aside, rewriting a journal after a crash).
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { JournalDamage, parseJournal, readJournalText, type JournalLine } from './journal.js';
import { checksumMatches } from './snapshot.js';
import { applyOps } from './store-ops.js';
import { errorCode } from '../fs/corrupt-copies.js';
import { PairingJournalCorruptError, PairingStoreError, unreadable } from './store-errors.js';
import {
  PAIRING_STORE_VERSION,
  RecordIssue,
  emptyStoreData,
  parseSnapshot,
  type Snapshot,
} from './store-schema.js';
import type { PairingStoreData } from './types.js';

/** `devices.json` → `devices.journal`, beside it. */
export function journalPathOf(storePath: string): string {
  return join(dirname(storePath), `${basename(storePath, '.json')}.journal`);
}

/** `devices.json` is not valid JSON or fails the schema (the message says where). */
export class SnapshotDamage extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'SnapshotDamage';
  }
}

/** What a missing `devices.json` means: an empty store that no snapshot holds yet. */
export function missingSnapshot(): Snapshot {
  return { data: emptyStoreData(), version: 0, journalSeq: 0 };
}

/** The bytes of `devices.json`, or undefined when it is missing. */
export async function readStoreBytes(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw unreadable('pairing store', path, error);
  }
}

/**
 * `devices.json` parsed and checked. Throws {@link SnapshotDamage}, or a
 * {@link PairingStoreError} for a file a newer app wrote (probably fine: leave it be).
 */
export function parseStoreBytes(path: string, bytes: Buffer): Snapshot {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new SnapshotDamage(
      `invalid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const version = (raw as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version > PAIRING_STORE_VERSION) {
    throw new PairingStoreError(
      `the pairing store ${path} has format version ${version}, newer than this app understands (${PAIRING_STORE_VERSION}); update special-agent, then start the gateway again`,
      path,
    );
  }
  try {
    return parseSnapshot(raw, checksumMatches(bytes));
  } catch (error) {
    if (!(error instanceof RecordIssue)) throw error;
    throw new SnapshotDamage(`invalid content: ${error.message}`);
  }
}

/**
 * Applies the journal entries after `snapshot.journalSeq` to `snapshot.data`. Returns them,
 * and whether the file also holds entries the snapshot has or a torn last line (then it
 * should be rewritten before appending). Throws {@link PairingJournalCorruptError}.
 */
export async function replayJournal(
  storePath: string,
  journalPath: string,
  snapshot: Snapshot,
): Promise<{ live: JournalLine[]; needsRewrite: boolean }> {
  let text: string | undefined;
  try {
    text = await readJournalText(journalPath);
  } catch (error) {
    throw unreadable('pairing journal', journalPath, error);
  }
  if (text === undefined) return { live: [], needsRewrite: false };
  let parsed;
  try {
    parsed = parseJournal(text);
  } catch (error) {
    if (!(error instanceof JournalDamage)) throw error;
    throw new PairingJournalCorruptError(journalPath, storePath, error.line, error.reason);
  }
  const live = parsed.lines.filter((line) => line.entry.seq > snapshot.journalSeq);
  const first = live[0];
  if (first !== undefined && first.entry.seq !== snapshot.journalSeq + 1) {
    const holds =
      snapshot.version === 0 ? 'is missing' : `holds changes up to ${snapshot.journalSeq} only`;
    throw new PairingJournalCorruptError(
      journalPath,
      storePath,
      parsed.lines.indexOf(first) + 1,
      `it continues from change ${first.entry.seq - 1}, but ${basename(storePath)} ${holds}`,
    );
  }
  for (const line of live) applyOps(snapshot.data, line.entry.ops);
  return { live, needsRewrite: live.length < parsed.lines.length || parsed.tornBytes > 0 };
}

/**
 * The state a restart would load from `path`, read without changing anything on disk
 * (no temp-file cleanup, nothing moved aside, no journal rewrite): for tests and
 * diagnostics beside a running gateway. Damage throws a {@link PairingStoreError}.
 */
export async function readStoredState(path: string): Promise<PairingStoreData> {
  const bytes = await readStoreBytes(path);
  let snapshot = missingSnapshot();
  if (bytes !== undefined) {
    try {
      snapshot = parseStoreBytes(path, bytes);
    } catch (error) {
      if (!(error instanceof SnapshotDamage)) throw error;
      throw new PairingStoreError(`the pairing store ${path} is corrupt (${error.message})`, path);
    }
  }
  await replayJournal(path, journalPathOf(path), snapshot);
  return snapshot.data;
}
