/**
 * Surgical JSON5 edits: change one value and keep every other byte of the user's file —
 * comments, quote style, trailing commas, indentation, line endings.
 */
import { formatConfigPath } from './config-path.js';
import {
  parseJson5Tree,
  walkPath,
  type ContainerNode,
  type PathMatch,
  type PathSegment,
  type ValueNode,
} from './json5-positions.js';
import { detectStyle, formatKey, formatValue, type TextStyle } from './json5-format.js';

/**
 * Sets `path` to `value`. An existing value's bytes are replaced; a missing key is added to
 * the nearest existing object (creating intermediate objects), matching its layout; an
 * array index equal to the length appends. Throws `RangeError` when the path runs through
 * a non-object or past the end of an array, `TypeError` for a value JSON cannot hold.
 */
export function setValueInText(text: string, path: readonly PathSegment[], value: unknown): string {
  const root = parseJson5Tree(text);
  const style = detectStyle(text, root);
  const match = walkPath(root, path);
  if (match.depth === path.length) return replaceValue(text, match, value, style);
  const container = match.node;
  const where = path.slice(0, match.depth);
  if (container.kind === 'scalar') {
    throw new RangeError(
      `cannot set ${formatConfigPath(path)}: ${formatConfigPath(where)} is not an object`,
    );
  }
  const [head, ...tail] = path.slice(match.depth);
  const nested = nest(tail, value, path);
  if (container.kind === 'array') {
    if (head !== container.entries.length) {
      throw new RangeError(
        `cannot set ${formatConfigPath(path)}: ${formatConfigPath(where)} has ${container.entries.length} items (append at index ${container.entries.length})`,
      );
    }
    return insertEntry(text, container, undefined, nested, style, container === root);
  }
  return insertEntry(text, container, String(head), nested, style, container === root);
}

/**
 * Removes the member or element at `path`, with its comma, and its whole line when it sits
 * alone on one (comments on the lines above stay). A missing path returns `text` unchanged.
 */
export function unsetValueInText(text: string, path: readonly PathSegment[]): string {
  if (path.length === 0) throw new RangeError('cannot unset the whole config');
  const match = walkPath(parseJson5Tree(text), path);
  if (match.depth < path.length || !match.parent || !match.entry) return text;
  const next = removeEntry(text, match.parent, match.parent.entries.indexOf(match.entry));
  // json5 lets a key repeat (the last wins); remove earlier copies too so the key is gone.
  return match.parent.kind === 'object' ? unsetValueInText(next, path) : next;
}

function nest(tail: readonly PathSegment[], value: unknown, path: readonly PathSegment[]): unknown {
  return tail.reduceRight<unknown>((inner, segment) => {
    if (typeof segment === 'number') {
      if (segment !== 0) {
        throw new RangeError(`cannot set ${formatConfigPath(path)}: a new list starts at index 0`);
      }
      return [inner];
    }
    return { [segment]: inner };
  }, value);
}

function replaceValue(text: string, match: PathMatch, value: unknown, style: TextStyle): string {
  const { node, parent } = match;
  const quote = node.kind === 'scalar' && typeof value === 'string' ? node.quote : undefined;
  // Keep an inline `{ a: 1 }` inline, and a value in a one-line parent on one line.
  const multiline =
    node.kind === 'scalar' ? (parent ? isMultiline(text, parent) : true) : isMultiline(text, node);
  const indent = lineIndent(text, match.entry?.start ?? node.start);
  const formatted = formatValue(value, { indent, style, multiline, quote });
  return text.slice(0, node.start) + formatted + text.slice(node.end);
}

