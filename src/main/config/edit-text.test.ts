import fc from 'fast-check';
import JSON5 from 'json5';
import { describe, expect, it } from 'vitest';
import { getAtPath } from './config-path.js';
import { setValueInText, unsetValueInText } from './edit-text.js';
import { parseJson5Tree, walkPath } from './json5-positions.js';

// A hand-written file: comments everywhere, unquoted keys, both quote styles, trailing commas.
const FILE = `// special-agent config — hand edited
{
  gateway: {
    port: 18789, // change needs a restart
    bind: 'loopback',
    auth: { mode: 'token' },
    /* proxies in front of us */
    trustedProxies: ['10.0.0.1',],
  },
  models: {
    providers: {
      // local first
      ollama: { type: "openai", baseUrl: 'http://localhost:11434/v1' },
    },
  },
  agents: {
    default: 'main',
    list: [
      { id: 'main', model: { provider: 'ollama', name: 'llama3.2' } },
    ],
  },
}
`;

/** `text` with `snippet` (which must occur exactly once) replaced: every other byte equal. */
function replacedOnce(text: string, snippet: string, replacement: string): string {
  expect(text.split(snippet)).toHaveLength(2);
  return text.replace(snippet, () => replacement);
}

describe('setValueInText', () => {
  it('replaces an existing number and keeps the comment on its line', () => {
    const out = setValueInText(FILE, ['gateway', 'port'], 19000);
    expect(out).toBe(replacedOnce(FILE, 'port: 18789,', 'port: 19000,'));
  });

  it('replaces a string and keeps its single quotes', () => {
    const out = setValueInText(FILE, ['gateway', 'bind'], 'lan');
    expect(out).toBe(replacedOnce(FILE, "bind: 'loopback'", "bind: 'lan'"));
  });

  it('replaces a double-quoted string with double quotes', () => {
    const out = setValueInText(FILE, ['models', 'providers', 'ollama', 'type'], 'anthropic');
    expect(out).toBe(replacedOnce(FILE, 'type: "openai"', 'type: "anthropic"'));
  });

  it('adds a key to an inline object on the same line, in the file’s quote style', () => {
    const out = setValueInText(FILE, ['gateway', 'auth', 'token'], 'abc');
    expect(out).toBe(
      replacedOnce(FILE, "auth: { mode: 'token' },", "auth: { mode: 'token', token: 'abc' },"),
    );
  });

  it('adds a nested key with intermediate objects at the object’s indentation', () => {
    const out = setValueInText(FILE, ['gateway', 'pairing', 'pendingTtlSeconds'], 60);
    const added = "    pairing: {\n      pendingTtlSeconds: 60,\n    },\n";
    expect(out).toBe(
      replacedOnce(FILE, "['10.0.0.1',],\n", `['10.0.0.1',],\n${added}`),
    );
    expect(JSON5.parse<{ gateway: { pairing: unknown } }>(out).gateway.pairing).toEqual({
      pendingTtlSeconds: 60,
    });
  });

  it('adds a provider whose id needs quotes, with a pretty-printed value', () => {
    const out = setValueInText(FILE, ['models', 'providers', 'my-llm'], {
      type: 'openai',
      baseUrl: 'http://127.0.0.1:8080/v1',
      models: ['a', 'b'],
    });
    const added = [
      "      'my-llm': {",
      "        type: 'openai',",
      "        baseUrl: 'http://127.0.0.1:8080/v1',",
      "        models: ['a', 'b'],",
      '      },',
      '',
    ].join('\n');
    const anchor = "baseUrl: 'http://localhost:11434/v1' },\n";
    // Keys are double-quoted by JSON rules; everything else follows the file.
    expect(out).toBe(replacedOnce(FILE, anchor, anchor + added.replace("'my-llm'", '"my-llm"')));
  });

  it('appends to a list at index === length and keeps the trailing comma', () => {
    const out = setValueInText(FILE, ['gateway', 'trustedProxies', 1], '::1');
    expect(out).toBe(replacedOnce(FILE, "['10.0.0.1',]", "['10.0.0.1', '::1',]"));
  });

  it('refuses an index past the end of a list and a path through a scalar', () => {
    expect(() => setValueInText(FILE, ['agents', 'list', 5], {})).toThrow(/has 1 items/);
    expect(() => setValueInText(FILE, ['gateway', 'port', 'x'], 1)).toThrow(/not an object/);
  });

  it('starts a missing or empty file layout in the DESIGN.md style', () => {
    expect(setValueInText('{\n}\n', ['gateway', 'auth', 'mode'], 'password')).toBe(
      '{\n  gateway: {\n    auth: {\n      mode: "password",\n    },\n  },\n}\n',
    );
    expect(setValueInText('{}', ['gateway', 'port'], 1)).toBe('{\n  gateway: {\n    port: 1,\n  },\n}');
  });

  it('keeps a file without trailing commas without them, and its CRLF line endings', () => {
    const text = '{\r\n  a: 1 // note\r\n}\r\n';
    expect(setValueInText(text, ['b', 'c'], true)).toBe(
      '{\r\n  a: 1, // note\r\n  b: {\r\n    c: true\r\n  }\r\n}\r\n',
    );
  });

  it('keeps a comment inside an empty object on its own line', () => {
    expect(setValueInText('{\n  auth: { // later\n  },\n}\n', ['auth', 'mode'], 'none')).toBe(
      '{\n  auth: { // later\n    mode: "none",\n  },\n}\n',
    );
  });
});

