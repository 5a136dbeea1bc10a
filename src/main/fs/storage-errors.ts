import { basename } from 'node:path';
import { unavailable, type GatewayError } from '../../shared/errors.js';
import { TEMP_FILE_MARKER } from './atomic-file.js';

const FIXES: Record<string, string> = {
  ENOSPC: 'the disk is full; free some space and try again',
  EDQUOT: 'the disk quota is used up; free some space and try again',
  EROFS: 'the file system is read-only; remount it read-write or move SPECIAL_AGENT_HOME',
  EACCES: 'permission denied; check the owner and mode of the special-agent home folder',
  EPERM: 'operation not permitted; check the owner and mode of the special-agent home folder',
  EIO: 'the disk reported an I/O error; check it',
};

/** What to do about a storage error code (ENOSPC, EROFS, EACCES, …), if it is one of those. */
export function storageFix(code: string): string | undefined {
  return Object.hasOwn(FIXES, code) ? FIXES[code] : undefined;
}

/** The user's file behind a temp file name (`.tmp-devices.json-1a2b3c` → `devices.json`). */
function fileNameOf(path: unknown): string | undefined {
  if (typeof path !== 'string') return undefined;
  const name = basename(path);
  if (!name.startsWith(TEMP_FILE_MARKER)) return name;
  return name.slice(TEMP_FILE_MARKER.length).replace(/-[0-9a-f]+$/, '');
}

/**
 * A storage failure (full disk, read-only home, …) as an `UNAVAILABLE` error that names the
 * file and the fix, or undefined when `error` is not one. Nothing was changed: every write
 * goes through a temp file first.
 */
export function storageError(error: unknown): GatewayError | undefined {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== 'string' || !(code in FIXES)) return undefined;
  const file = fileNameOf((error as NodeJS.ErrnoException).path);
  const what = file ? `could not save ${file}` : 'could not save';
  return unavailable(`${what}: ${FIXES[code]} (${code}; nothing was changed)`, { errno: code });
}
