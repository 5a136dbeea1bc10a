/**
 * Reads and validates the user's JSON5 config. An invalid file is never rewritten: the
 * error names `file:line:column` and the dotted path, and the gateway exits 78.
 */
import { EXIT } from '../../shared/exit-codes.js';
import { readFile } from 'node:fs/promises';
import JSON5 from 'json5';
import type { z } from 'zod';
import { configSchema, type Config } from '../../shared/config-schema.js';
import { GatewayError } from '../../shared/errors.js';
import type { AppPaths } from './paths.js';
import { configHash } from './config-hash.js';
import { formatConfigPath, getAtPath } from './config-path.js';
import { unclosedBracketAt } from './json5-brackets.js';
import {
  lineColumnAt,
  parseJson5Tree,
  walkPath,
  type PathSegment,
  type ValueNode,
} from './json5-positions.js';

/** `EX_CONFIG` from sysexits.h: what the gateway exits with on a bad config. */
export const CONFIG_EXIT_CODE = EXIT.config;

const FIX_THE_FILE = 'fix the file (it was not changed)';

/** Schema problems spelled out in one message; the rest are counted. */
export const MAX_LISTED_PROBLEMS = 10;

/** One schema problem of a config file, where the file shows it. */
export interface ConfigProblem {
  line: number;
  column: number;
  /** Dotted path, e.g. `gateway.port`. */
  configPath: string;
  message: string;
}

/** A config that cannot be read, parsed or validated, or an edit that would make it invalid. */
export class ConfigError extends Error {
  readonly exitCode = CONFIG_EXIT_CODE;
  /** The registry code (src/shared/errors.ts) this error maps to on the wire. */
  readonly code = 'CONFIG_INVALID';
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  /** Dotted path of the offending value, e.g. `gateway.port`. */
  readonly configPath: string | undefined;
  /** Every schema problem in file order (the first is `line`/`column`/`configPath`). */
  readonly issues: readonly ConfigProblem[];

  constructor(
    message: string,
    options: {
      file: string;
      line?: number | undefined;
      column?: number | undefined;
      configPath?: string | undefined;
      issues?: readonly ConfigProblem[];
      cause?: unknown;
    },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ConfigError';
    this.file = options.file;
    this.line = options.line;
    this.column = options.column;
    this.configPath = options.configPath;
    this.issues = options.issues ?? [];
  }

  /** The wire form: `INVALID_REQUEST` with `details.code: "CONFIG_INVALID"`. */
  toGatewayError(): GatewayError {
    const details: Record<string, unknown> = {};
    if (this.configPath !== undefined) details.path = this.configPath;
    if (this.line !== undefined) details.line = this.line;
    if (this.column !== undefined) details.column = this.column;
    if (this.issues.length > 1) {
      details.issues = this.issues.slice(0, MAX_LISTED_PROBLEMS).map((issue) => ({
        path: issue.configPath,
        line: issue.line,
        column: issue.column,
        message: issue.message,
      }));
    }
    return GatewayError.of('CONFIG_INVALID', { message: this.message, details });
  }
}

/** What `loadConfig` found. `text` is the file as read, for editors and diagnostics. */
export interface LoadedConfig {
  config: Config;
  text: string | undefined;
  exists: boolean;
  /** `configHash` of the bytes `config` was parsed from (`"absent"` without a file). */
  hash: string;
}

/** The config file as read: its text (undefined when missing) and the hash of its bytes. */
export interface ConfigFileRead {
  text: string | undefined;
  hash: string;
}

/** The config with every default: loopback, port 18789, token mode. */
export function defaultConfig(): Config {
  return configSchema.parse({});
}

/**
 * Reads `paths.config`. Missing → defaults. Unreadable, bad JSON5 or a schema violation →
 * `ConfigError` (exit 78). Never writes the file.
 */
export async function loadConfig(paths: AppPaths): Promise<LoadedConfig> {
  const { text, hash } = await readConfigFile(paths.config);
  if (text === undefined) return { config: defaultConfig(), text: undefined, exists: false, hash };
  return { config: parseConfigText(text, paths.config), text, exists: true, hash };
}

/**
 * The file's text and the hash of its bytes, from ONE read (so the hash names exactly the
 * text). A missing file → `{ text: undefined, hash: "absent" }`; other failures → `ConfigError`.
 */
