import { tokenize, tokenizeLines } from '../../../../lib/core/rouge';
import { TokenBuffer, TokenInterner } from '../../../../lib/core/rouge/interner';
import { naiveTokens } from './naive-rouge';

describe('tokenize (rouge-score DefaultTokenizer)', () => {
  test.each([
    ['Heart size is NORMAL.', ['heart', 'size', 'is', 'normal']],
    ['café', ['caf']],
    ['straße', ['stra', 'e']],
    ['naïve', ['na', 've']],
    ['\ufb01brosis', ['brosis']],
    ['cafe\u0301', ['cafe']],
    ['\u0130zmir', ['i', 'zmir']],
    ['\u212Aelvin', ['kelvin']],
    ['Καρδιά 心脏 ＡＢＣ 🙂', []],
    ['1.7 cm', ['1', '7', 'cm']],
    ['T7-T8', ['t7', 't8']],
    ["it's", ['it', 's']],
    ['3x4', ['3x4']],
    ['____ and ___', ['and']],
    ['', []],
  ])('%j → %j', (text, tokens) => {
    expect(tokenize(text)).toEqual(tokens);
  });

  test('the stemmer applies only to tokens longer than three characters', () => {
    expect(tokenize('Lungs are clear, opacities noted in 1990s; was', { stemmer: true })).toEqual([
      'lung',
      'are',
      'clear',
      'opac',
      'note',
      'in',
      '1990',
      'was',
    ]);
  });

  test('lines split on "\\n" only; empty lines are dropped, whitespace-only lines kept', () => {
    expect(tokenizeLines('a b\r\nc\u2028d\n\n  \ne\u000bf')).toEqual([['a', 'b'], ['c', 'd'], [], ['e', 'f']]);
  });

  test('the interning tokenizer gives the same tokens as the plain one for every code point', () => {
    const interner = new TokenInterner(false);
    const buffer = new TokenBuffer();
    const names = new Map<number, string>();
    for (let cp = 0; cp <= 0x10ffff; cp += 1) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const text = `Ab${String.fromCodePoint(cp)}c9 x${String.fromCodePoint(cp)}`;
      interner.tokenize(text, buffer);
      const expected = naiveTokens(text, false);
      const got = Array.from(buffer.view(), (id, i) => {
        const known = names.get(id);
        if (known === undefined) names.set(id, expected[i]);
        return known ?? expected[i];
      });
      if (buffer.length !== expected.length || got.join(' ') !== expected.join(' ')) {
        throw new Error(`code point U+${cp.toString(16)}: ${JSON.stringify(got)} vs ${JSON.stringify(expected)}`);
      }
    }
  });

  test('interned ids with the stemmer are shared by equal stems and equal short words', () => {
    const interner = new TokenInterner(true);
    const buffer = new TokenBuffer();
    interner.tokenize('lying lie lies effusions effusion heart', buffer);
    const ids = Array.from(buffer.view());
    expect(ids[0]).toBe(ids[1]);
    expect(ids[3]).toBe(ids[4]);
    expect(ids[2]).toBe(ids[1]); // four-letter "-ies" → "-ie"
    expect(new Set(ids).size).toBe(3);
  });

  test('line ends are recorded only for lines with tokens', () => {
    const interner = new TokenInterner(false);
    const buffer = new TokenBuffer();
    interner.tokenize('\na b\n...\n\nc\n', buffer);
    expect(Array.from(buffer.lineEnds.subarray(0, buffer.lineCount))).toEqual([2, 3]);
  });
});
