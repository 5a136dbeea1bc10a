/**
 * The gateway's log file, `<home>/logs/gateway.log` (folder 0700, files 0600), rotated by
 * size into `gateway.log.1` … `gateway.log.<maxFiles-1>`.
 *
 * Written here with node:fs rather than a logging library, on purpose: every line is on
 * disk before `write` returns (a synchronous append), so the last lines before a crash,
 * a `process.exit` or Electron's `app.exit(1)` are kept. The stream-based rotators
 * (rotating-file-stream, pino-roll) buffer asynchronously and lose exactly those lines;
 * and rotation by size is a handful of renames.
 */
import {
  chmodSync,
  closeSync,
  fchmodSync,
  fstatSync,
  mkdirSync,
  openSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

/** Size past which the log is rotated (before the line that would cross it). */
export const DEFAULT_LOG_MAX_BYTES = 5 * 1024 * 1024;
/** Files kept, the current one included: gateway.log, gateway.log.1, gateway.log.2. */
export const DEFAULT_LOG_MAX_FILES = 3;
/** The logs folder holds what the gateway saw (addresses, device names): owner only. */
export const LOG_DIR_MODE = 0o700;
export const LOG_FILE_MODE = 0o600;

/** `<home>/logs/gateway.log` (DESIGN.md "Files and environment"). */
export function gatewayLogPath(home: string): string {
  return join(home, 'logs', 'gateway.log');
}

/** The path of generation `index` of a log: 0 is the current file, 1 the newest rotated one. */
export function rotatedLogPath(path: string, index: number): string {
  return index === 0 ? path : `${path}.${index}`;
}

/** Options of {@link RotatingLogFile}; the defaults are the product's. */
export interface RotatingLogFileOptions {
  path: string;
  maxBytes?: number;
  maxFiles?: number;
  /** Called with each failure to write; the line is lost, the next write tries again. */
  onError?: (error: unknown) => void;
}

/**
 * An append-only log file rotated by size. `write` never throws: a log that cannot be
 * written must not take the gateway down (the caller hears of it through `onError`).
 */
export class RotatingLogFile {
  readonly path: string;
  readonly #maxBytes: number;
  readonly #maxFiles: number;
  readonly #onError: (error: unknown) => void;
  #fd: number | undefined;
  #ino = 0;
  #size = 0;

  constructor(options: RotatingLogFileOptions) {
    const { maxBytes = DEFAULT_LOG_MAX_BYTES, maxFiles = DEFAULT_LOG_MAX_FILES } = options;
    if (!(maxBytes > 0)) throw new RangeError(`maxBytes must be positive (got ${maxBytes})`);
    if (!Number.isInteger(maxFiles) || maxFiles < 1) {
      throw new RangeError(`maxFiles must be a whole number from 1 (got ${maxFiles})`);
    }
    this.path = options.path;
    this.#maxBytes = maxBytes;
    this.#maxFiles = maxFiles;
    this.#onError = options.onError ?? (() => undefined);
  }

  /** Appends `line` and a newline; rotates first when the line would cross `maxBytes`. */
  write(line: string): void {
    const data = Buffer.from(`${line}\n`, 'utf8');
    try {
      this.#ensureOpen();
      if (this.#size > 0 && this.#size + data.length > this.#maxBytes) this.#rotate();
      this.#append(data);
    } catch (error) {
      this.#closeQuietly();
      this.#onError(error);
    }
  }

  /** Closes the file; a later `write` opens it again. */
  close(): void {
    this.#closeQuietly();
  }

  #ensureOpen(): void {
    // Someone else may have moved or deleted the file (a user clearing the log, a second
    // process rotating it): a stat per line is cheap next to writing into a file nobody sees.
    if (this.#fd !== undefined && statSync(this.path, { throwIfNoEntry: false })?.ino === this.#ino)
      return;
    this.#closeQuietly();
    const dir = dirname(this.path);
    mkdirSync(dir, { recursive: true, mode: LOG_DIR_MODE });
    // mkdir's mode only applies to a folder it creates; an existing one is tightened too.
    chmodSync(dir, LOG_DIR_MODE);
    const fd = openSync(this.path, 'a', LOG_FILE_MODE);
    try {
      // A file left by an older version or another tool may be more open than ours.
      fchmodSync(fd, LOG_FILE_MODE);
      const stat = fstatSync(fd);
      this.#ino = stat.ino;
      this.#size = stat.size;
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    this.#fd = fd;
  }

  #rotate(): void {
    this.#closeQuietly();
    if (this.#maxFiles === 1) {
      unlinkSync(this.path);
    } else {
      // Oldest first: renaming onto the last generation drops the file that falls off.
      for (let index = this.#maxFiles - 1; index >= 1; index -= 1) {
        renameIfPresent(rotatedLogPath(this.path, index - 1), rotatedLogPath(this.path, index));
      }
    }
    this.#ensureOpen();
  }

  #append(data: Buffer): void {
    const fd = this.#fd;
    if (fd === undefined) return;
    for (let offset = 0; offset < data.length;) {
      offset += writeSync(fd, data, offset, data.length - offset);
    }
    this.#size += data.length;
  }

  #closeQuietly(): void {
    const fd = this.#fd;
    this.#fd = undefined;
    if (fd === undefined) return;
    try {
      closeSync(fd);
    } catch {
      // Closing a descriptor that failed to write may fail the same way; it is gone either way.
    }
  }
}

function renameIfPresent(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
