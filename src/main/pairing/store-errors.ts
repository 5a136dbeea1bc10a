/**
 * Why the pairing store cannot be used, and moving a corrupt `devices.json` aside (with
 * its journal) so a restart never quietly runs with no paired devices.
 */
import { rename } from 'node:fs/promises';
import { basename } from 'node:path';
import { EXIT } from '../../shared/exit-codes.js';
import { exists, freeCorruptName, latestCorruptCopy } from '../fs/corrupt-copies.js';

/** Process exit code when the pairing store cannot be used (EX_CONFIG, like a bad config). */
export const PAIRING_STORE_EXIT_CODE = EXIT.config;

/** The pairing store exists but cannot be read; the gateway must not start. */
export class PairingStoreError extends Error {
  readonly exitCode = PAIRING_STORE_EXIT_CODE;
  readonly path: string;

  constructor(message: string, path: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PairingStoreError';
    this.path = path;
  }
}

/** The pairing store was damaged and moved aside to `movedTo`; the gateway must not start. */
export class PairingStoreCorruptError extends PairingStoreError {
  readonly movedTo: string;

  constructor(message: string, path: string, movedTo: string, options?: { cause?: unknown }) {
    super(message, path, options);
    this.name = 'PairingStoreCorruptError';
    this.movedTo = movedTo;
  }
}

/**
 * `devices.journal` is damaged before its end, holds a bad entry, or does not follow
 * `devices.json`. It stays where it is (so every restart refuses too) until a person
 * restores or removes it: the changes after the damage cannot be recovered by guessing.
 */
export class PairingJournalCorruptError extends PairingStoreError {
  /** 1-based line of the damage. */
  readonly line: number;

  constructor(journalPath: string, storePath: string, line: number, reason: string) {
    const name = basename(journalPath);
    super(
      `the pairing journal ${journalPath} is damaged at line ${line} (${reason}); the gateway will not start, because the changes from there on (approvals, removals, revoked tokens) would be lost: restore ${name} from a backup, or move ${name} away to go back to ${basename(storePath)} as it was last written, undoing every change the journal holds, then start the gateway again`,
      journalPath,
    );
    this.name = 'PairingJournalCorruptError';
    this.line = line;
  }
}

/** `path` cannot be read (other than missing): a PairingStoreError naming the fix. */
export function unreadable(what: string, path: string, error: unknown): PairingStoreError {
  const reason = error instanceof Error ? error.message : String(error);
  return new PairingStoreError(
    `cannot read the ${what} ${path}: ${reason} (make it a readable file owned by this user, then start the gateway again)`,
    path,
    { cause: error },
  );
}

/**
 * Renames the corrupt `path` to `<name>.corrupt-<time>`, and its journal beside it (the
 * journal's changes apply to the damaged file only), then throws
 * {@link PairingStoreCorruptError}.
 */
export async function moveAside(
  path: string,
  journalPath: string,
  reason: string,
  nowMs: number,
): Promise<never> {
  const movedTo = await freeCorruptName(path, nowMs);
  try {
    await rename(path, movedTo);
  } catch (error) {
    throw new PairingStoreError(
      `the pairing store ${path} is corrupt (${reason}) and could not be moved aside: ${String(error)}; restore it from a backup or delete it, then start the gateway again`,
      path,
      { cause: error },
    );
  }
  const journalMovedTo = await moveJournalAside(journalPath, nowMs);
  const journalNote = journalMovedTo ? ` (its journal was moved to ${journalMovedTo})` : '';
  throw new PairingStoreCorruptError(
    `the pairing store ${path} is corrupt (${reason}); it was moved to ${movedTo}${journalNote}: restore ${basename(path)} from a backup, or delete ${basename(movedTo)} to start with no paired devices, then start the gateway again`,
    path,
    movedTo,
  );
}

async function moveJournalAside(journalPath: string, nowMs: number): Promise<string | undefined> {
  if (!(await exists(journalPath))) return undefined;
  const movedTo = await freeCorruptName(journalPath, nowMs);
  try {
    await rename(journalPath, movedTo);
    return movedTo;
  } catch (error) {
    throw new PairingStoreError(
      `the pairing store beside ${journalPath} was corrupt and has been moved aside, but this journal of it could not be: ${String(error)}; move or delete it, then start the gateway again`,
      journalPath,
      { cause: error },
    );
  }
}

/**
 * While `path` is missing, a moved-aside copy from an earlier start means something went
 * wrong: refuse instead of starting with no devices.
 */
export async function refuseIfCorruptCopyExists(path: string): Promise<void> {
  const movedTo = await latestCorruptCopy(path);
  if (movedTo === undefined) return;
  throw new PairingStoreCorruptError(
    `the pairing store ${path} is missing and an earlier corrupt copy sits at ${movedTo}: restore ${basename(path)} from a backup, or delete ${basename(movedTo)} to start with no paired devices, then start the gateway again`,
    path,
    movedTo,
  );
}
