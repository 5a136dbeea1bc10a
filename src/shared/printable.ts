/**
 * Text from outside (a remote device's name or platform, a model's reply, a provider's or
 * peer's error message) made safe to show on a terminal or in a log line. Raw, such text
 * could clear or retitle the operator's terminal (ESC, CSI, OSC, BEL), start a forged line
 * (CR, LF), or reorder what is shown (bidi overrides, "Trojan Source").
 *
 * The rule: every such character is replaced by a visible escape, written the way a JSON
 * string writes it: `\n`, `\r`, `\t`, `\b`, `\f`, and `\u` with four lower-case hex digits
 * for the rest (ESC → `\u001b`, BEL → `\u0007`, U+202E → `\u202e`). Everything else,
 * accents, CJK, emoji and their joiners included, is kept as it is. A backslash is kept
 * too, so a literal `\u001b` typed as text reads the same as an escaped ESC; the `--json`
 * output of the CLI carries the exact string when that matters.
 */

/**
 * Characters replaced: every C0 control (U+0000–U+001F), DEL (U+007F) and C1 control
 * (U+0080–U+009F, e.g. U+009B, the 8-bit CSI) — together `\p{Cc}` — plus the bidi controls
 * U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069 and the line and paragraph
 * separators U+2028, U+2029 that some terminals and editors break lines at.
 */
const UNPRINTABLE = /[\p{Cc}\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/gu;

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/** Options of {@link printable}. */
export interface PrintableOptions {
  /**
   * Keep line feeds and tabs (a model's multi-line reply). A CR right before a LF is
   * dropped, the line ends there anyway; any other CR is escaped, since alone it returns
   * the cursor to overwrite the line.
   */
  multiline?: boolean;
}

/** `text` with every unprintable character replaced by its visible escape (see the module doc). */
export function printable(text: string, options: PrintableOptions = {}): string {
  const multiline = options.multiline === true;
  const source = multiline ? text.replace(/\r\n/g, '\n') : text;
  return source.replace(UNPRINTABLE, (char) => {
    if (multiline && (char === '\n' || char === '\t')) return char;
    return SHORT_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}
