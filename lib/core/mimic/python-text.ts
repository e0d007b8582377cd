/**
 * Python-compatible whitespace handling for the MEDIQA port.
 *
 * Python's `\s` (on str patterns), `str.strip()` and `str.isspace()` share one set of whitespace
 * code points, which differs from JavaScript's `\s` and `String.prototype.trim()`: Python adds
 * U+001C–U+001F and U+0085, JavaScript adds U+FEFF. Everything here uses the Python set, so the
 * port produces the same text as the official scripts for every input, including a leading BOM.
 */

/** Body of a regex character class matching exactly Python's whitespace set (use inside `[...]`). */
export const PY_WS_CLASS = '\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

/** True when the UTF-16 code unit `code` is whitespace for Python (no astral code point is). */
export function isPyWhitespace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d) || (code >= 0x1c && code <= 0x1f);
  if (code < 0x85) return false;
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** Python `text.lstrip()`. */
export function pyLStrip(text: string): string {
  let start = 0;
  while (start < text.length && isPyWhitespace(text.charCodeAt(start))) start += 1;
  return start === 0 ? text : text.slice(start);
}

/** Python `text.rstrip()`. */
export function pyRStrip(text: string): string {
  let end = text.length;
  while (end > 0 && isPyWhitespace(text.charCodeAt(end - 1))) end -= 1;
  return end === text.length ? text : text.slice(0, end);
}

/** Python `text.strip()`: unlike `trim()`, keeps U+FEFF and removes U+001C–U+001F and U+0085. */
export function pyStrip(text: string): string {
  return pyRStrip(pyLStrip(text));
}

/** True when Python's `text.strip() == ''` would be true. */
export function isPyBlank(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) if (!isPyWhitespace(text.charCodeAt(i))) return false;
  return true;
}

const WS_RUN = new RegExp(`[${PY_WS_CLASS}]{2,}`, 'g');

/** Python `re.sub(r'\s{2,}', ' ', text)`: every run of two or more whitespace characters → one space. */
export function collapseWhitespaceRuns(text: string): string {
  return text.replace(WS_RUN, ' ');
}

/** Python `text.replace('\n', '')`: deletes every newline (JS `replace('\n', '')` would delete only the first). */
export function deleteNewlines(text: string): string {
  return text.indexOf('\n') === -1 ? text : text.replaceAll('\n', '');
}