function insertEntry(
  text: string,
  container: ContainerNode,
  key: string | undefined,
  value: unknown,
  style: TextStyle,
  isRoot: boolean,
): string {
  const last = container.entries.at(-1);
  const prefix = key === undefined ? '' : `${formatKey(key)}: `;
  const empty = last === undefined;
  const multiline = isMultiline(text, container) || (isRoot && empty);

  if (!multiline) {
    const entry = prefix + formatValue(value, { indent: '', style, multiline: false });
    if (empty) {
      const open = container.start + 1;
      const inner = text.slice(open, container.end - 1);
      const pad = container.kind === 'object' ? ' ' : '';
      const rest = inner.trim() === '' ? text.slice(container.end - 1) : ` ${text.slice(open)}`;
      return text.slice(0, open) + pad + entry + (inner.trim() === '' ? pad : '') + rest;
    }
    if (last.comma !== undefined) return splice(text, last.comma + 1, ` ${entry},`);
    return splice(text, last.value.end, `, ${entry}`);
  }

  const indent =
    last && isFirstOnLine(text, last.start)
      ? lineIndent(text, last.start)
      : lineIndent(text, container.start) + style.indentUnit;
  const entry = prefix + formatValue(value, { indent, style, multiline: true });
  if (empty) {
    const open = container.start + 1;
    const at = endOfLine(text, open) ?? open;
    const close = isLineBreak(text, at) ? '' : style.eol + lineIndent(text, container.start);
    const comma = style.trailingComma ? ',' : '';
    return splice(text, at, style.eol + indent + entry + comma + close);
  }
  const trailing = last.comma !== undefined;
  const afterLast = last.comma !== undefined ? last.comma + 1 : last.value.end;
  const at = endOfLine(text, afterLast) ?? afterLast;
  const withEntry = splice(text, at, style.eol + indent + entry + (trailing ? ',' : ''));
  return trailing ? withEntry : splice(withEntry, last.value.end, ',');
}

function removeEntry(text: string, container: ContainerNode, index: number): string {
  const entry = container.entries[index];
  if (!entry) return text;
  const previous = container.entries[index - 1];
  const end = entry.comma !== undefined ? entry.comma + 1 : entry.value.end;
  // Removing the last entry of a list written without a trailing comma: drop the separator
  // before it too, so the list keeps that style.
  const separator = entry.comma === undefined ? previous?.comma : undefined;

  const lineStart = text.lastIndexOf('\n', entry.start - 1) + 1;
  const lineEnd = endOfLine(text, end);
  const ownLine = text.slice(lineStart, entry.start).trim() === '' && lineEnd !== undefined;
  if (ownLine) {
    const next = text.startsWith('\r\n', lineEnd) ? lineEnd + 2 : lineEnd + 1;
    const without = text.slice(0, lineStart) + text.slice(Math.min(next, text.length));
    return separator === undefined ? without : splice(without, separator, '', 1);
  }
  if (separator !== undefined) return splice(text, separator, '', entry.value.end - separator);
  let stop = end;
  while (text[stop] === ' ' || text[stop] === '\t') stop += 1;
  const remaining = container.entries.length === 1 && entry.comma === undefined;
  const inside = text.slice(container.start + 1, entry.start) + text.slice(end, container.end - 1);
  if (remaining && isBlank(inside)) {
    // The only entry of `{ a: 1 }`: leave `{}` rather than `{  }`.
    return splice(text, container.start + 1, '', container.end - 2 - container.start);
  }
  return splice(text, entry.start, '', stop - entry.start);
}

function splice(text: string, at: number, insert: string, remove = 0): string {
  return text.slice(0, at) + insert + text.slice(at + remove);
}

function isBlank(s: string): boolean {
  return s.trim() === '';
}

function isLineBreak(text: string, at: number): boolean {
  return text[at] === '\n' || text[at] === '\r';
}

function isMultiline(text: string, node: ValueNode): boolean {
  return text.slice(node.start, node.end).includes('\n');
}

function lineIndent(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start, offset))?.[0] ?? '';
}

function isFirstOnLine(text: string, offset: number): boolean {
  return isBlank(text.slice(text.lastIndexOf('\n', offset - 1) + 1, offset));
}

/**
 * From `from`, skips spaces and same-line comments. Returns the offset of the line break
 * (or the end of the text) if nothing else follows on this line, else undefined.
 */
function endOfLine(text: string, from: number): number | undefined {
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t') {
      i += 1;
    } else if (c === '\n' || c === '\r') {
      return i;
    } else if (text.startsWith('//', i)) {
      const breakAt = text.slice(i).search(/[\r\n]/);
      return breakAt < 0 ? text.length : i + breakAt;
    } else if (text.startsWith('/*', i)) {
      const close = text.indexOf('*/', i + 2);
      if (close < 0 || text.slice(i, close).includes('\n')) return undefined;
      i = close + 2;
    } else {
      return undefined;
    }
  }
  return text.length;
}
