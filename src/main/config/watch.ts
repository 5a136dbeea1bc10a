/**
 * Picks up edits to the config file made by anyone (an editor, the CLI, the gateway
 * itself) so the running gateway applies them without a restart where it can.
 */
import { EventEmitter } from 'node:events';
import { mkdirSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Config } from '../../shared/config-schema.js';
import { SerialQueue } from '../fs/atomic-file.js';
import { diffPaths } from './diff-paths.js';
import { ConfigError, parseConfigText, readConfigText } from './load.js';
import type { AppPaths } from './paths.js';

export { diffPaths } from './diff-paths.js';

/** Quiet time after the last file event before re-reading: editors write in bursts. */
export const DEFAULT_WATCH_DEBOUNCE_MS = 150;

/** Payload of `'change'`. */
export interface ConfigChange {
  config: Config;
  /** Dotted leaf paths whose effective value changed, sorted. */
  changedPaths: string[];
}

/** Events: `change` (valid and different), `invalid` (previous config kept), `valid`
 * (a re-read succeeded after an `invalid`), `error` (the folder watch failed; only emitted
 * when someone listens). */
export interface ConfigWatcherEvents {
  change: [ConfigChange];
  invalid: [ConfigError];
  valid: [Config];
  error: [Error];
}

/** Options of `ConfigWatcher`. */
export interface ConfigWatcherOptions {
  paths: AppPaths;
  /** The config the process is running on now (from `loadConfig`). */
  initial: Config;
  debounceMs?: number;
}

/**
 * Watches the config file's folder (an atomic rename replaces the file's inode, which a
 * watch on the file itself would lose) and re-reads the file after changes settle.
 */
export class ConfigWatcher extends EventEmitter<ConfigWatcherEvents> {
  readonly #file: string;
  readonly #debounceMs: number;
  readonly #queue = new SerialQueue();
  #current: Config;
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #invalid = false;
  #closed = false;

  constructor(options: ConfigWatcherOptions) {
    super();
    this.#file = options.paths.config;
    this.#current = options.initial;
    this.#debounceMs = options.debounceMs ?? DEFAULT_WATCH_DEBOUNCE_MS;
  }

  /** The config in effect: the last valid one read. */
  current(): Config {
    return this.#current;
  }

  /** Starts watching. Creates the config's folder (0700) if it does not exist yet. */
  start(): void {
    if (this.#watcher || this.#closed) return;
    const folder = dirname(this.#file);
    const name = basename(this.#file);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    // Not persistent: watching alone should not keep a process alive.
    this.#watcher = watch(folder, { persistent: false }, (_event, filename) => {
      if (filename === null || filename === name) this.#schedule();
    });
    this.#watcher.on('error', (error) => {
      if (this.listenerCount('error') > 0) this.emit('error', error);
    });
  }

  /** Stops watching; pending re-reads are dropped. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#watcher?.close();
    this.#watcher = undefined;
  }

  /**
   * Re-reads the file now (the gateway calls this right after its own edits). Emits
   * `change` if the valid config differs, `invalid` if the file is broken (rejects only if a listener throws).
   */
  reload(): Promise<void> {
    return this.#queue.run(() => this.#reload());
  }

  #schedule(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.reload(), this.#debounceMs);
    this.#timer.unref();
  }

  async #reload(): Promise<void> {
    if (this.#closed) return;
    let next: Config;
    try {
      const text = await readConfigText(this.#file);
      // A deleted file means defaults, exactly as at startup.
      next = parseConfigText(text ?? '', this.#file);
    } catch (error) {
      if (this.#closed) return;
      this.#invalid = true;
      const configError =
        error instanceof ConfigError
          ? error
          : new ConfigError(`${this.#file}: ${String(error)}`, { file: this.#file, cause: error });
      this.emit('invalid', configError);
      return;
    }
    if (this.#closed) return;
    if (this.#invalid) {
      this.#invalid = false;
      this.emit('valid', next);
    }
    const changedPaths = diffPaths(this.#current, next);
    if (changedPaths.length === 0) return;
    this.#current = next;
    this.emit('change', { config: next, changedPaths });
  }
}
