/**
 * Strict UTF-8 decoding of input files: text that is not valid UTF-8 is an error naming the file and
 * the byte offset of the first bad byte, never a string with U+FFFD in place of what it held (which
 * `fs.readFileSync(file, 'utf8')` would silently give, and score or label as replacement characters).
 */
import { CliError } from './errors';

/**
 * Offset of the first byte of `bytes` that starts an ill-formed UTF-8 sequence (the Unicode
 * standard's definition, as the WHATWG decoder applies it: no overlong forms, no surrogates, nothing
 * above U+10FFFF, no truncated sequence), or -1 when all of it is valid.
 */
export function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) {
      i += 1;
      continue;
    }
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) low = 0xa0;
      if (b === 0xed) high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) low = 0x90;
      if (b === 0xf4) high = 0x8f;
    } else return i;
    if (i + length > n) return i;
    // The second byte has the narrowed range; the rest are plain continuation bytes.
    if (bytes[i + 1] < low || bytes[i + 1] > high) return i;
    for (let k = 2; k < length; k += 1) if (bytes[i + k] < 0x80 || bytes[i + k] > 0xbf) return i;
    i += length;
  }
  return -1;
}

const DECODER = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes `bytes` read from `file` as strict UTF-8 (a BOM is kept, as U+FEFF).
 * @throws CliError `<file>: not valid UTF-8 at byte <offset> (line <n>)` (0-based offset, 1-based line).
 */
export function decodeUtf8File(bytes: Uint8Array, file: string): string {
  try {
    return DECODER.decode(bytes);
  } catch {
    const offset = firstInvalidUtf8Offset(bytes);
    let line = 1;
    for (let i = 0; i < offset; i += 1) if (bytes[i] === 0x0a) line += 1;
    throw new CliError(`${file}: not valid UTF-8 at byte ${offset} (line ${line})`);
  }
}
