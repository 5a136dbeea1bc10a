/**
 * Writes new JSON5 values the way the surrounding file is written: its indentation unit,
 * line endings and trailing-comma habit. Keys are unquoted when they are identifiers.
 */
import type { ValueNode } from './json5-positions.js';

/** The layout habits of one file, read from its text. */
export interface TextStyle {
  indentUnit: string;
  eol: '\n' | '\r\n';
  /** Whether multi-line objects and lists end with a comma after their last entry. */
  trailingComma: boolean;
  /** The quote most of the file's strings use; new strings use it too. */
  quote: '"' | "'";
}

/** Layout used for a file that shows no habit yet (DESIGN.md's example config). */
export const DEFAULT_STYLE: TextStyle = {
  indentUnit: '  ',
  eol: '\n',
  trailingComma: true,
  quote: '"',
};

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Reads indentation, line endings and trailing-comma use from `text` and its tree. */
export function detectStyle(text: string, root: ValueNode): TextStyle {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let indentUnit = DEFAULT_STYLE.indentUnit;
  if (root.kind !== 'scalar') {
    // The root sits at column 0, so its members' indentation is one unit.
    for (const entry of root.entries) {
      const lineStart = text.lastIndexOf('\n', entry.start - 1) + 1;
      const before = text.slice(lineStart, entry.start);
      if (before !== '' && /^[ \t]+$/.test(before)) {
        indentUnit = before;
        break;
      }
    }
  }
  let withComma = 0;
  let without = 0;
  let single = 0;
  let double = 0;
  const visit = (node: ValueNode): void => {
    if (node.kind === 'scalar') {
      if (node.quote === "'") single += 1;
      if (node.quote === '"') double += 1;
      return;
    }
    const last = node.entries.at(-1);
    if (last && text.slice(node.start, node.end).includes('\n')) {
      if (last.comma === undefined) without += 1;
      else withComma += 1;
    }
    node.entries.forEach((entry) => visit(entry.value));
  };
  visit(root);
  return {
    indentUnit,
    eol,
    trailingComma: withComma >= without,
    quote: single > double ? "'" : DEFAULT_STYLE.quote,
  };
}

/** A key as written in a new member: bare when it is an identifier, else double-quoted. */
export function formatKey(key: string): string {
  return IDENTIFIER.test(key) ? key : JSON.stringify(key);
}

/** How to lay out one value. */
export interface FormatOptions {
  /** Indentation of the line the value starts on. */
  indent: string;
  style: TextStyle;
  /** Objects and lists over several lines (else `{ a: 1 }` / `[1, 2]`). */
  multiline: boolean;
  /** Quote for a string value, to keep the quote style of the value it replaces. */
  quote?: '"' | "'" | undefined;
}

/** Serialises a JSON value as JSON5 text. Throws `TypeError` for anything JSON cannot hold. */
export function formatValue(value: unknown, options: FormatOptions): string {
  const { indent, style, multiline } = options;
  const inner = indent + style.indentUnit;
  const child = (item: unknown): string =>
    formatValue(item, { ...options, indent: inner, quote: undefined });
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map(child);
    // A list of plain values reads best on one line: `models: ["a", "b"]`.
    const flat = value.every((item) => item === null || typeof item !== 'object');
    return multiline && !flat ? block('[', ']', items, options) : `[${items.join(', ')}]`;
  }
  if (isPlainObject(value)) {
    const members = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .map(([key, item]) => `${formatKey(key)}: ${child(item)}`);
    if (members.length === 0) return '{}';
    return multiline ? block('{', '}', members, options) : `{ ${members.join(', ')} }`;
  }
  return formatScalar(value, options.quote ?? style.quote);
}

function block(open: string, close: string, items: string[], options: FormatOptions): string {
  const { indent, style } = options;
  const inner = indent + style.indentUnit;
  const body = items.map((item) => inner + item).join(`,${style.eol}`);
  return `${open}${style.eol}${body}${style.trailingComma ? ',' : ''}${style.eol}${indent}${close}`;
}

function formatScalar(value: unknown, quote: '"' | "'"): string {
  if (typeof value === 'string') {
    // JSON leaves U+2028/U+2029 raw; json5 accepts them but warns, so escape them.
    const text = quote === "'" ? singleQuoted(value) : JSON.stringify(value);
    return text.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  }
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return String(value);
    // JSON5 has these; JSON.stringify would silently write null.
    return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  }
  if (typeof value === 'boolean' || value === null) return String(value);
  throw new TypeError(`cannot write a ${typeof value} value into the config (use JSON values)`);
}

function singleQuoted(value: string): string {
  const escaped = JSON.stringify(value)
    .slice(1, -1)
    .replace(/\\(["\\])|'/g, (_match, escapedChar?: string) =>
      escapedChar === '"' ? '"' : escapedChar === '\\' ? '\\\\' : "\\'",
    );
  return `'${escaped}'`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
