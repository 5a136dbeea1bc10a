/**
 * Dotted config paths as people type them (`gateway.auth.mode`, `agents.list.0.model`,
 * `agents.list[0].id`) and as errors and events print them.
 */
import JSON5 from 'json5';
import type { PathSegment } from './json5-positions.js';

/** Settings that only take effect when the gateway re-binds its socket. */
export const RESTART_REQUIRED_PATHS: readonly string[] = [
  'gateway.port',
  'gateway.bind',
  'gateway.tls',
];

/**
 * `"gateway.auth.mode"` → `['gateway', 'auth', 'mode']`; all-digit segments become array
 * indices, and `list[0]` means `list.0`. Throws `RangeError` for an empty segment.
 */
export function parseConfigPath(dotted: string): PathSegment[] {
  const normalised = dotted.trim().replace(/\[(\d+)\]/g, '.$1');
  const segments = normalised.split('.');
  if (segments.some((segment) => segment === '')) {
    throw new RangeError(
      `invalid config path "${dotted}" (use dots between keys, e.g. gateway.port)`,
    );
  }
  const forbidden = segments.find(isReservedSegment);
  if (forbidden !== undefined) {
    throw new RangeError(`invalid config path "${dotted}": "${forbidden}" is not a setting name`);
  }
  return segments.map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
}

/** Names that address JavaScript's object machinery, never a setting. */
const RESERVED_SEGMENTS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * True for `__proto__`, `constructor` and `prototype`: refused as a path segment, as a key
 * inside a value written to the config, and as a new provider id.
 */
export function isReservedSegment(segment: string): boolean {
  return RESERVED_SEGMENTS.has(segment);
}

/** `['agents', 'list', 0, 'id']` → `"agents.list.0.id"`; the empty path prints as `(top level)`. */
export function formatConfigPath(path: readonly PathSegment[]): string {
  return path.length === 0 ? '(top level)' : path.map(String).join('.');
}

/** The value at `path` (own properties only), or undefined. */
export function getAtPath(value: unknown, path: readonly PathSegment[]): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    const key = String(segment);
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** A CLI argument as a value: JSON5 when it parses (`18789`, `true`, `{a: 1}`), else the raw string. */
export function parseCliValue(raw: string): unknown {
  try {
    return JSON5.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * True when a change to any of `paths` needs a gateway restart: a path that is, is under,
 * or contains `gateway.port` / `gateway.bind` (a change to `gateway` may change the port).
 */
export function restartRequiredFor(paths: readonly string[]): boolean {
  return paths.some((path) =>
    RESTART_REQUIRED_PATHS.some(
      (critical) =>
        path === critical ||
        path.startsWith(`${critical}.`) ||
        path === '' ||
        critical.startsWith(`${path}.`),
    ),
  );
}