describe('unsetValueInText', () => {
  it('removes a member and its line but keeps the comment above', () => {
    const out = unsetValueInText(FILE, ['gateway', 'trustedProxies']);
    expect(out).toBe(replacedOnce(FILE, "    trustedProxies: ['10.0.0.1',],\n", ''));
    expect(out).toContain('/* proxies in front of us */');
  });

  it('removes a member with its own trailing comment', () => {
    const out = unsetValueInText(FILE, ['gateway', 'port']);
    expect(out).toBe(replacedOnce(FILE, '    port: 18789, // change needs a restart\n', ''));
  });

  it('removes the separator before a last member written without a trailing comma', () => {
    expect(unsetValueInText('{\n  a: 1, // keep me\n  b: 2\n}\n', ['b'])).toBe(
      '{\n  a: 1 // keep me\n}\n',
    );
  });

  it('edits one-line objects and lists in place', () => {
    expect(unsetValueInText('{ a: 1, b: 2 }', ['a'])).toBe('{ b: 2 }');
    expect(unsetValueInText('{ a: 1, b: 2 }', ['b'])).toBe('{ a: 1 }');
    expect(unsetValueInText('{ a: { b: 1 } }', ['a', 'b'])).toBe('{ a: {} }');
    expect(unsetValueInText('{ l: [1, 2, 3] }', ['l', 1])).toBe('{ l: [1, 3] }');
  });

  it('returns the text unchanged for a missing path', () => {
    expect(unsetValueInText(FILE, ['gateway', 'pairing', 'x'])).toBe(FILE);
    expect(unsetValueInText(FILE, ['agents', 'list', 3])).toBe(FILE);
  });

  it('removes every copy of a repeated key so the value is really gone', () => {
    expect(JSON5.parse(unsetValueInText('{\n  a: 1,\n  a: 2,\n  b: 3,\n}\n', ['a']))).toEqual({
      b: 3,
    });
  });
});

describe('edits on the realistic file (property)', () => {
  const paths = [
    ['gateway', 'port'],
    ['gateway', 'bind'],
    ['gateway', 'auth', 'mode'],
    ['gateway', 'auth', 'token'],
    ['gateway', 'pairing', 'autoApproveLocal'],
    ['gateway', 'trustedProxies'],
    ['gateway', 'trustedProxies', 0],
    ['models', 'providers', 'ollama', 'baseUrl'],
    ['models', 'providers', 'new-one', 'models'],
    ['agents', 'default'],
    ['agents', 'list', 0, 'model', 'name'],
    ['agents', 'list', 1],
    ['x y', 'z'],
  ];
  const json = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.string(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(
        fc.string({ minLength: 1 }).filter((key) => key !== '__proto__'),
        tie('value'),
        { maxKeys: 3 },
      ),
    ),
  })).value;
  const edit = fc.record({
    path: fc.constantFrom(...paths),
    value: json,
    unset: fc.boolean(),
  });

  it('always yields valid JSON5 holding exactly the edited values, comments kept', () => {
    fc.assert(
      fc.property(fc.array(edit, { maxLength: 6 }), (edits) => {
        let text = FILE;
        let expected = JSON5.parse<unknown>(FILE);
        for (const { path, value, unset } of edits) {
          const before = text;
          try {
            text = unset ? unsetValueInText(text, path) : setValueInText(text, path, value);
          } catch (error) {
            // Only a path that cannot exist may be refused; the text then stays as it was.
            expect(error).toBeInstanceOf(RangeError);
            continue;
          }
          expected = unset ? without(expected, path) : withValue(expected, path, value);
          expect(JSON5.parse(text)).toEqual(expected);
          if (unset && getAtPath(JSON5.parse(before), path) === undefined) {
            expect(text).toBe(before);
          }
        }
        expect(text).toContain('// special-agent config — hand edited');
        expect(text).toContain('// local first');
      }),
      { numRuns: 300 },
    );
  });
});

function withValue(doc: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(doc) as Record<string, unknown>;
  let node: Record<string, unknown> = copy;
  path.slice(0, -1).forEach((segment, i) => {
    const key = String(segment);
    if (!Object.hasOwn(node, key)) node[key] = typeof path[i + 1] === 'number' ? [] : {};
    node = node[key] as Record<string, unknown>;
  });
  node[String(path.at(-1))] = structuredClone(value);
  return copy;
}

