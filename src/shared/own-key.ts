/**
 * Lookups by id in config records. An id comes from a request or a file, so it may be
 * `constructor` or `toString`: only the record's own keys count, never Object.prototype.
 */

/** `record[key]` when `key` is an own property of `record`, else undefined. */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
