/**
 * Which `{` or `[` a missing closing bracket left open. A parser only trips where the text
 * stops making sense, often lines later (`6:3 invalid character 'm'`); this names the
 * bracket the person has to close. It reads indentation the way a person does: a closer
 * indented less than the line its opener is on was meant for an outer block.
 */
import { lineColumnAt } from './json5-positions.js';

/** An opening bracket, at 1-based `line:column`. */
export interface OpenBracket {
  char: '{' | '[';
  line: number;
  column: number;
}

interface Pair {
  open: number;
  close: number;
}

/**
 * The bracket left open at the parse error at `line:column` (json5's position), or
 * undefined when the error does not look like a missing closer: an error inside a line
 * (e.g. a missing comma) gets no note.
 */
export function unclosedBracketAt(
  text: string,
  line: number,
  column: number,
): OpenBracket | undefined {
  const errorOffset = offsetOf(text, line, column);
  const { open, pairs } = scanBrackets(text, errorOffset);
  const innermost = open.at(-1);
  if (innermost === undefined) return undefined;
  const atEnd = text.slice(errorOffset).trim() === '';
  const startsLine = isFirstOnLine(text, errorOffset);
  if (!atEnd && (!startsLine || indentAt(text, errorOffset) > indentAt(text, innermost))) {
    return undefined;
  }
  // The first closer inside the open block that is indented less than its opener's line
  // closed the wrong bracket: its opener is the one missing its own closer.
  const misaligned = pairs.find(
    (pair) =>
      pair.open > innermost &&
      isFirstOnLine(text, pair.close) &&
      indentAt(text, pair.close) < indentAt(text, pair.open),
  );
  const offset = misaligned?.open ?? innermost;
  return { char: text[offset] === '[' ? '[' : '{', ...lineColumnAt(text, offset) };
}

/** Brackets still open at `end` (offsets, outermost first) and matched pairs in closing order. */
function scanBrackets(text: string, end: number): { open: number[]; pairs: Pair[] } {
  const open: number[] = [];
  const pairs: Pair[] = [];
  let i = 0;
  while (i < end && i < text.length) {
    const c = text[i];
    if (c === '"' || c === "'") {
      i = skipString(text, i);
    } else if (text.startsWith('//', i)) {
      const lineEnd = text.indexOf('\n', i);
      i = lineEnd < 0 ? text.length : lineEnd;
    } else if (text.startsWith('/*', i)) {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? text.length : close + 2;
    } else {
      if (c === '{' || c === '[') open.push(i);
      if (c === '}' || c === ']') {
        const opener = open.pop();
        if (opener !== undefined) pairs.push({ open: opener, close: i });
      }
      i += 1;
    }
  }
  return { open, pairs };
}

/** Offset just past the string starting at `start` (or the end of an unterminated one). */
function skipString(text: string, start: number): number {
  const quote = text[start];
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') i += 2;
    else if (c === quote) return i + 1;
    else i += 1;
  }
  return text.length;
}

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function isFirstOnLine(text: string, offset: number): boolean {
  return text.slice(lineStartOf(text, offset), offset).trim() === '';
}

/** Leading spaces and tabs of the line holding `offset`. */
function indentAt(text: string, offset: number): number {
  const start = lineStartOf(text, offset);
  let i = start;
  while (text[i] === ' ' || text[i] === '\t') i += 1;
  return i - start;
}

function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let current = 1; current < line; current += 1) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return Math.min(text.length, offset + column - 1);
}