function without(doc: unknown, path: (string | number)[]): unknown {
  const copy = structuredClone(doc) as Record<string, unknown>;
  const parent = getAtPath(copy, path.slice(0, -1));
  const last = path.at(-1);
  if (Array.isArray(parent) && typeof last === 'number') {
    if (last < parent.length) parent.splice(last, 1);
  } else if (parent && typeof parent === 'object') {
    delete (parent as Record<string, unknown>)[String(last)];
  }
  return copy;
}

describe('edits on randomly laid-out files (property)', () => {
  const key = fc.oneof(
    fc.constantFrom('a', 'b', '$x', 'port', 'my-key', 'with space', "it's"),
    fc.string({ minLength: 1, maxLength: 4 }).filter((k) => k !== '__proto__'),
  );
  const json = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.string({ maxLength: 5 }),
      fc.integer({ min: -5, max: 300 }),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(key, tie('value'), { maxKeys: 3 }),
    ),
  })).value;
  const doc = fc.dictionary(key, json, { maxKeys: 4 });

  it('keeps meaning and every byte outside a replaced value, whatever the layout', () => {
    fc.assert(
      fc.property(doc, fc.nat(), fc.array(fc.tuple(fc.nat(), json, fc.boolean()), { maxLength: 4 }), (value, seed, edits) => {
        const random = mulberry32(seed);
        let text = printJson5(value, random, '');
        expect(JSON5.parse(text)).toEqual(value);
        let expected: unknown = value;
        for (const [pick, newValue, unset] of edits) {
          const candidates = pathsOf(expected);
          const path = candidates[pick % candidates.length] ?? ['fresh'];
          if (path.length === 0) continue;
          const next = unset ? unsetValueInText(text, path) : trySet(text, path, newValue);
          if (next === undefined) continue;
          const old = walkPath(parseJson5Tree(text), path);
          if (!unset && old.depth === path.length) {
            // A replaced value: the bytes before and after it are exactly the old ones.
            expect(next.startsWith(text.slice(0, old.node.start))).toBe(true);
            expect(next.endsWith(text.slice(old.node.end))).toBe(true);
          }
          expected = unset ? without(expected, path) : withValue(expected, path, newValue);
          expect(JSON5.parse(next)).toEqual(expected);
          text = next;
        }
      }),
      { numRuns: 400 },
    );
  });
});

function trySet(text: string, path: (string | number)[], value: unknown): string | undefined {
  try {
    return setValueInText(text, path, value);
  } catch (error) {
    expect(error).toBeInstanceOf(RangeError);
    return undefined;
  }
}

/** Every existing path, plus one new key per object and the append index per list. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) {
    value.forEach((item, i) => out.push(...pathsOf(item, [...prefix, i])));
    out.push([...prefix, value.length]);
  } else if (value && typeof value === 'object') {
    for (const [k, item] of Object.entries(value)) out.push(...pathsOf(item, [...prefix, k]));
    out.push([...prefix, 'added']);
  }
  return out;
}

/** Prints JSON5 with random habits: comments, quotes, trailing commas, one-line or not. */
function printJson5(value: unknown, random: () => number, indent: string): string {
  const quote = (s: string) =>
    random() < 0.5
      ? JSON.stringify(s)
      : `'${JSON.stringify(s).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'string') return quote(value);
    if (typeof value === 'number' && value > 0 && random() < 0.3) return `0x${value.toString(16)}`;
    return String(value);
  }
  const isList = Array.isArray(value);
  const entries = isList ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  const multiline = random() < 0.6;
  const inner = `${indent}  `;
  const parts = entries.map(([k, v]) => {
    const keyText =
      typeof k === 'number' ? '' : `${/^[A-Za-z_$][\w$]*$/.test(k) && random() < 0.7 ? k : quote(k)}: `;
    const comment = random() < 0.2 ? (multiline ? `// note ${k}\n${inner}` : '/* c */ ') : '';
    return comment + keyText + printJson5(v, random, inner);
  });
  const [open, close] = isList ? ['[', ']'] : ['{', '}'];
  if (parts.length === 0) return random() < 0.5 ? `${open}${close}` : `${open} /* empty */ ${close}`;
  const trailing = random() < 0.5 ? ',' : '';
  if (!multiline) return `${open} ${parts.join(', ')}${trailing} ${close}`;
  const lines = parts.map((part, i) => {
    const comma = i < parts.length - 1 ? ',' : trailing;
    return `${inner}${part}${comma}${random() < 0.2 ? ' // tail' : ''}`;
  });
  return `${open}\n${lines.join('\n')}\n${indent}${close}`;
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
