/**
 * `configure set/unset` and the UI forms: apply edits to the user's JSON5 file surgically,
 * validate the result, then write it atomically. An invalid file or an invalid result is
 * refused and nothing is written. Every edit holds `<config>.lock` (config-lock.ts) and
 * re-reads the file under it, so concurrent writers in any process never lose an edit.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdir, realpath, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import JSON5 from 'json5';
import { configSchema, type Config } from '../../shared/config-schema.js';
import { SerialQueue, writeFileAtomic } from '../fs/atomic-file.js';
import { ConfigConflictError, configHash } from './config-hash.js';
import { withConfigLock, type ConfigLockLimits } from './config-lock.js';
import { formatConfigPath, parseConfigPath, restartRequiredFor } from './config-path.js';
import { diffPaths } from './diff-paths.js';
import { setValueInText, unsetValueInText } from './edit-text.js';
import type { PathSegment } from './json5-positions.js';
import { ConfigError, describeConfigIssue, parseConfigText, readConfigFile } from './load.js';
import type { AppPaths } from './paths.js';

export { parseCliValue, parseConfigPath, restartRequiredFor } from './config-path.js';

/** What a missing (or blank) config file is edited from. */
export const EMPTY_CONFIG_TEXT = '{\n}\n';
/** Mode of a config file the editor creates; an existing file keeps its own. */
export const NEW_CONFIG_FILE_MODE = 0o600;
/** Mode of the home folder when the editor has to create it. */
export const NEW_HOME_FOLDER_MODE = 0o700;

/** One change: set `path` to `value`, or remove it with `unset: true`. */
export interface ConfigEdit {
  path: string | readonly PathSegment[];
  value?: unknown;
  unset?: boolean;
}

/** The outcome of one atomic write. */
export interface ConfigEditsResult {
  /** The edited paths, dotted, in the order given. */
  paths: string[];
  /** Dotted leaf paths whose effective value changed (defaults included). */
  changedPaths: string[];
  restartRequired: boolean;
  config: Config;
  /** `configHash` of the file after the edit (what a next `baseHash` should be). */
  hash: string;
}

/** The outcome of `set` / `unset` (the `config.set` payload plus the new config). */
export interface ConfigEditResult {
  path: string;
  restartRequired: boolean;
  config: Config;
  hash: string;
}

/** Options of one `applyEdits`. */
export interface ApplyOptions {
  /** Refuse with `ConfigConflictError` (nothing written) unless the file has this hash now. */
  baseHash?: string | undefined;
}

/**
 * One `expecting` call in progress: it holds the lock, so its writes skip taking it (and
 * the queue it waits in); each write checks the file against `hash` and moves it on.
 */
interface Scope {
  target: string;
  hash: string;
  enforce: boolean;
  queue: SerialQueue;
  open: boolean;
}

/** Edits the config file at `paths.config`, one writer at a time across processes. */
export class ConfigEditor {
  readonly #paths: AppPaths;
  readonly #lockLimits: Partial<ConfigLockLimits>;
  readonly #queue = new SerialQueue();
  // The writes of a gateway method reach the editor through the secrets service; the
  // scope travels with the call instead of through every signature on the way.
  readonly #scopes = new AsyncLocalStorage<Scope>();

  constructor(options: { paths: AppPaths; lock?: Partial<ConfigLockLimits> }) {
    this.#paths = options.paths;
    this.#lockLimits = options.lock ?? {};
  }

