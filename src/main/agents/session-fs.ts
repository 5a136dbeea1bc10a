/**
 * The file operations whose order makes a session write durable: write, fsync the file,
 * and for a new file or a removal fsync the folder. A seam, so tests can wrap the real
 * files and watch that order.
 */
import { open } from 'node:fs/promises';
import { fsyncFolder } from '../fs/atomic-file.js';

/** Opens files and folders (`open` of node:fs/promises, or a wrapper around it). */
export interface SessionFs {
  open(path: string, flags: 'w' | 'a' | 'r', mode?: number): Promise<SessionFileHandle>;
}

/** The part of a node:fs `FileHandle` the store uses. */
export interface SessionFileHandle {
  writeFile(data: string): Promise<void>;
  truncate(length: number): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** The real file system. */
export const NODE_SESSION_FS: SessionFs = { open };

/**
 * Writes `text` to `path` (`w`: a new file, `a`: at its end, after cutting it to
 * `truncateTo` bytes) and resolves once it is fsynced. Files are created 0600.
 */
export async function writeSynced(
  fs: SessionFs,
  path: string,
  flags: 'w' | 'a',
  text: string,
  truncateTo?: number,
): Promise<void> {
  const handle = await fs.open(path, flags, 0o600);
  try {
    // A torn line was never acknowledged; cut it so it cannot merge with this one.
    if (truncateTo !== undefined) await handle.truncate(truncateTo);
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes a new file or a removal in `folder` durable. */
export function syncFolder(fs: SessionFs, folder: string): Promise<void> {
  return fsyncFolder(folder, (path, flags) => fs.open(path, flags));
}
