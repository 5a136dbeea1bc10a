import JSON5 from 'json5';
import { describe, expect, it } from 'vitest';
import { setValueInText, unsetValueInText } from './edit-text.js';
import { HAND_EDITED_CONFIG } from './test-fixtures/hand-edited-config.js';

const FILE = HAND_EDITED_CONFIG;

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
    const added = '    pairing: {\n      pendingTtlSeconds: 60,\n    },\n';
    expect(out).toBe(replacedOnce(FILE, "['10.0.0.1',],\n", `['10.0.0.1',],\n${added}`));
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
    expect(setValueInText('{}', ['gateway', 'port'], 1)).toBe(
      '{\n  gateway: {\n    port: 1,\n  },\n}',
    );
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
