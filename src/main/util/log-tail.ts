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
  let lines: string[] = [];
  for (let index = 0; index < maxFiles && lines.length < count; index += 1) {
    const older = await lastLinesOfFile(rotatedLogPath(path, index), count - lines.length);
    lines = [...older, ...lines];
  }
  return lines;
}

/** True when the log file exists. */
export async function logExists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}

async function lastLinesOfFile(path: string, count: number): Promise<string[]> {
  if (count <= 0) return [];
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  try {
    const { size } = await file.stat();
    // Scan back from the end until `count` breaks are in hand, then split once.
    let start = size;
    let tail = Buffer.alloc(0);
    while (start > 0 && countBreaks(tail) <= count) {
      const length = Math.min(CHUNK_BYTES, start);
      start -= length;
      const chunk = Buffer.alloc(length);
      await file.read(chunk, 0, length, start);
      tail = Buffer.concat([chunk, tail]);
    }
    const lines = tail.toString('utf8').split('\n');
    // The piece after the last break is a line still being written (or nothing).
    lines.pop();
    // The first piece may be the end of a line that started before `start`.
    if (start > 0) lines.shift();
    return lines.slice(-count);
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
    first = false;
    const now = await stat(options.path).catch(() => undefined);
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
    current = { file, ino: stats.ino, position: startAtEnd ? stats.size : 0 };
    await drain();
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
