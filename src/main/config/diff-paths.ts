/** Which settings changed between two configs, as dotted leaf paths. */

/**
 * Dotted leaf paths whose values differ between `a` and `b`, sorted. Objects and lists are
 * compared member by member (`agents.list.0.model.provider`); when a value changes shape
 * (object ↔ scalar, or appears/disappears) every leaf on both sides is listed.
 */
export function diffPaths(a: unknown, b: unknown): string[] {
  const out = new Set<string>();
  collect(a, b, [], out);
  return [...out].sort();
}

function collect(a: unknown, b: unknown, path: string[], out: Set<string>): void {
  if (Object.is(a, b)) return;
  if (isContainer(a) && isContainer(b) && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) collect(child(a, key), child(b, key), [...path, key], out);
    return;
  }
  leaves(a, path, out);
  leaves(b, path, out);
}

function leaves(value: unknown, path: string[], out: Set<string>): void {
  if (value === undefined) return;
  if (isContainer(value) && Object.keys(value).length > 0) {
    for (const key of Object.keys(value)) leaves(child(value, key), [...path, key], out);
    return;
  }
  out.add(path.join('.'));
}

function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function child(value: object, key: string): unknown {
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}
