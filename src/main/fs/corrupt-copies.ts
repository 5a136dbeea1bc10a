/**
 * The file side of STYLE.md "Corrupt → move aside, fail loudly" for app-owned state files
 * (json-state-file.ts, the pairing store): where a corrupt file goes, whether an earlier
 * copy sits beside a missing one, and sweeping temp files a crash left. The messages and
 * error classes stay with each store, which knows what the file holds.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TEMP_FILE_MARKER } from './atomic-file.js';

function corruptPrefix(path: string): string {
  return `${basename(path)}.corrupt-`;
}

/**
 * A free `<name>.corrupt-<time>` beside `path` to move a corrupt file to; never the name of
 * an earlier corrupt copy (rename() would replace it).
 */
export async function freeCorruptName(path: string, nowMs: number): Promise<string> {
  // Filesystem-safe, sortable, readable: 2025-01-31T12-00-00-000Z.
  const stamp = new Date(nowMs).toISOString().replace(/[:.]/g, '-');
  const base = join(dirname(path), `${corruptPrefix(path)}${stamp}`);
  for (let n = 0; ; n += 1) {
    const candidate = n === 0 ? base : `${base}-${n}`;
    if (!(await exists(candidate))) return candidate;
  }
}

/** The newest corrupt copy moved aside from `path` by an earlier start, if any. */
export async function latestCorruptCopy(path: string): Promise<string | undefined> {
  const prefix = corruptPrefix(path);
  const copies = (await readdir(dirname(path))).filter((name) => name.startsWith(prefix));
  const latest = copies.sort().at(-1);
  return latest === undefined ? undefined : join(dirname(path), latest);
}

/** Deletes the temp files of `path` that a crash between write and rename left behind. */
export async function removeStrayTempFiles(path: string): Promise<void> {
  // The gateway lock guarantees no other writer owns one now.
  const prefix = `${TEMP_FILE_MARKER}${basename(path)}-`;
  const names = await readdir(dirname(path));
  await Promise.all(
    names
      .filter((name) => name.startsWith(prefix))
      .map((name) => rm(join(dirname(path), name), { force: true })),
  );
}

/** Whether `path` exists; any error but ENOENT is thrown. */
export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}

/** The `code` of a Node system error. */
export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String(error.code)
    : undefined;
}
