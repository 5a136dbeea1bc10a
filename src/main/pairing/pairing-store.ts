import { EXIT } from '../../shared/exit-codes.js';
import { mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SerialQueue, TEMP_FILE_MARKER, writeFileAtomic } from '../fs/atomic-file.js';
import type { Clock } from '../util/clock.js';
import { PAIRING_STORE_VERSION, emptyStoreData, pairingStoreSchema } from './store-schema.js';
import type { PairingStoreData } from './types.js';

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
 * `<home>/state/devices.json`: loads it once and writes whole snapshots atomically, one
 * writer at a time, mode 0600. An instance exists only after a successful load, so a
 * store that failed to load can never be saved (STYLE.md "State": never read as empty).
 */
export class PairingStore {
  readonly path: string;
  readonly #initial: PairingStoreData;
  readonly #queue = new SerialQueue();

  private constructor(path: string, initial: PairingStoreData) {
    this.path = path;
    this.#initial = initial;
  }

  /**
   * Loads the store. Missing file → empty store. Unreadable → {@link PairingStoreError}.
   * Bad JSON or schema → the file is renamed to `devices.json.corrupt-<time>` and
   * {@link PairingStoreCorruptError} is thrown. A missing file beside such a moved-aside
   * copy also throws, so a restart after corruption does not quietly run with no devices.
   */
  static async open(path: string, deps: { clock: Clock }): Promise<PairingStore> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await removeStrayTempFiles(path);
    const text = await readStoreText(path);
    if (text === undefined) {
      await refuseIfCorruptCopyExists(path);
      return new PairingStore(path, emptyStoreData());
    }
    return new PairingStore(path, await parseOrMoveAside(path, text, deps.clock));
  }

  /** A private copy of what was loaded. */
  loaded(): PairingStoreData {
    return structuredClone(this.#initial);
  }

  /** Writes `data` as the new content of the file; resolves once it is durable. */
  save(data: PairingStoreData): Promise<void> {
    const json = `${JSON.stringify(data, null, 2)}\n`;
    return this.#queue.run(() => writeFileAtomic(this.path, json, { mode: 0o600 }));
  }

  /** Resolves when every save started so far has finished. */
  flush(): Promise<void> {
    return this.#queue.run(() => Promise.resolve());
  }
}

async function readStoreText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    const reason = error instanceof Error ? error.message : String(error);
    throw new PairingStoreError(
      `cannot read the pairing store ${path}: ${reason} (make it a readable file owned by this user, then start the gateway again)`,
      path,
      { cause: error },
    );
  }
}

async function parseOrMoveAside(
  path: string,
  text: string,
  clock: Clock,
): Promise<PairingStoreData> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return moveAside(
      path,
      `invalid JSON: ${error instanceof Error ? error.message : String(error)}`,
      clock,
    );
  }
  const version = (raw as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version > PAIRING_STORE_VERSION) {
    // A newer app wrote it: the data is probably fine, so leave it where it is.
    throw new PairingStoreError(
      `the pairing store ${path} has format version ${version}, newer than this app understands (${PAIRING_STORE_VERSION}); update special-agent, then start the gateway again`,
      path,
    );
  }
  const parsed = pairingStoreSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return moveAside(path, `invalid content: ${where}${issue?.message ?? 'schema mismatch'}`, clock);
}

async function moveAside(path: string, reason: string, clock: Clock): Promise<never> {
  const movedTo = await freeCorruptName(path, clock.now());
  try {
    await rename(path, movedTo);
  } catch (error) {
    throw new PairingStoreError(
      `the pairing store ${path} is corrupt (${reason}) and could not be moved aside: ${String(error)}; restore it from a backup or delete it, then start the gateway again`,
      path,
      { cause: error },
    );
  }
  throw new PairingStoreCorruptError(
    `the pairing store ${path} is corrupt (${reason}); it was moved to ${movedTo}: restore ${basename(path)} from a backup, or delete ${basename(movedTo)} to start with no paired devices, then start the gateway again`,
    path,
    movedTo,
  );
}

async function refuseIfCorruptCopyExists(path: string): Promise<void> {
  const copies = (await readdir(dirname(path)))
    .filter((name) => name.startsWith(corruptPrefix(path)))
    .sort();
  const latest = copies.at(-1);
  if (latest === undefined) return;
  const movedTo = join(dirname(path), latest);
  throw new PairingStoreCorruptError(
    `the pairing store ${path} is missing and an earlier corrupt copy sits at ${movedTo}: restore ${basename(path)} from a backup, or delete ${latest} to start with no paired devices, then start the gateway again`,
    path,
    movedTo,
  );
}

function corruptPrefix(path: string): string {
  return `${basename(path)}.corrupt-`;
}

async function freeCorruptName(path: string, nowMs: number): Promise<string> {
  // Filesystem-safe, sortable, readable: 2025-01-31T12-00-00-000Z.
  const stamp = new Date(nowMs).toISOString().replace(/[:.]/g, '-');
  const base = join(dirname(path), `${corruptPrefix(path)}${stamp}`);
  // rename() replaces an existing target; never overwrite an earlier corrupt copy.
  for (let n = 0; ; n += 1) {
    const candidate = n === 0 ? base : `${base}-${n}`;
    if (!(await exists(candidate))) return candidate;
  }
}

async function removeStrayTempFiles(path: string): Promise<void> {
  // A crash between writing the temp file and renaming it leaves one behind; the gateway
  // lock guarantees no other writer owns it now.
  const prefix = `${TEMP_FILE_MARKER}${basename(path)}-`;
  const names = await readdir(dirname(path));
  await Promise.all(
    names
      .filter((name) => name.startsWith(prefix))
      .map((name) => rm(join(dirname(path), name), { force: true })),
  );
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String(error.code)
    : undefined;
}
