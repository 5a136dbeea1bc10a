import fc from 'fast-check';
import JSON5 from 'json5';
import { describe, expect, it } from 'vitest';
import { getAtPath } from './config-path.js';
import { setValueInText, unsetValueInText } from './edit-text.js';
import { parseJson5Tree, walkPath } from './json5-positions.js';
import { HAND_EDITED_CONFIG } from './test-fixtures/hand-edited-config.js';

const FILE = HAND_EDITED_CONFIG;

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
      fc.property(
        doc,
        fc.nat(),
        fc.array(fc.tuple(fc.nat(), json, fc.boolean()), { maxLength: 4 }),
        (value, seed, edits) => {
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
        },
      ),
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
      typeof k === 'number'
        ? ''
        : `${/^[A-Za-z_$][\w$]*$/.test(k) && random() < 0.7 ? k : quote(k)}: `;
    const comment = random() < 0.2 ? (multiline ? `// note ${k}\n${inner}` : '/* c */ ') : '';
    return comment + keyText + printJson5(v, random, inner);
  });
  const [open, close] = isList ? ['[', ']'] : ['{', '}'];
  if (parts.length === 0)
    return random() < 0.5 ? `${open}${close}` : `${open} /* empty */ ${close}`;
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
