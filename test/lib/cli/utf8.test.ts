import { decodeUtf8File, firstInvalidUtf8Offset } from '../../../lib/cli/utf8';

const strict = new TextDecoder('utf-8', { fatal: true });
function valid(bytes: Uint8Array): boolean {
  try {
    strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

describe('firstInvalidUtf8Offset', () => {
  test.each([
    ['ASCII and valid 2-, 3- and 4-byte sequences', [0x41, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80], -1],
    ['a Latin-1 é', [0x63, 0x61, 0x66, 0xe9], 3],
    ['a lone continuation byte', [0x41, 0x80], 1],
    ['an overlong 2-byte form', [0xc0, 0x80], 0],
    ['an overlong 3-byte form', [0x41, 0xe0, 0x80, 0x80], 1],
    ['a UTF-16 surrogate', [0xed, 0xa0, 0x80], 0],
    ['above U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
    ['a lead byte that never starts a sequence', [0xf5, 0x80, 0x80, 0x80], 0],
    ['a sequence cut short by the end', [0x41, 0x42, 0xe2, 0x82], 2],
    ['a sequence cut short by ASCII', [0xe2, 0x41, 0x42], 0],
  ])('%s', (_name, bytes, offset) => {
    expect(firstInvalidUtf8Offset(Uint8Array.from(bytes))).toBe(offset);
    expect(valid(Uint8Array.from(bytes))).toBe(offset === -1);
  });

  test('agrees with the strict WHATWG decoder on 20,000 random byte strings: valid up to the offset, invalid from it', () => {
    let seed = 7;
    const random = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 24;
    };
    for (let t = 0; t < 20000; t++) {
      // Mostly ASCII and UTF-8 lead/continuation bytes, so that valid multi-byte sequences occur.
      const bytes = Uint8Array.from({ length: 1 + (t % 12) }, () => {
        const r = random();
        return r < 96 ? r & 0x7f : r < 176 ? 0x80 | (r & 0x3f) : r;
      });
      const offset = firstInvalidUtf8Offset(bytes);
      if (offset === -1) {
        expect(valid(bytes)).toBe(true);
      } else {
        expect(valid(bytes.subarray(0, offset))).toBe(true);
        expect(valid(bytes.subarray(0, Math.min(bytes.length, offset + 4)))).toBe(false);
      }
    }
  });
});

test('decodeUtf8File keeps a BOM and names file, byte offset and line of bad input', () => {
  expect(decodeUtf8File(Uint8Array.from([0xef, 0xbb, 0xbf, 0x41]), 'a.jsonl')).toBe('\ufeffA');
  expect(() => decodeUtf8File(Uint8Array.from([0x41, 0x0a, 0x42, 0x0a, 0xff]), 'a.jsonl')).toThrow('a.jsonl: not valid UTF-8 at byte 4 (line 3)');
});