export async function readConfigFile(file: string): Promise<ConfigFileRead> {
  try {
    const bytes = await readFile(file);
    return { text: bytes.toString('utf8'), hash: configHash(bytes) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { text: undefined, hash: configHash(undefined) };
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(
      `${file}: cannot read the config file (${reason}) — check that it is a readable file (it was not changed)`,
      { file, cause: error },
    );
  }
}

/**
 * Parses and validates config text. A file holding only whitespace counts as `{}`, so
 * `touch config.json5` is not an error. Throws `ConfigError` naming `file:line:column`.
 */
export function parseConfigText(text: string, file: string): Config {
  if (text.trim() === '') return defaultConfig();
  let raw: unknown;
  try {
    raw = JSON5.parse(text);
  } catch (error) {
    throw syntaxError(error, text, file);
  }
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  throw schemaError(text, file, problemsOf(text, result.error.issues, raw));
}

/** Each issue (each key of an unknown-keys issue) located in the file, in file order. */
function problemsOf(
  text: string,
  issues: readonly z.core.$ZodIssue[],
  raw: unknown,
): ConfigProblem[] {
  const tree = treeOf(text);
  const described = issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys' && issue.keys.length > 1
      ? issue.keys.map((key) => describeConfigIssue({ ...issue, keys: [key] }, raw))
      : [describeConfigIssue(issue, raw)],
  );
  return described
    .map((issue) => ({
      ...locateIn(text, tree, issue),
      configPath: formatConfigPath(issue.path),
      message: issue.message,
    }))
    .sort((a, b) => a.line - b.line || a.column - b.column);
}

/**
 * `file:line:col: what at path — fix …` for one problem; with more, each further one as
 * `line:col: what at path`, up to {@link MAX_LISTED_PROBLEMS}, then how many remain.
 */
function schemaError(text: string, file: string, problems: ConfigProblem[]): ConfigError {
  const [first] = problems;
  if (first === undefined)
    return new ConfigError(`${file}: invalid config — ${FIX_THE_FILE}`, { file });
  const listed = problems
    .slice(0, MAX_LISTED_PROBLEMS)
    .map(
      (problem) => `${problem.line}:${problem.column}: ${problem.message} at ${problem.configPath}`,
    );
  const more = problems.length - listed.length;
  const rest = more > 0 ? `; and ${more} more` : '';
  const count = problems.length > 1 ? ` (${problems.length} problems)` : '';
  return new ConfigError(`${file}:${listed.join('; ')}${rest}${count} — ${FIX_THE_FILE}`, {
    file,
    line: first.line,
    column: first.column,
    configPath: first.configPath,
    issues: problems,
  });
}

function syntaxError(error: unknown, text: string, file: string): ConfigError {
  const { lineNumber, columnNumber, message } = error as {
    lineNumber?: number;
    columnNumber?: number;
    message?: string;
  };
  const line = lineNumber ?? 1;
  const column = columnNumber ?? 1;
  // json5 says "JSON5: invalid character 'x' at 3:5"; keep the middle, we print our own position.
  const what = (message ?? 'invalid JSON5').replace(/^JSON5: /, '').replace(/ at \d+:\d+$/, '');
  const open = unclosedBracketAt(text, line, column);
  const note = open
    ? ` (the \`${open.char}\` opened at ${open.line}:${open.column} is not closed)`
    : '';
  return new ConfigError(`${file}:${line}:${column}: ${what}${note} — ${FIX_THE_FILE}`, {
    file,
    line,
    column,
    cause: error,
  });
}

/** A zod issue reduced to what the message needs: where, whether the key is at fault, what. */
export interface DescribedIssue {
  path: PathSegment[];
  atKey: boolean;
  message: string;
}

/** Turns the first zod issue on `input` into one plain sentence and the path it concerns. */
export function describeConfigIssue(
  issue: z.core.$ZodIssue | undefined,
  input: unknown,
): DescribedIssue {
  if (!issue) return { path: [], atKey: false, message: 'invalid config' };
  const path = issue.path.map((segment) =>
    typeof segment === 'symbol' ? String(segment) : segment,
  );
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    return { path: [...path, key], atKey: true, message: `unknown key "${key}"` };
  }
  if (issue.code === 'invalid_key') {
    const inner = issue.issues[0]?.message;
    const key = String(path.at(-1));
    return { path, atKey: true, message: `invalid key "${key}"${inner ? ` (${inner})` : ''}` };
  }
  if (path.length > 0 && getAtPath(input, path) === undefined) {
    const key = path.at(-1);
    const what = typeof key === 'number' ? `item ${key}` : `key "${String(key)}"`;
    return { path, atKey: false, message: `missing ${what} (${issue.message})` };
  }
  return { path, atKey: false, message: issue.message };
}

function treeOf(text: string): ValueNode | undefined {
  try {
    return parseJson5Tree(text);
  } catch {
    // The reader accepts all json5 accepts; should it ever not, point at the top.
    return undefined;
  }
}

function locateIn(
  text: string,
  tree: ValueNode | undefined,
  issue: DescribedIssue,
): { line: number; column: number } {
  if (tree === undefined) return lineColumnAt(text, 0);
  const match = walkPath(tree, issue.path);
  const complete = match.depth === issue.path.length;
  const offset = complete && issue.atKey && match.entry ? match.entry.start : match.node.start;
  return lineColumnAt(text, offset);
}