  /**
   * Runs `task` — which may write through this editor several times, directly or via the
   * secrets service, and change the keychain in between — holding the lock throughout,
   * as one edit of the file whose hash is `baseHash`: `ConfigConflictError` before `task`
   * starts (so nothing at all changes) when the file is another, and before any of its
   * writes should something that takes no lock (a text editor) have written meanwhile.
   * Without `baseHash` nothing is checked. Resolves to `task`'s value and the file's hash
   * after its last write (or as read, if it wrote nothing).
   */
  expecting<T>(
    baseHash: string | undefined,
    task: () => Promise<T>,
  ): Promise<{ value: T; hash: string }> {
    const outer = this.#scopes.getStore();
    // Nested in another call's scope: that one holds the lock (waiting for it would hang).
    if (outer?.open) return this.#within(outer, baseHash, task);
    return this.#locked(async (target) => {
      const { hash } = await readConfigFile(target);
      if (baseHash !== undefined && baseHash !== hash) throw new ConfigConflictError();
      const scope: Scope = {
        target,
        hash,
        enforce: baseHash !== undefined,
        queue: new SerialQueue(),
        open: true,
      };
      try {
        const value = await this.#scopes.run(scope, task);
        return { value, hash: scope.hash };
      } finally {
        // Work `task` left running must not write later without the lock.
        scope.open = false;
      }
    });
  }

  async #within<T>(
    scope: Scope,
    baseHash: string | undefined,
    task: () => Promise<T>,
  ): Promise<{ value: T; hash: string }> {
    if (baseHash !== undefined && baseHash !== scope.hash) throw new ConfigConflictError();
    const value = await task();
    return { value, hash: scope.hash };
  }

  /** Sets one value; see `applyEdits`. */
  async set(path: string | readonly PathSegment[], value: unknown): Promise<ConfigEditResult> {
    return single(await this.applyEdits([{ path, value }]));
  }

  /** Removes one value (a missing path is not an error); see `applyEdits`. */
  async unset(path: string | readonly PathSegment[]): Promise<ConfigEditResult> {
    return single(await this.applyEdits([{ path, unset: true }]));
  }

  /** Alias of `applyEdits` for callers that only set values. */
  setMany(edits: readonly ConfigEdit[]): Promise<ConfigEditsResult> {
    return this.applyEdits(edits);
  }

  /**
   * Applies `edits` in order and writes the result in ONE atomic write, so that e.g.
   * "key moved to the keychain" and "plaintext copy removed" land together. Throws
   * `ConfigError` if the file is invalid now or the result would be, and
   * `ConfigConflictError` if `options.baseHash` is not the file's hash; nothing is
   * written then.
   */
  applyEdits(edits: readonly ConfigEdit[], options: ApplyOptions = {}): Promise<ConfigEditsResult> {
    const scope = this.#scopes.getStore();
    if (scope?.open) {
      return scope.queue.run(() => this.#apply(scope.target, edits, options.baseHash, scope));
    }
    return this.#locked((target) => this.#apply(target, edits, options.baseHash, undefined));
  }

  /** Runs `task` after this process's earlier edits, holding `<config>.lock`. */
  #locked<T>(task: (target: string) => Promise<T>): Promise<T> {
    return this.#queue.run(async () => {
      // Through a symlink (dotfile managers): lock and write the file it points at.
      const file = this.#paths.config;
      const target = await realpath(file).catch(() => file);
      await mkdir(dirname(target), { recursive: true, mode: NEW_HOME_FOLDER_MODE });
      return withConfigLock(`${target}.lock`, () => task(target), {
        limits: this.#lockLimits,
        fileForErrors: target,
      });
    });
  }

  /** One edit, under the lock: read the latest file, check its hash, edit, validate, write. */
  async #apply(
    target: string,
    edits: readonly ConfigEdit[],
    baseHash: string | undefined,
    scope: Scope | undefined,
  ): Promise<ConfigEditsResult> {
    const file = this.#paths.config;
    const { text: original, hash: found } = await readConfigFile(target);
    const expected = baseHash ?? (scope?.enforce ? scope.hash : undefined);
    if (expected !== undefined && expected !== found) throw new ConfigConflictError();
    const before = parseConfigText(original ?? '', file);
    const blank = original === undefined || original.trim() === '';
    let text = blank ? EMPTY_CONFIG_TEXT : original;
    const paths: string[] = [];
    for (const edit of edits) {
      const segments = toSegments(edit.path, file);
      paths.push(formatConfigPath(segments));
      text = applyOne(text, segments, edit, file);
    }
    const config = validateResult(text, file);
    const changedPaths = diffPaths(before, config);
    let hash = found;
    if (text !== original) {
      const mode = await stat(target).then(
        (info) => info.mode & 0o777,
        () => NEW_CONFIG_FILE_MODE,
      );
      await writeFileAtomic(target, text, { mode });
      hash = configHash(text);
    }
    if (scope) scope.hash = hash;
    const restartRequired = restartRequiredFor(changedPaths);
    return { paths, changedPaths, restartRequired, config, hash };
  }
}

function single(result: ConfigEditsResult): ConfigEditResult {
  const { paths, restartRequired, config, hash } = result;
  return { path: paths[0] ?? '', restartRequired, config, hash };
}

function toSegments(path: string | readonly PathSegment[], file: string): PathSegment[] {
  if (typeof path !== 'string') return [...path];
  try {
    return parseConfigPath(path);
  } catch (error) {
    throw refused(file, path, error);
  }
}

function applyOne(text: string, path: PathSegment[], edit: ConfigEdit, file: string): string {
  try {
    if (edit.unset) return unsetValueInText(text, path);
    if (edit.value === undefined) throw new TypeError('no value given (use unset to remove a key)');
    return setValueInText(text, path, edit.value);
  } catch (error) {
    if (!(error instanceof RangeError || error instanceof TypeError)) throw error;
    const dotted = formatConfigPath(path);
    const verb = edit.unset ? 'unset' : 'set';
    const reason = error.message.startsWith('cannot ')
      ? error.message
      : `cannot ${verb} ${dotted}: ${error.message}`;
    throw refused(file, dotted, new TypeError(reason, { cause: error }));
  }
}

function validateResult(text: string, file: string): Config {
  const raw: unknown = JSON5.parse(text);
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = describeConfigIssue(result.error.issues[0], raw);
  const configPath = formatConfigPath(issue.path);
  throw new ConfigError(
    `${file}: ${issue.message} at ${configPath} — the edit was refused (the file was not changed)`,
    { file, configPath },
  );
}

function refused(file: string, configPath: string, error: unknown): ConfigError {
  const reason = error instanceof Error ? error.message : String(error);
  return new ConfigError(`${file}: ${reason} — the edit was refused (the file was not changed)`, {
    file,
    configPath,
    cause: error,
  });
}
