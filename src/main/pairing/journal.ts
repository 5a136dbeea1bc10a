/**
 * `<home>/state/devices.journal`: the changes made since `devices.json` was last written,
 * one transaction per line, `<crc32 as 8 hex digits> <JSON entry>\n`, each fsynced before
 * its transaction is acknowledged. A crash can cut off only the line being appended (never
 * acknowledged); such a torn tail is ignored. A damaged line anything valid follows is
 * corruption, and so is a valid line with a bad entry: the caller refuses to start.
 */
import { open, readFile, rm, statfs, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { SerialQueue, fsyncFolder, writeFileAtomic } from '../fs/atomic-file.js';
import { RecordIssue, parseJournalEntry, type JournalEntry } from './store-schema.js';

/** The line of `entry`, newline included. */
export function encodeEntry(entry: JournalEntry): string {
  const json = JSON.stringify(entry);
  return `${checksum(json)} ${json}\n`;
}

function checksum(json: string): string {
  return crc32(json).toString(16).padStart(8, '0');
}

/** A journal line that is damaged or holds a bad entry (1-based line number). */
export class JournalDamage extends Error {
  readonly line: number;
  readonly reason: string;

  constructor(line: number, reason: string) {
    super(`line ${line}: ${reason}`);
    this.name = 'JournalDamage';
    this.line = line;
    this.reason = reason;
  }
}

/** One valid line. */
export interface JournalLine {
  entry: JournalEntry;
  text: string;
}

/** What {@link parseJournal} found. */
export interface ParsedJournal {
  lines: JournalLine[];
  /** Bytes after the last valid line: a torn append, ignored. */
  tornBytes: number;
}

/**
 * The valid lines of a journal, in order, with consecutive `seq`. Throws
 * {@link JournalDamage} for a damaged line before the last valid one, more damage after it
 * than one torn append leaves (one line, with or without its newline), a valid line whose
 * entry fails the schema, or a gap in `seq`.
 */
export function parseJournal(text: string): ParsedJournal {
  const parts = text.split('\n');
  // The last part is '' when the file ends with a newline, else an unterminated line.
  const complete = parts.slice(0, -1);
  const sound = complete.map(checkedJson);
  let lastSound = -1;
  sound.forEach((json, index) => {
    if (json !== undefined) lastSound = index;
  });
  // Appends go one at a time, each fsynced before the next: only the last can be torn.
  // More than one line after the last valid one holds acknowledged changes.
  const tail = parts.at(-1) ?? '';
  const damagedAfter = complete.length - 1 - lastSound;
  if (damagedAfter > 1 || (damagedAfter === 1 && tail !== ''))
    throw new JournalDamage(
      lastSound + 2,
      'damaged (checksum mismatch), and more follows it than one interrupted write leaves',
    );
  const lines: JournalLine[] = [];
  for (let index = 0; index <= lastSound; index += 1) {
    const json = sound[index];
    if (json === undefined)
      throw new JournalDamage(index + 1, 'damaged (checksum mismatch), and valid lines follow it');
    const entry = decode(json, index + 1);
    const previous = lines.at(-1);
    if (previous !== undefined && entry.seq !== previous.entry.seq + 1)
      throw new JournalDamage(
        index + 1,
        `change ${entry.seq} follows change ${previous.entry.seq} (changes are missing)`,
      );
    lines.push({ entry, text: `${complete[index]}\n` });
  }
  const kept = lines.reduce((sum, line) => sum + Buffer.byteLength(line.text), 0);
  return { lines, tornBytes: Buffer.byteLength(text) - kept };
}

function checkedJson(line: string): string | undefined {
  const json = line.slice(9);
  return line.length > 9 && line[8] === ' ' && line.slice(0, 8) === checksum(json)
    ? json
    : undefined;
}

function decode(json: string, line: number): JournalEntry {
  try {
    return parseJournalEntry(JSON.parse(json));
  } catch (error) {
    const reason = error instanceof RecordIssue ? error.message : String(error);
    throw new JournalDamage(line, `invalid entry: ${reason}`);
  }
}

/** The journal's text, or undefined when there is none. Other read errors are thrown. */
export async function readJournalText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Appends to the journal, one writer at a time, and rewrites it without the entries a new
 * `devices.json` holds. Errors carry the path of `devices.json`, the file a person knows
 * the pairing store by (storage-errors.ts names it in the message).
 */
export class JournalFile {
  readonly path: string;
  readonly #storePath: string;
  readonly #queue = new SerialQueue();
  #lines: JournalLine[];
  #bytes: number;
  /** The next entry may not be appended (see {@link markBroken} and a failed undo). */
  #broken = false;

  constructor(path: string, storePath: string, lines: JournalLine[]) {
    this.path = path;
    this.#storePath = storePath;
    this.#lines = lines;
    this.#bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line.text), 0);
  }

  /** Bytes of valid entries in the file. */
  get bytes(): number {
    return this.#bytes;
  }

  /** True when the next write must replace the journal instead of appending to it. */
  get broken(): boolean {
    return this.#broken;
  }

  /**
   * The journal no longer ends where the next entry may follow (a snapshot took the entry
   * after it, and dropping the older entries failed): the next write must replace it.
   */
  markBroken(): void {
    this.#broken = true;
  }

  /** Appends `entry` and fsyncs; resolves once it is durable. A failure leaves the file as it was. */
  append(entry: JournalEntry): Promise<void> {
    return this.#queue.run(async () => {
      if (this.#broken) throw new Error('the pairing journal must be rewritten before appending');
      const text = encodeEntry(entry);
      const bytes = Buffer.from(text, 'utf8');
      const created = this.#bytes === 0;
      let written = 0;
      try {
        await refuseWhenDiskFull(dirname(this.path));
        const handle = await open(this.path, 'a', 0o600);
        try {
          while (written < bytes.length) {
            const { bytesWritten } = await handle.write(bytes, written, bytes.length - written);
            if (bytesWritten === 0) throw diskFull('write');
            written += bytesWritten;
          }
          await handle.datasync();
        } finally {
          await handle.close();
        }
        if (created) await fsyncFolder(dirname(this.path));
      } catch (error) {
        if (written > 0) await this.#undo();
        throw this.#named(error);
      }
      this.#lines.push({ entry, text });
      this.#bytes += bytes.length;
    });
  }

  /**
   * Drops the entries up to `seq` (a new `devices.json` holds them): rewrites the file
   * atomically with the later ones, or removes it when none are left.
   */
  dropThrough(seq: number): Promise<void> {
    return this.#queue.run(async () => {
      const kept = this.#lines.filter((line) => line.entry.seq > seq);
      try {
        if (kept.length === 0) {
          await rm(this.path, { force: true });
          await fsyncFolder(dirname(this.path));
        } else {
          const text = kept.map((line) => line.text).join('');
          await writeFileAtomic(this.path, text, { mode: 0o600 });
        }
      } catch (error) {
        // The file is as it was (the rewrite is atomic): appending to it stays valid.
        throw this.#named(error);
      }
      this.#lines = kept;
      this.#bytes = kept.reduce((sum, line) => sum + Buffer.byteLength(line.text), 0);
      this.#broken = false;
    });
  }

  /** Resolves when every append and rewrite started so far has finished. */
  flush(): Promise<void> {
    return this.#queue.run(() => Promise.resolve());
  }

  /** Cuts off what a failed append wrote; marks the journal broken if even that fails. */
  async #undo(): Promise<void> {
    try {
      await truncate(this.path, this.#bytes);
      const handle = await open(this.path, 'r+');
      try {
        await handle.datasync();
      } finally {
        await handle.close();
      }
    } catch {
      this.#broken = true;
    }
  }

  #named(error: unknown): unknown {
    const errno = error as NodeJS.ErrnoException;
    if (errno && typeof errno === 'object') errno.path = this.#storePath;
    return error;
  }
}

/**
 * A full file system refuses the write even when the line would still fit in the file's
 * last block: otherwise whether an approval succeeds on a full disk would depend on block
 * slack, and the journal would grow where no new `devices.json` can be written to fold it.
 */
async function refuseWhenDiskFull(folder: string): Promise<void> {
  const stats = await statfs(folder).catch(() => undefined);
  if (stats !== undefined && stats.blocks > 0 && stats.bfree === 0) throw diskFull('statfs');
}

function diskFull(syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOSPC: no space left on device, ${syscall}`), {
    code: 'ENOSPC',
    errno: -28,
    syscall,
  });
}
