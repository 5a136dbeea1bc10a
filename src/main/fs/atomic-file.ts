import { randomBytes } from 'node:crypto';
import { open, rename, rm, mkdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Prefix of every temp file we create, so crash tests can find strays. */
export const TEMP_FILE_MARKER = '.tmp-';

/**
 * Writes `data` to `path` so that after a crash at any moment the file holds either the
 * old or the new content, never a mix (STYLE.md "State"; Syncthing's atomic writer):
 * temp file in the same folder → write → fsync → rename over → fsync the folder.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: { mode?: number } = {},
): Promise<void> {
  const folder = dirname(path);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const tempPath = join(
    folder,
    `${TEMP_FILE_MARKER}${basename(path)}-${randomBytes(6).toString('hex')}`,
  );
  const mode = options.mode ?? 0o600;
  let renamed = false;
  try {
    const handle = await open(tempPath, 'wx', mode);
    try {
      await handle.writeFile(data);
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tempPath, path);
    renamed = true;
    await fsyncFolder(folder);
  } catch (error) {
    // A failed write of a file handle carries no path; name the file the user knows.
    const errno = error as NodeJS.ErrnoException;
    if (errno && typeof errno === 'object' && errno.path === undefined) errno.path = path;
    throw error;
  } finally {
    if (!renamed) await rm(tempPath, { force: true }).catch(() => undefined);
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
