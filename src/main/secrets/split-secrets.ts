/**
 * The one secret filter in front of every config writer (gateway `config.set`, the CLI's
 * `configure set`, onboarding, the Control UI through the gateway): a value about to be
 * written at a path is split into the secrets it carries, bound for the keychain, and the
 * rest, bound for the file.
 */
import { formatConfigPath, isReservedSegment } from '../config/config-path.js';
import type { PathSegment } from '../config/json5-positions.js';
import { invalidRequest } from '../../shared/errors.js';
import { secretRefForPath, type SecretRef } from '../../shared/secret-paths.js';
import { apiKeyProblem } from './api-key-text.js';

/**
 * How deep a value may nest below its path. The config schema is a few levels deep; a
 * limit keeps a hostile 200 000-level value from overflowing the stack (INTERNAL) instead
 * of getting a precise refusal.
 */
export const MAX_VALUE_DEPTH = 32;

/** One secret found in a value: where it sits, which secret it is, and the string itself. */
export interface FoundSecret {
  path: PathSegment[];
  ref: SecretRef;
  value: string;
}

/** What {@link splitSecrets} returns. */
export interface SplitValue {
  /** The value without its secrets; undefined when the path itself is a secret path. */
  rest: unknown;
  secrets: FoundSecret[];
}

/**
 * Splits `value` (to be written at `path`) into its secrets and the rest. A secret must be
 * a non-empty string, and a key named `__proto__`, `constructor` or `prototype` is refused:
 * both are `INVALID_REQUEST` naming the path, never the value.
 */
export function splitSecrets(path: readonly PathSegment[], value: unknown): SplitValue {
  const base = [...path];
  const ref = secretRefForPath(base);
  if (ref !== undefined) {
    return {
      rest: undefined,
      secrets: [{ path: base, ref, value: secretString(base, value, ref) }],
    };
  }
  const secrets: FoundSecret[] = [];
  const walk = (at: PathSegment[], node: unknown): unknown => {
    if (node === null || typeof node !== 'object') return node;
    if (at.length - base.length >= MAX_VALUE_DEPTH) {
      throw invalidRequest(
        `value at ${formatConfigPath(base)} nests deeper than ${MAX_VALUE_DEPTH} levels; no setting is that deep`,
      );
    }
    if (Array.isArray(node)) return node.map((item, index) => walk([...at, index], item));
    const rest: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node)) {
      const childPath = [...at, key];
      if (isReservedSegment(key)) {
        throw invalidRequest(
          `invalid key "${key}" at ${formatConfigPath(childPath)}: "${key}" is not a setting name`,
        );
      }
      const childRef = secretRefForPath(childPath);
      if (childRef === undefined) rest[key] = walk(childPath, child);
      else {
        const secret = secretString(childPath, child, childRef);
        secrets.push({ path: childPath, ref: childRef, value: secret });
      }
    }
    return rest;
  };
  return { rest: walk(base, value), secrets };
}

function secretString(path: readonly PathSegment[], value: unknown, ref: SecretRef): string {
  if (typeof value === 'string' && value.length > 0) {
    // A provider key goes into a header; a gateway token or password never does.
    const problem = ref.kind === 'provider' ? apiKeyProblem(value) : undefined;
    if (problem === undefined) return value;
    throw invalidRequest(`${formatConfigPath(path)} ${problem}; paste the key again`, {
      path: formatConfigPath(path),
    });
  }
  throw invalidRequest(
    `${formatConfigPath(path)} must be a non-empty string (secrets are stored in the OS keychain)`,
    { path: formatConfigPath(path) },
  );
}
