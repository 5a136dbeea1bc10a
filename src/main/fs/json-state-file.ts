/**
 * One app-owned JSON state file (STYLE.md "State"): whole snapshots written atomically, mode
 * 0600, one writer at a time. A file that cannot be parsed is moved aside and the load fails
 * loudly; it is never read as empty, and neither is a missing file beside such a copy. The
 * same rules as the pairing store (src/main/pairing/pairing-store.ts), for any schema.
 */
import { mkdir, readFile, rename } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { z } from 'zod';
import { EXIT } from '../../shared/exit-codes.js';
import type { Clock } from '../util/clock.js';
import { SerialQueue, writeFileAtomic } from './atomic-file.js';
import {
  errorCode,
  freeCorruptName,
  latestCorruptCopy,
  removeStrayTempFiles,
} from './corrupt-copies.js';

/** What a state file holds and how to talk about it in messages. */
export interface StateFileSpec<T> {
  path: string;
  /** Names the file in messages, e.g. `the auth profile state`. */
  what: string;
  /** What deleting the moved-aside copy costs, e.g. `to start with every profile ready`. */
  freshStart: string;
  /** The one format version this code reads and writes (a `version` field of the data). */
  version: number;
  schema: z.ZodType<T>;
  /** The data of a file that does not exist yet. */
  empty: () => T;
}

/** The state file exists but cannot be used; the gateway must not start (exit 78). */
export class StateFileError extends Error {
  readonly exitCode = EXIT.config;
  readonly path: string;

  constructor(message: string, path: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StateFileError';
    this.path = path;
  }
}

/** The state file was damaged and moved aside to `movedTo`. */
export class StateFileCorruptError extends StateFileError {
  readonly movedTo: string;

  constructor(message: string, path: string, movedTo: string) {
    super(message, path);
    this.name = 'StateFileCorruptError';
    this.movedTo = movedTo;
  }
}

/** A loaded state file and its one writer. */
export class JsonStateFile<T> {
  readonly path: string;
  readonly data: T;
  readonly #queue = new SerialQueue();

  private constructor(path: string, data: T) {
    this.path = path;
    this.data = data;
  }

  /**
   * Loads the file for writing (the gateway, which holds the gateway lock). Missing → empty.
   * Corrupt → moved to `<name>.corrupt-<time>` and {@link StateFileCorruptError} thrown.
   */
  static async open<T>(spec: StateFileSpec<T>, clock: Clock): Promise<JsonStateFile<T>> {
    await mkdir(dirname(spec.path), { recursive: true, mode: 0o700 });
    await removeStrayTempFiles(spec.path);
    const text = await readText(spec);
    if (text === undefined) {
      await refuseIfCorruptCopyExists(spec);
      return new JsonStateFile(spec.path, spec.empty());
    }
    const parsed = parse(spec, text);
    if ('data' in parsed) return new JsonStateFile(spec.path, parsed.data);
    return moveAside(spec, parsed.problem, clock);
  }

  /**
   * Reads the file without ever writing or moving it (the CLI, beside a running gateway).
   * Missing → empty; unreadable or corrupt → {@link StateFileError}.
   */
  static async read<T>(spec: StateFileSpec<T>): Promise<T> {
    const text = await readText(spec);
    if (text === undefined) return spec.empty();
    const parsed = parse(spec, text);
    if ('data' in parsed) return parsed.data;
    throw new StateFileError(
      `${spec.what} ${spec.path} is corrupt (${parsed.problem}); start the gateway to move it aside, or delete it ${spec.freshStart}`,
      spec.path,
    );
  }

  /** Writes `data` as the new content of the file; resolves once it is durable. */
  save(data: T): Promise<void> {
    const json = `${JSON.stringify(data, null, 2)}\n`;
    return this.#queue.run(() => writeFileAtomic(this.path, json, { mode: 0o600 }));
  }
}

async function readText(spec: StateFileSpec<unknown>): Promise<string | undefined> {
  try {
    return await readFile(spec.path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    const reason = error instanceof Error ? error.message : String(error);
    throw new StateFileError(
      `cannot read ${spec.what} ${spec.path}: ${reason} (make it a readable file owned by this user, then try again)`,
      spec.path,
      { cause: error },
    );
  }
}

function parse<T>(spec: StateFileSpec<T>, text: string): { data: T } | { problem: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { problem: `invalid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  const version = (raw as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version > spec.version) {
    // A newer app wrote it: the data is probably fine, so leave it where it is.
    throw new StateFileError(
      `${spec.what} ${spec.path} has format version ${version}, newer than this app understands (${spec.version}); update special-agent`,
      spec.path,
    );
  }
  const parsed = spec.schema.safeParse(raw);
  if (parsed.success) return { data: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return { problem: `invalid content: ${where}${issue?.message ?? 'schema mismatch'}` };
}

async function moveAside(
  spec: StateFileSpec<unknown>,
  problem: string,
  clock: Clock,
): Promise<never> {
  const movedTo = await freeCorruptName(spec.path, clock.now());
  try {
    await rename(spec.path, movedTo);
  } catch (error) {
    throw new StateFileError(
      `${spec.what} ${spec.path} is corrupt (${problem}) and could not be moved aside: ${String(error)}; delete it ${spec.freshStart}`,
      spec.path,
      { cause: error },
    );
  }
  throw new StateFileCorruptError(
    `${spec.what} ${spec.path} is corrupt (${problem}); it was moved to ${movedTo}: delete ${basename(movedTo)} ${spec.freshStart}, then start the gateway again`,
    spec.path,
    movedTo,
  );
}

async function refuseIfCorruptCopyExists(spec: StateFileSpec<unknown>): Promise<void> {
  const movedTo = await latestCorruptCopy(spec.path);
  if (movedTo === undefined) return;
  throw new StateFileCorruptError(
    `${spec.what} ${spec.path} is missing and an earlier corrupt copy sits at ${movedTo}: delete ${basename(movedTo)} ${spec.freshStart}, then start the gateway again`,
    spec.path,
    movedTo,
  );
}
