/**
 * Picks up edits to the config file made by anyone (an editor, the CLI, the gateway
 * itself) so the running gateway applies them without a restart where it can, and the
 * CLI's keychain changes, which it announces in `paths.secretsChanged` (secrets-changed.ts).
 */
import { EventEmitter } from 'node:events';
import { mkdirSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Config } from '../../shared/config-schema.js';
import { SerialQueue } from '../fs/atomic-file.js';
import { diffPaths } from './diff-paths.js';
import { configHash } from './config-hash.js';
import { ConfigError, parseConfigText, readConfigFile } from './load.js';
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
 * (a re-read succeeded after an `invalid`), `secrets` (the CLI changed a keychain entry),
 * `error` (a folder watch failed; only emitted when someone listens). */
export interface ConfigWatcherEvents {
  change: [ConfigChange];
  invalid: [ConfigError];
  valid: [Config];
  secrets: [];
  error: [Error];
}

/** Options of `ConfigWatcher`. */
export interface ConfigWatcherOptions {
  paths: AppPaths;
  /** The config the process is running on now (from `loadConfig`). */
  initial: Config;
  /** The `hash` `loadConfig` gave with `initial`; read from the file now when not given. */
  initialHash?: string;
  debounceMs?: number;
}

/**
 * Watches the config file's folder (an atomic rename replaces the file's inode, which a
 * watch on the file itself would lose) and re-reads the file after changes settle.
 */
export class ConfigWatcher extends EventEmitter<ConfigWatcherEvents> {
  readonly #file: string;
  readonly #secretsChanged: string;
  readonly #debounceMs: number;
  readonly #queue = new SerialQueue();
  #current: Config;
  #hash: string;
  #watchers: FSWatcher[] = [];
  #timer: NodeJS.Timeout | undefined;
  #secretsTimer: NodeJS.Timeout | undefined;
  #invalid = false;
  #closed = false;

  constructor(options: ConfigWatcherOptions) {
    super();
    this.#file = options.paths.config;
    this.#secretsChanged = options.paths.secretsChanged;
    this.#current = options.initial;
    this.#hash = options.initialHash ?? hashOfFileNow(this.#file);
    this.#debounceMs = options.debounceMs ?? DEFAULT_WATCH_DEBOUNCE_MS;
  }

  /** The config in effect: the last valid one read. */
  current(): Config {
    return this.#current;
  }

  /**
   * `configHash` of the file `current()` was read from: the `hash` of `config.get`, which a
   * writer's `baseHash` must match. A broken file keeps the hash of the last valid one.
   */
  hash(): string {
    return this.#hash;
  }

  /**
   * Starts watching. Creates the config's folder and the state folder (0700) if they do
   * not exist yet.
   */
  start(): void {
    if (this.#watchers.length > 0 || this.#closed) return;
    this.#watchFolderOf(this.#file, () => this.#schedule());
    this.#watchFolderOf(this.#secretsChanged, () => this.#scheduleSecrets());
  }

  /** Stops watching; pending re-reads are dropped. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#secretsTimer);
    for (const watcher of this.#watchers) watcher.close();
    this.#watchers = [];
  }

  // The folder, not the file: an atomic rename replaces the file's inode.
  #watchFolderOf(file: string, onEvent: () => void): void {
    const folder = dirname(file);
    const name = basename(file);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    // Not persistent: watching alone should not keep a process alive.
    const watcher = watch(folder, { persistent: false }, (_event, filename) => {
      if (filename === null || filename === name) onEvent();
    });
    watcher.on('error', (error) => {
      if (this.listenerCount('error') > 0) this.emit('error', error);
    });
    this.#watchers.push(watcher);
  }

  /**
   * Re-reads the file now (the gateway calls this right after its own edits). Emits
   * `change` if the valid config differs, `invalid` if the file is broken (rejects only if a listener throws).
   * `keepConnectionId` names the connection whose edit this is: a shared-secret change it
   * brings does not close that one (as with `gateway.auth.rotate`).
   */
  reload(origin: { keepConnectionId?: string } = {}): Promise<void> {
    return this.#queue.run(() => this.#reload(origin));
  }

  #schedule(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.reload(), this.#debounceMs);
    this.#timer.unref();
  }

  #scheduleSecrets(): void {
    if (this.#closed) return;
    clearTimeout(this.#secretsTimer);
    this.#secretsTimer = setTimeout(() => {
      if (!this.#closed) this.emit('secrets');
    }, this.#debounceMs);
    this.#secretsTimer.unref();
  }

  async #reload(origin: { keepConnectionId?: string } = {}): Promise<void> {
    if (this.#closed) return;
    let next: Config;
    let hash: string;
    try {
      const read = await readConfigFile(this.#file);
      // A deleted file means defaults, exactly as at startup.
      next = parseConfigText(read.text ?? '', this.#file);
      hash = read.hash;
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
    // Also when no setting changed (a comment did): the hash names the bytes.
    this.#hash = hash;
    if (this.#invalid) {
      this.#invalid = false;
      this.emit('valid', next);
    }
    const changedPaths = diffPaths(this.#current, next);
    if (changedPaths.length === 0) return;
    this.#current = next;
    this.emit('change', { config: next, changedPaths, ...origin });
  }
}

/** The hash of the file as it is now, for a watcher given no `initialHash`. */
function hashOfFileNow(file: string): string {
  try {
    return configHash(readFileSync(file));
  } catch {
    // Missing, or unreadable (then every baseHash conflicts until a re-read succeeds).
    return configHash(undefined);
  }
}
