import { randomBytes } from 'node:crypto';
import { open, rename, rm, mkdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Prefix of every temp file we create, so crash tests can find strays. */
export const TEMP_FILE_MARKER = '.tmp-';

/** The calls an atomic write makes on an open file. */
export interface AtomicWriteHandle {
  writeFile(data: string | Uint8Array): Promise<void>;
  chmod(mode: number): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The file-system calls an atomic write makes. Production uses node:fs/promises; a test
 * passes a wrapper that records them, because the order of the fsyncs (which no crash of
 * the process can reveal, only a power cut) is the point of the write.
 */
export interface AtomicWriteFs {
  open(path: string, flags: string, mode?: number): Promise<AtomicWriteHandle>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, options: { force: boolean }): Promise<void>;
  mkdir(path: string, options: { recursive: true; mode: number }): Promise<unknown>;
}

// Calls through the live ESM bindings, so a patched node:fs (test/crash/faulty-disk.ts)
// still reaches every write.
const NODE_FS: AtomicWriteFs = {
  open: (path, flags, mode) => open(path, flags, mode),
  rename: (from, to) => rename(from, to),
  rm: (path, options) => rm(path, options),
  mkdir: (path, options) => mkdir(path, options),
};

/**
 * Writes `data` to `path` so that after a crash at any moment the file holds either the
 * old or the new content, never a mix (STYLE.md "State"; Syncthing's atomic writer):
 * temp file in the same folder → write → fsync → rename over → fsync the folder.
 * `options.fs` replaces node:fs/promises (tests record the calls); the default is node's.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: { mode?: number; fs?: AtomicWriteFs } = {},
): Promise<void> {
  const fs = options.fs ?? NODE_FS;
  const folder = dirname(path);
  await fs.mkdir(folder, { recursive: true, mode: 0o700 });
  const tempPath = join(
    folder,
    `${TEMP_FILE_MARKER}${basename(path)}-${randomBytes(6).toString('hex')}`,
  );
  const mode = options.mode ?? 0o600;
  let renamed = false;
  try {
    const handle = await fs.open(tempPath, 'wx', mode);
    try {
      await handle.writeFile(data);
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tempPath, path);
    renamed = true;
    await fsyncFolder(folder, (path, flags) => fs.open(path, flags));
  } catch (error) {
    // A failed write of a file handle carries no path; name the file the user knows.
    const errno = error as NodeJS.ErrnoException;
    if (errno && typeof errno === 'object' && errno.path === undefined) errno.path = path;
    throw error;
  } finally {
    if (!renamed) await fs.rm(tempPath, { force: true }).catch(() => undefined);
  }
}

/** What {@link fsyncFolder} needs to open a folder (`open` of node:fs/promises; tests wrap it). */
export type OpenFolder = (
  path: string,
  flags: 'r',
) => Promise<{ sync(): Promise<void>; close(): Promise<void> }>;

/**
 * Makes a rename, a new file or a removal in `folder` durable. Some platforms (Windows)
 * cannot open a folder; the change is then as durable as that OS makes it.
 */
export async function fsyncFolder(folder: string, openFolder: OpenFolder = open): Promise<void> {
  let handle;
  try {
    handle = await openFolder(folder, 'r');
    await handle.sync();
  } catch {
    return;
  } finally {
    await handle?.close();
  }
}

/**
 * Serialises async work: one writer at a time for a given file. `run` waits for every
 * earlier task, even failed ones, then runs `task`.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task, task);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * One {@link SerialQueue} per key: the tasks of one key run one at a time, in order; keys
 * run side by side. A key is forgotten once its last task settled.
 */
export class KeyedSerialQueue {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const result = (this.#tails.get(key) ?? Promise.resolve()).then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}
