/**
 * A position-tracking JSON5 reader: it parses the same grammar as the `json5` package but
 * keeps the byte range of every key, value and comma. The loader uses it to turn a schema
 * issue's path into `file:line:column`; the editor uses it to splice one value and keep
 * every other byte of the user's file. Decoded values come from `json5` itself (fed one
 * token at a time), so string escapes and number forms mean exactly what they mean there.
 */
import JSON5 from 'json5';

/** One segment of a config path: an object key or an array index. */
export type PathSegment = string | number;

/** A string, number, boolean or null token. */
export interface ScalarNode {
  kind: 'scalar';
  /** Offset of the first character of the token. */
  start: number;
  /** Offset just past the token. */
  end: number;
  value: unknown;
  /** The quote character when the token is a string. */
  quote: '"' | "'" | undefined;
}

/** An object or array, from its opening bracket to just past its closing one. */
export interface ContainerNode {
  kind: 'object' | 'array';
  start: number;
  end: number;
  entries: EntryNode[];
}

export type ValueNode = ScalarNode | ContainerNode;

/** An object member (`key: value`) or an array element. */
export interface EntryNode {
  /** The decoded key for members, the index for elements. */
  key: PathSegment;
  /** Where the entry begins: the key of a member, the value of an element. */
  start: number;
  value: ValueNode;
  /** Offset of the comma that follows this entry, if any. */
  comma: number | undefined;
}

/** Thrown for text the reader cannot parse (callers run `JSON5.parse` first for messages). */
export class Json5TreeError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'Json5TreeError';
  }
}

const WHITESPACE = /[\s\uFEFF]/;
const LINE_BREAK = /[\n\r\u2028\u2029]/;
// Numbers, `true`/`false`/`null`, `Infinity`/`NaN`, hex: every character they may contain.
const SCALAR_CHAR = /[0-9A-Za-z_$.+-]/;
const IDENTIFIER_CHAR = /[\p{ID_Continue}$\\\u200C\u200D]/u;

/** Parses `text` into a tree of positioned nodes. Throws `Json5TreeError` on bad input. */
export function parseJson5Tree(text: string): ValueNode {
  return new TreeReader(text).readDocument();
}

class TreeReader {
  readonly #text: string;
  #pos = 0;

  constructor(text: string) {
    this.#text = text;
  }

