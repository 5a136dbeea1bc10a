/**
 * The sessions folder on disk: one `<sessionId>.jsonl` per session (`session-file.ts` has
 * the format). Reads and parses files, sets a damaged one aside, and writes, removes and
 * syncs them through the durable operations of `session-fs.ts`.
 */
import { chmod, mkdir, readFile, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { unavailable } from '../../shared/errors.js';
import type { Clock } from '../util/clock.js';
import { parseSessionFile, type ParsedSessionFile } from './session-file.js';
import { syncFolder, writeSynced, type SessionFs } from './session-fs.js';
import { isValidSessionId } from './session-limits.js';

/** What a {@link SessionFolder} needs. */
export interface SessionFolderDeps {
  dir: string;
  /** Names the copy of a damaged file (`*.damaged-<ms>`). */
  clock: Clock;
  fs: SessionFs;
  /** Told after a damaged file was set aside, so nothing in memory still describes it. */
  onSetAside: (sessionId: string) => void;
}

/** The session files of {@link SessionStore}. */
export class SessionFolder {
  readonly #dir: string;
  readonly #clock: Clock;
  readonly #fs: SessionFs;
  readonly #onSetAside: (sessionId: string) => void;
  #ready = false;

  constructor(deps: SessionFolderDeps) {
    this.#dir = deps.dir;
    this.#clock = deps.clock;
    this.#fs = deps.fs;
    this.#onSetAside = deps.onSetAside;
  }

  /** The ids of the session files in the folder (none when it does not exist yet). */
  async ids(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.#dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      names = [];
    }
    return names
      .map((name) => (name.endsWith('.jsonl') ? name.slice(0, -'.jsonl'.length) : ''))
      .filter(isValidSessionId);
  }

  /**
   * The session's file with its last `keep` messages, or undefined when it holds nothing
   * (see `parseSessionFile`). A file whose header is unreadable is set aside: UNAVAILABLE.
   */
  async read(sessionId: string, keep: number): Promise<ParsedSessionFile | undefined> {
    let data: Buffer;
    try {
      data = await readFile(this.#path(sessionId));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const parsed = parseSessionFile(data, keep);
    if (parsed === 'damaged') return this.#setAside(sessionId);
    return parsed;
  }

  /** Appends `text` to the session's file, cutting a torn line at `tornAt` first; resolves once fsynced. */
  append(sessionId: string, text: string, tornAt: number | undefined): Promise<void> {
    return writeSynced(this.#fs, this.#path(sessionId), 'a', text, tornAt);
  }

  /** Writes the session's file anew with `text`; resolves once fsynced (the folder is not). */
  replace(sessionId: string, text: string): Promise<void> {
    return writeSynced(this.#fs, this.#path(sessionId), 'w', text);
  }

  /** Removes the session's file, if there is one (the folder is not synced). */
  unlink(sessionId: string): Promise<void> {
    return unlink(this.#path(sessionId)).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    });
  }

  /** Makes a new file or a removal in the folder durable. */
  sync(): Promise<void> {
    return syncFolder(this.#fs, this.#dir);
  }

  /** Creates the folder (0700) before the first new file. */
  async ensure(): Promise<void> {
    if (this.#ready) return;
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    // mkdir's mode only applies to folders it creates; this one is ours, so tighten it.
    await chmod(this.#dir, 0o700);
    this.#ready = true;
  }

  /** A file whose header is unreadable: keep it for inspection, and say so. */
  async #setAside(sessionId: string): Promise<never> {
    await rename(this.#path(sessionId), `${this.#path(sessionId)}.damaged-${this.#clock.now()}`);
    this.#onSetAside(sessionId);
    throw unavailable(
      `session "${sessionId}" history was unreadable and has been set aside (send again to start it fresh)`,
    );
  }

  #path(sessionId: string): string {
    return join(this.#dir, `${sessionId}.jsonl`);
  }
}
