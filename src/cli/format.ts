/** Text output helpers: aligned tables, readable ages and durations, short ids. */
import { formatAge as ageText } from '../shared/format-age.js';
import { printable } from '../shared/printable.js';

/** Characters of a device id shown in tables; enough to be unique and to paste back. */
export const SHORT_DEVICE_ID_LENGTH = 12;
/** Characters of a request id shown in tables. */
export const SHORT_REQUEST_ID_LENGTH = 8;

/**
 * Columns padded to their widest cell, separated by two spaces, with a header row. Cells
 * are made printable (src/shared/printable.ts): they hold device names, platforms and
 * provider text, which must not drive the terminal or break a row in two.
 */
export function renderTable(
  headers: readonly string[],
  textRows: readonly (readonly string[])[],
): string {
  const rows = textRows.map((row) => row.map((text) => printable(text)));
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/**
 * `just now`, `42 s ago`, `2 min ago`, `3 h ago`, `5 days ago`; future times read `in 4 min`
 * (src/shared/format-age.ts, terminal style).
 */
export function formatAge(thenMs: number, nowMs: number): string {
  return ageText(nowMs - thenMs, 'terminal');
}

/** An uptime: `12s`, `3m`, `2h 5m`, `4d 3h`. */
export function formatUptime(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** `1 connection`, `2 connections`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** A value for a table cell: `-` when absent. */
export function cell(value: string | number | undefined): string {
  return value === undefined || value === '' ? '-' : String(value);
}

/** Pretty JSON for `--json`, with a final newline. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