  readDocument(): ValueNode {
    const root = this.#readValue();
    this.#skipTrivia();
    if (this.#pos < this.#text.length) this.#fail('unexpected text after the end');
    return root;
  }

  #readValue(): ValueNode {
    this.#skipTrivia();
    const c = this.#text[this.#pos];
    if (c === '{') return this.#readContainer('object', '}');
    if (c === '[') return this.#readContainer('array', ']');
    if (c === '"' || c === "'") {
      const start = this.#pos;
      this.#skipString(c);
      return { kind: 'scalar', start, end: this.#pos, value: this.#decode(start), quote: c };
    }
    const start = this.#pos;
    while (this.#pos < this.#text.length && SCALAR_CHAR.test(this.#text[this.#pos] ?? '')) {
      this.#pos += 1;
    }
    if (start === this.#pos) this.#fail('expected a value');
    return { kind: 'scalar', start, end: this.#pos, value: this.#decode(start), quote: undefined };
  }

  #readContainer(kind: 'object' | 'array', close: '}' | ']'): ContainerNode {
    const start = this.#pos;
    this.#pos += 1;
    const entries: EntryNode[] = [];
    for (;;) {
      this.#skipTrivia();
      if (this.#text[this.#pos] === close) break;
      const entryStart = this.#pos;
      const key = kind === 'object' ? this.#readKey() : entries.length;
      const value = this.#readValue();
      this.#skipTrivia();
      const entry: EntryNode = { key, start: entryStart, value, comma: undefined };
      entries.push(entry);
      if (this.#text[this.#pos] === ',') {
        entry.comma = this.#pos;
        this.#pos += 1;
      } else if (this.#text[this.#pos] !== close) {
        this.#fail(`expected "," or "${close}"`);
      }
    }
    this.#pos += 1;
    return { kind, start, end: this.#pos, entries };
  }

  #readKey(): string {
    const start = this.#pos;
    const c = this.#text[start];
    let key: string;
    if (c === '"' || c === "'") {
      this.#skipString(c);
      key = String(this.#decode(start));
    } else {
      while (this.#pos < this.#text.length && IDENTIFIER_CHAR.test(this.#text[this.#pos] ?? '')) {
        this.#pos += 1;
      }
      if (start === this.#pos) this.#fail('expected a key');
      const raw = this.#text.slice(start, this.#pos);
      // `\uXXXX` escapes in unquoted keys are rare; let json5 decode them.
      key = raw.includes('\\')
        ? (Object.keys(this.#parse(`{${raw}:0}`, start) as object)[0] ?? raw)
        : raw;
    }
    this.#skipTrivia();
    if (this.#text[this.#pos] !== ':') this.#fail('expected ":"');
    this.#pos += 1;
    return key;
  }

  #skipString(quote: string): void {
    this.#pos += 1;
    for (;;) {
      const c = this.#text[this.#pos];
      if (c === undefined) this.#fail('unterminated string');
      // An escape (or a line continuation) consumes the next character whatever it is.
      this.#pos += c === '\\' ? 2 : 1;
      if (c === quote) return;
    }
  }

  #skipTrivia(): void {
    const text = this.#text;
    while (this.#pos < text.length) {
      const c = text[this.#pos] ?? '';
      if (WHITESPACE.test(c)) {
        this.#pos += 1;
      } else if (text.startsWith('//', this.#pos)) {
        while (this.#pos < text.length && !LINE_BREAK.test(text[this.#pos] ?? '')) this.#pos += 1;
      } else if (text.startsWith('/*', this.#pos)) {
        const end = text.indexOf('*/', this.#pos + 2);
        if (end < 0) this.#fail('unterminated comment');
        this.#pos = end + 2;
      } else {
        return;
      }
    }
  }

  #decode(start: number): unknown {
    return this.#parse(this.#text.slice(start, this.#pos), start);
  }

  #parse(token: string, offset: number): unknown {
    try {
      return JSON5.parse(token);
    } catch {
      return this.#fail(`invalid token ${JSON.stringify(token)}`, offset);
    }
  }

  #fail(message: string, offset = this.#pos): never {
    throw new Json5TreeError(message, offset);
  }
}

/** Where a path led: the deepest node that exists and how many segments it matched. */
export interface PathMatch {
  /** Number of leading path segments that exist in the document. */
  depth: number;
  /** The node at `path.slice(0, depth)`. */
  node: ValueNode;
  /** The entry holding `node`, when `depth > 0`. */
  entry: EntryNode | undefined;
  /** The container holding `entry`, when `depth > 0`. */
  parent: ContainerNode | undefined;
}

/** Follows `path` from `root` as far as it exists. Duplicate keys: the last wins, as in json5. */
export function walkPath(root: ValueNode, path: readonly PathSegment[]): PathMatch {
  let match: PathMatch = { depth: 0, node: root, entry: undefined, parent: undefined };
  for (const segment of path) {
    const container = match.node;
    if (container.kind === 'scalar') break;
    const entry = findEntry(container, segment);
    if (!entry) break;
    match = { depth: match.depth + 1, node: entry.value, entry, parent: container };
  }
  return match;
}

/** The entry of `container` for `segment`, or undefined. */
export function findEntry(container: ContainerNode, segment: PathSegment): EntryNode | undefined {
  if (container.kind === 'array') {
    const index =
      typeof segment === 'number' ? segment : /^\d+$/.test(segment) ? Number(segment) : -1;
    return container.entries[index];
  }
  const key = String(segment);
  return container.entries.findLast((entry) => entry.key === key);
}

/** 1-based line and column of `offset`, counted as json5 counts them (lines end at `\n`). */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line += 1;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
