import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SerialQueue, writeFileAtomic } from '../fs/atomic-file.js';
import { removeStrayTempFiles } from '../fs/corrupt-copies.js';
import type { Clock } from '../util/clock.js';
import { JournalFile } from './journal.js';
import { serialiseSnapshot, type StoreCapture } from './snapshot.js';
import { PairingStoreError, moveAside, refuseIfCorruptCopyExists } from './store-errors.js';
import {
  SnapshotDamage,
  journalPathOf,
  missingSnapshot,
  parseStoreBytes,
  readStoreBytes,
  replayJournal,
} from './store-load.js';
import { PAIRING_STORE_VERSION, type JournalOp, type Snapshot } from './store-schema.js';
import type { PairingStoreData } from './types.js';

export {
  PairingJournalCorruptError,
  PairingStoreCorruptError,
  PairingStoreError,
} from './store-errors.js';

export { journalPathOf, readStoredState } from './store-load.js';

/**
 * The pairing store: `<home>/state/devices.json` (a whole snapshot, written atomically)
 * plus `devices.journal` (the transactions since, appended and fsynced one by one).
 * Loading reads the snapshot and replays the journal; a write appends one entry, so it
 * costs what changed; {@link compact} folds the journal into a new snapshot off the hot
 * path. Mode 0600, folder 0700. An instance exists only after a successful load, so a
 * store that failed to load can never be written (STYLE.md "State": never read as empty).
 */
export class PairingStore {
  readonly path: string;
  readonly #loaded: PairingStoreData;
  readonly #journal: JournalFile;
  readonly #snapshots = new SerialQueue();
  /** The last entry written, to the journal or in a snapshot. */
  #seq: number;
  /** The `journalSeq` of `devices.json` on disk. */
  #snapshotSeq: number;
  /** `devices.json` exists in the current format (else the next write must create it). */
  #snapshotCurrent: boolean;

  private constructor(path: string, snapshot: Snapshot, journal: JournalFile, seq: number) {
    this.path = path;
    this.#loaded = snapshot.data;
    this.#journal = journal;
    this.#seq = seq;
    this.#snapshotSeq = snapshot.journalSeq;
    this.#snapshotCurrent = snapshot.version === PAIRING_STORE_VERSION;
  }

  /**
   * Loads the store. Missing file → empty store. Unreadable → {@link PairingStoreError}.
   * Bad JSON or schema → the file (and its journal) is renamed to
   * `devices.json.corrupt-<time>` and {@link PairingStoreCorruptError} is thrown. A missing
   * file beside such a moved-aside copy also throws, so a restart after corruption does not
   * quietly run with no devices. A journal damaged before its last line, or one that does
   * not follow the file → {@link PairingJournalCorruptError}; a torn last line (a crash
   * during an append that was never acknowledged) is dropped.
   */
  static async open(path: string, deps: { clock: Clock }): Promise<PairingStore> {
    const journalPath = journalPathOf(path);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await removeStrayTempFiles(path);
    await removeStrayTempFiles(journalPath);
    const bytes = await readStoreBytes(path);
    let snapshot: Snapshot;
    if (bytes === undefined) {
      await refuseIfCorruptCopyExists(path);
      snapshot = missingSnapshot();
    } else {
      try {
        snapshot = parseStoreBytes(path, bytes);
      } catch (error) {
        if (!(error instanceof SnapshotDamage)) throw error;
        return moveAside(path, journalPath, error.message, deps.clock.now());
      }
    }
    const { live, needsRewrite } = await replayJournal(path, journalPath, snapshot);
    const journal = new JournalFile(journalPath, path, live);
    if (needsRewrite) await rewriteAfterCrash(journal, snapshot.journalSeq);
    const seq = live.at(-1)?.entry.seq ?? snapshot.journalSeq;
    return new PairingStore(path, snapshot, journal, seq);
  }

  /** The state as loaded (snapshot plus journal). The caller takes it over and keeps it current. */
  loaded(): PairingStoreData {
    return this.#loaded;
  }

  /** The last entry written. */
  get seq(): number {
    return this.#seq;
  }

  /** Bytes in the journal: {@link compact} is due once this is large. */
  get journalBytes(): number {
    return this.#journal.bytes;
  }

  /**
   * True when the next write must be a whole snapshot ({@link replaceWith}): there is no
   * `devices.json` of the current format yet (a new home, or the first write after an
   * upgrade, so an older app refuses the store instead of missing the journal), or an
   * append failed in a way that left the journal's end unknown.
   */
  get needsSnapshot(): boolean {
    return !this.#snapshotCurrent || this.#journal.broken;
  }

  /** Writes one transaction's ops as the next journal entry; resolves once durable. */
  async append(ops: JournalOp[]): Promise<void> {
    await this.#journal.append({ seq: this.#seq + 1, ops });
    this.#seq += 1;
  }

  /**
   * Writes `maps` (the whole state with the change being written) as the next entry, in a
   * new `devices.json`, and empties the journal; resolves once `devices.json` is durable.
   */
  async replaceWith(maps: StoreCapture['maps']): Promise<void> {
    const seq = this.#seq + 1;
    // The change is durable once devices.json is. A journal that could not be emptied ends
    // before `seq`, so the next entry could not follow it: the next write is a snapshot too.
    const dropError = await this.#writeSnapshot({ seq, maps });
    if (dropError !== undefined) this.#journal.markBroken();
    this.#seq = seq;
  }

  /**
   * Folds the journal into `devices.json`: writes `capture` (the state at entry
   * `capture.seq`, taken between transactions), then drops the entries it holds from the
   * journal. Appends may go on meanwhile; they stay in the journal.
   */
  async compact(capture: StoreCapture): Promise<void> {
    const dropError = await this.#writeSnapshot(capture);
    if (dropError !== undefined) throw dropError;
  }

  /** Resolves when every write started so far has finished. */
  async flush(): Promise<void> {
    await this.#snapshots.run(() => Promise.resolve());
    await this.#journal.flush();
  }

  /** Writes a snapshot; resolves with the error of emptying the journal, if that failed. */
  #writeSnapshot(capture: StoreCapture): Promise<Error | undefined> {
    return this.#snapshots.run(async () => {
      // A later snapshot is on disk already (snapshots are written in order).
      if (this.#snapshotCurrent && capture.seq <= this.#snapshotSeq) return undefined;
      const bytes = await serialiseSnapshot(capture);
      await writeFileAtomic(this.path, bytes, { mode: 0o600 });
      this.#snapshotSeq = capture.seq;
      this.#snapshotCurrent = true;
      return this.#journal.dropThrough(capture.seq).then(
        () => undefined,
        (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
      );
    });
  }
}

/**
 * Drops what the snapshot already holds (a crash between writing a snapshot and emptying
 * the journal) and a torn last line, so appends continue on a clean end.
 */
async function rewriteAfterCrash(journal: JournalFile, journalSeq: number): Promise<void> {
  try {
    await journal.dropThrough(journalSeq);
  } catch (error) {
    throw new PairingStoreError(
      `cannot rewrite the pairing journal ${journal.path} after a crash: ${error instanceof Error ? error.message : String(error)} (make the state folder writable, then start the gateway again)`,
      journal.path,
      { cause: error },
    );
  }
}
