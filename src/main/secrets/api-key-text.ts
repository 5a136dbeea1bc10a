/**
 * What an API key may be made of: printable ASCII without spaces. Every provider's keys are,
 * and it is all an HTTP header carries safely; a pasted zero-width space or smart quote
 * would make every request fail before it is sent (fetch refuses the header).
 */

/**
 * Why `value` cannot be an API key (the first bad character and where), or undefined.
 * Spaces, tabs and line breaks at the end are allowed: fetch trims those off the end of a
 * header value, so such keys always worked (a pasted trailing newline). Nothing at the
 * start is: the key follows `Bearer ` in the header, where it is not trimmed.
 */
export function apiKeyProblem(value: string): string | undefined {
  const end = value.replace(/[ \t\r\n]+$/, '').length;
  for (let index = 0; index < end; index += 1) {
    const unit = value.charCodeAt(index);
    if (unit >= 0x21 && unit <= 0x7e) continue;
    const codePoint = value.codePointAt(index) ?? unit;
    const name = `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
    return `has a character no API key has (${name} at position ${index + 1})`;
  }
  return undefined;
}
