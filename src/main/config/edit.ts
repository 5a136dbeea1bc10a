/**
 * `configure set/unset` and the UI forms: apply edits to the user's JSON5 file surgically,
 * validate the result, then write it atomically. An invalid file or an invalid result is
 * refused and nothing is written.
 */
import { mkdir, realpath, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import JSON5 from 'json5';
import { configSchema, type Config } from '../../shared/config-schema.js';
import { SerialQueue, writeFileAtomic } from '../fs/atomic-file.js';
import { formatConfigPath, parseConfigPath, restartRequiredFor } from './config-path.js';
import { diffPaths } from './diff-paths.js';
import { setValueInText, unsetValueInText } from './edit-text.js';
import type { PathSegment } from './json5-positions.js';
import { ConfigError, describeIssue, parseConfigText, readConfigText } from './load.js';
import type { AppPaths } from './paths.js';

export { setValueInText, unsetValueInText } from './edit-text.js';
export {
  formatConfigPath,
  getAtPath,
  parseCliValue,
  parseConfigPath,
  restartRequiredFor,
} from './config-path.js';

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
}

/** The outcome of `set` / `unset` (the `config.set` payload plus the new config). */
export interface ConfigEditResult {
  path: string;
  restartRequired: boolean;
  config: Config;
}

/** Edits the config file at `paths.config`, one writer at a time. */
export class ConfigEditor {
  readonly #paths: AppPaths;
  readonly #queue = new SerialQueue();

  constructor(options: { paths: AppPaths }) {
    this.#paths = options.paths;
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
   * `ConfigError` if the file is invalid now or the result would be; nothing is written then.
   */
  applyEdits(edits: readonly ConfigEdit[]): Promise<ConfigEditsResult> {
    return this.#queue.run(() => this.#apply(edits));
  }

  async #apply(edits: readonly ConfigEdit[]): Promise<ConfigEditsResult> {
    const file = this.#paths.config;
    // Write through a symlink (dotfile managers) instead of replacing it with a plain file.
    const target = await realpath(file).catch(() => file);
    const original = await readConfigText(target);
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
    if (text !== original) {
      await mkdir(dirname(target), { recursive: true, mode: NEW_HOME_FOLDER_MODE });
      const mode = await stat(target).then(
        (info) => info.mode & 0o777,
        () => NEW_CONFIG_FILE_MODE,
      );
      await writeFileAtomic(target, text, { mode });
    }
    return { paths, changedPaths, restartRequired: restartRequiredFor(changedPaths), config };
  }
}

function single(result: ConfigEditsResult): ConfigEditResult {
  return {
    path: result.paths[0] ?? '',
    restartRequired: result.restartRequired,
    config: result.config,
  };
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
  const issue = describeIssue(result.error.issues[0], raw);
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
