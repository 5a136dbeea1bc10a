/**
 * Scopes as the `devices` commands take and show them: `read` for `operator.read` and so
 * on, any other name in full. One parser for `devices approve --scopes` and
 * `devices invite --scopes`, so both accept and refuse the same input.
 */
import { InvalidArgumentError } from 'commander';
import { SCOPE_PATTERN } from '../shared/protocol.js';
import { KNOWN_SCOPES } from '../shared/scopes.js';

/**
 * Commander parser of `--scopes`: comma-separated names; a known scope may be given by its
 * short name as `devices list` shows it (`read` for `operator.read`).
 */
export function parseScopeList(value: string): string[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0)
    throw new InvalidArgumentError('expected scope names separated by commas, e.g. read,write');
  return names.map((name) => {
    const known = KNOWN_SCOPES.find((scope) => scope === `operator.${name}`);
    if (known) return known;
    if (!SCOPE_PATTERN.test(name))
      throw new InvalidArgumentError(
        `"${name}" is not a scope name (use read, write, pairing, admin or a full name such as operator.read)`,
      );
    return name;
  });
}

/** Scopes for a table cell: short names, comma-separated, `-` for none. */
export function scopesCell(scopes: readonly string[]): string {
  return scopes.length ? scopes.map((scope) => scope.replace(/^operator\./, '')).join(',') : '-';
}
