/**
 * What an API key may be made of: printable ASCII without spaces. Every provider's keys are,
 * and it is all an HTTP header carries safely; a pasted zero-width space or smart quote
 * would make every request fail before it is sent (fetch refuses the header).
 */

/**
 * Why `value` cannot be an API key (the first bad character and where), or undefined.
 * Whitespace at either end is allowed: fetch trims a header value, so such keys always
 * worked (a pasted trailing newline, an env var with a space).
 */
export function apiKeyProblem(value: string): string | undefined {
  const start = value.length - value.trimStart().length;
  const end = value.trimEnd().length;
  for (let index = start; index < end; index += 1) {
    const unit = value.charCodeAt(index);
    if (unit >= 0x21 && unit <= 0x7e) continue;
    const codePoint = value.codePointAt(index) ?? unit;
    const name = `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
    return `has a character no API key has (${name} at position ${index + 1})`;
  }
  return undefined;
}
