import { describe, expect, it } from 'vitest';
import { printable } from './printable.js';

const codePoints = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => String.fromCodePoint(from + i));

/** True when `text` holds nothing a terminal would act on or hide. */
const isInert = (text: string) =>
  !/[\p{Cc}\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/u.test(text);

describe('printable', () => {
  it('turns a terminal-repainting device name into visible escapes, still recognisable', () => {
    expect(printable('evil\u001b[2J\u001b]0;pwned\u0007\nFAKE LINE')).toBe(
      'evil\\u001b[2J\\u001b]0;pwned\\u0007\\nFAKE LINE',
    );
  });

  it('escapes every C0 control, DEL and every C1 control', () => {
    for (const char of [...codePoints(0x00, 0x1f), '\u007f', ...codePoints(0x80, 0x9f)]) {
      const shown = printable(`a${char}b`);
      expect(isInert(shown), `U+${char.charCodeAt(0).toString(16)}`).toBe(true);
      expect(shown).toMatch(/^a\\(u[0-9a-f]{4}|[nrtbf])b$/);
    }
    expect(printable('\u009b31m')).toBe('\\u009b31m');
    expect(printable('\u007f')).toBe('\\u007f');
    expect(printable('\u0000')).toBe('\\u0000');
  });

  it('writes the common controls the way JSON does', () => {
    expect(printable('\n\r\t\b\f')).toBe('\\n\\r\\t\\b\\f');
  });

  it('escapes bidi overrides, isolates and marks, and the Unicode line separators', () => {
    const bidi = [
      ...codePoints(0x202a, 0x202e),
      ...codePoints(0x2066, 0x2069),
      '\u200e',
      '\u200f',
      '\u061c',
      '\u2028',
      '\u2029',
    ];
    for (const char of bidi) {
      const hex = char.charCodeAt(0).toString(16).padStart(4, '0');
      expect(printable(`x${char}y`)).toBe(`x\\u${hex}y`);
    }
    // "Trojan Source": an RLO would show this name as "Ada exe.gnp" reversed.
    expect(printable('Ada \u202egnp.exe')).toBe('Ada \\u202egnp.exe');
  });

  it('keeps ordinary Unicode intact: accents, CJK, emoji with joiners and skin tones', () => {
    const text = 'Zoë’s Pixel · 東京の電話 · 👩‍👩‍👧 👋🏽 · ĉu ŝi? · Ελληνικά · עברית · €';
    expect(printable(text)).toBe(text);
  });

  it('is idempotent, so text escaped twice reads the same', () => {
    const once = printable('a\u001b[31mb\u202ec\n');
    expect(printable(once)).toBe(once);
  });

  it('multiline keeps line feeds and tabs for a model reply, but not the rest', () => {
    expect(printable('line 1\n\tcode\r\nline 3', { multiline: true })).toBe(
      'line 1\n\tcode\nline 3',
    );
    expect(printable('100%\rFAKE\u001b[2J\u0007', { multiline: true })).toBe(
      '100%\\rFAKE\\u001b[2J\\u0007',
    );
  });
});
