/**
 * Reading the gateway log back: the last lines (across rotated files) for `logs.tail` and
 * `special-agent gateway logs`, and following it like `tail -F` across rotation.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { DEFAULT_LOG_MAX_FILES, rotatedLogPath } from './log-file.js';

/** Bytes read per step when scanning a file backwards for line breaks. */
const CHUNK_BYTES = 64 * 1024;
/** Lines `logs.tail` and `gateway logs` show when not told. */
export const DEFAULT_TAIL_LINES = 100;
/** Most lines one `logs.tail` call returns. */
export const MAX_TAIL_LINES = 500;
/** How often a follower looks for new lines or a rotation. */
export const DEFAULT_FOLLOW_INTERVAL_MS = 250;

/**
 * The last `count` complete lines of the log at `path`, oldest first, reaching into
 * `path.1`, `path.2`, … when the current file holds fewer. A missing file counts as empty.
 */
export async function readLastLines(
  path: string,
  count: number,
  maxFiles: number = DEFAULT_LOG_MAX_FILES,
): Promise<string[]> {
  return (await readLastLinesUpTo(path, count, maxFiles)).lines;
}

/** Where a read of the log ended: the file (by inode) and the offset after its last line. */
export interface LogPosition {
  ino: number;
  position: number;
}

/**
 * {@link readLastLines}, plus where they end in the current file, so a follower started
 * with `from` this position misses no line written meanwhile and repeats none.
 */
export async function readLastLinesUpTo(
  path: string,
  count: number,
  maxFiles: number = DEFAULT_LOG_MAX_FILES,
): Promise<{ lines: string[]; end: LogPosition | undefined }> {
  const current = await lastLinesOfFile(path, count);
  let lines = current.lines;
  for (let index = 1; index < maxFiles && lines.length < count; index += 1) {
    const older = await lastLinesOfFile(rotatedLogPath(path, index), count - lines.length);
    lines = [...older.lines, ...lines];
  }
  return { lines, end: current.end };
}

/** True when the log file exists. */
export async function logExists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}

async function lastLinesOfFile(
  path: string,
  count: number,
): Promise<{ lines: string[]; end: LogPosition | undefined }> {
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], end: undefined };
    throw error;
  }
  try {
    const { size, ino } = await file.stat();
    // Scan back from the end until `count` breaks are in hand, then split once.
    let start = size;
    let tail = Buffer.alloc(0);
    while (start > 0 && (count === 0 || countBreaks(tail) <= count)) {
      const length = Math.min(CHUNK_BYTES, start);
      start -= length;
      const chunk = Buffer.alloc(length);
      await file.read(chunk, 0, length, start);
      tail = Buffer.concat([chunk, tail]);
      // With no line wanted, only the last break matters.
      if (count === 0 && tail.includes(10)) break;
    }
    // After the last complete line: a line still being written is the follower's.
    const end = { ino, position: start + tail.lastIndexOf(10) + 1 };
    if (count === 0) return { lines: [], end };
    const lines = tail.toString('utf8').split('\n');
    // The piece after the last break is a line still being written (or nothing).
    lines.pop();
    // The first piece may be the end of a line that started before `start`.
    if (start > 0) lines.shift();
    return { lines: lines.slice(-count), end };
  } finally {
    await file.close();
  }
}

function countBreaks(buffer: Buffer): number {
  let breaks = 0;
  for (let at = buffer.indexOf(10); at !== -1; at = buffer.indexOf(10, at + 1)) breaks += 1;
  return breaks;
}

/** Options of {@link followLog}. */
export interface FollowOptions {
  path: string;
  /** Called with each new complete line, in order. */
  onLine: (line: string) => void;
  /** Start at the current end of the file (true) or at its beginning. */
  fromEnd?: boolean;
  /**
   * Start exactly here (from {@link readLastLinesUpTo}); wins over `fromEnd`. When the file
   * rotated since, the rest of the rotated file comes first.
   */
  from?: LogPosition | undefined;
  intervalMs?: number;
}

/**
 * Follows the log like `tail -F`: new lines as they are written, and after a rotation (the
 * path names a new file) the rest of the old file, then the new one from its start.
 * A file that does not exist yet is waited for; a reading error ends nothing, the next look
 * retries. `ready` resolves once the first look is done, `stop()` once the last look is
 * over and the file is closed.
 */
export function followLog(options: FollowOptions): { ready: Promise<void>; stop(): Promise<void> } {
  const intervalMs = options.intervalMs ?? DEFAULT_FOLLOW_INTERVAL_MS;
  let current: { file: FileHandle; ino: number; position: number } | undefined;
  let partial = '';
  let stopped = false;
  let first = true;

  const drain = async () => {
    if (!current) return;
    const buffer = Buffer.alloc(CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await current.file.read(buffer, 0, buffer.length, current.position);
      if (bytesRead === 0) return;
      current.position += bytesRead;
      const text = partial + buffer.subarray(0, bytesRead).toString('utf8');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) options.onLine(line);
    }
  };

  const look = async () => {
    const startAtEnd = first && options.fromEnd !== false;
    const from = first ? options.from : undefined;
    first = false;
    const now = await stat(options.path).catch(() => undefined);
    if (from && now?.ino !== from.ino) await resumeRotated(from);
    if (current && now?.ino === current.ino) {
      // Truncated in place: start over from its beginning.
      if (now.size < current.position) current.position = 0;
      return drain();
    }
    // Rotated or deleted: whatever reached the old file after our last look comes first.
    await drain();
    await current?.file.close();
    current = undefined;
    partial = '';
    if (!now) return;
    const file = await open(options.path, 'r');
    const stats = await file.stat();
    const position = from?.ino === stats.ino ? from.position : startAtEnd && !from ? stats.size : 0;
    current = { file, ino: stats.ino, position };
    await drain();
  };

  // The file `from` names was rotated away before the first look: its rest, if it is `.1`.
  const resumeRotated = async (from: LogPosition) => {
    const file = await open(rotatedLogPath(options.path, 1), 'r').catch(() => undefined);
    if (!file) return;
    current = { file, ino: (await file.stat()).ino, position: from.position };
    if (current.ino === from.ino) await drain();
    await file.close();
    current = undefined;
    partial = '';
  };

  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  const tick = () => {
    running = look()
      .catch(() => undefined)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  tick();
  // The first look has opened the file (or found none): from here on no line is missed.
  const ready = running;
  return {
    ready,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      await current?.file.close();
      current = undefined;
    },
  };
}
