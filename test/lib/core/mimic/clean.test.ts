import { cleanBackground, cleanFindings, cleanImpression } from '../../../../lib/core/mimic/clean';
import { collapseWhitespaceRuns, deleteNewlines, isPyWhitespace, pyStrip } from '../../../../lib/core/mimic/python-text';

describe('Python whitespace', () => {
  test('the set differs from JavaScript: U+001C–U+001F and U+0085 in, U+FEFF out', () => {
    for (const c of [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000]) {
      expect(isPyWhitespace(c)).toBe(true);
    }
    for (const c of [0xfeff, 0x200b, 0x180e, 0x41, 0x08]) expect(isPyWhitespace(c)).toBe(false);
    expect(pyStrip('\u0085 a \u001c')).toBe('a');
    expect(pyStrip('\ufeff a \ufeff')).toBe('\ufeff a \ufeff');
  });

  test('newline deletion removes every newline; collapsing needs two or more characters', () => {
    expect(deleteNewlines('a\nb\nc')).toBe('abc');
    expect(collapseWhitespaceRuns('a\tb  c\u0085 d\ufeff e')).toBe('a\tb c d\ufeff e');
  });
});

describe('findings cleaning', () => {
  test('strip, delete newlines (gluing a line without its leading space), collapse runs', () => {
    expect(cleanFindings('\n Mediastinal\ncontours   normal.\n No  effusion. \n')).toBe('Mediastinalcontours normal. No effusion.');
  });

  test('a single tab, lone CR or lone no-break space survives', () => {
    expect(cleanFindings('a\tb\rc\u00a0d')).toBe('a\tb\rc\u00a0d');
    expect(cleanFindings('a\r\n b')).toBe('a b');
  });

  test('JS-vs-Python differences: U+0085 collapses and strips, U+FEFF does not', () => {
    expect(cleanFindings('a.\u0085 b\u0085')).toBe('a. b');
    expect(cleanFindings('a\ufeff b\ufeff')).toBe('a\ufeff b\ufeff');
  });
});

describe('impression cleaning', () => {
  test('single-digit list numbers go, 10. and 1) stay', () => {
    expect(cleanImpression(' 1. A.\n \n 2. B.\n \n 10. J.')).toBe('A. B. 10. J.');
    expect(cleanImpression('1) A. 2) B.')).toBe('1) A. 2) B.');
  });

  test('replacement is non-overlapping, left to right', () => {
    expect(cleanImpression('1. 2. Foo 3. 4. bar')).toBe('2. Foo 4. bar');
  });

  test('an inner number takes the whole whitespace run after it (greedy \\s+), so that run cannot start the next match', () => {
    // Python: re.sub(r'\s[0-9]\.\s+', ' ', 'COPD. 2.  4.  No acute') matches " 2.  " (both spaces);
    // " 4." then has no whitespace of its own in front of it and stays.
    expect(cleanImpression('COPD. 2.  4.  No acute')).toBe('COPD. 4. No acute');
    // A lone CR is kept (only \n is deleted) and belongs to the run after "1.".
    expect(cleanImpression('foot 1.\r 3.  No')).toBe('foot 3. No');
    // CRLF: the \n is deleted first, leaving the same text as above.
    expect(cleanImpression('foot 1.\r\n 3.  No')).toBe('foot 3. No');
    // Python-only whitespace (U+0085) counts in the run too; a single space after the number does not eat the next one's.
    expect(cleanImpression('a 2.\u0085 3. b')).toBe('a 3. b');
    expect(cleanImpression('a 2. 3. b')).toBe('a 3. b');
    expect(cleanImpression('a 2. b 3. c')).toBe('a b c');
  });

  test('the leading number takes the whitespace after it', () => {
    expect(cleanImpression('1.  \n No acute process.')).toBe('No acute process.');
    expect(cleanImpression('1.No space')).toBe('1.No space');
  });
});

describe('background cleaning', () => {
  test('drops FINAL REPORT and the last word of the findings header, collapses and deletes newlines', () => {
    const raw = '                FINAL REPORT\n EXAMINATION:  CHEST (PA AND LAT)\n \n INDICATION:  cough\n \n FINDINGS: ';
    expect(cleanBackground(raw)).toBe('EXAMINATION: CHEST (PA AND LAT) INDICATION: cough');
  });

  test('only the last word of a multi-word header goes', () => {
    expect(cleanBackground('FINAL REPORT\n A: b\n PA AND LATERAL VIEWS OF THE CHEST: ')).toBe('A: b PA AND LATERAL VIEWS OF THE');
    expect(cleanBackground('FINAL REPORT\n CHEST, TWO VIEWS:\n')).toBe('CHEST, TWO');
    expect(cleanBackground('x\n FINDINGS :')).toBe('x FINDINGS');
  });

  test('without any space only the colon goes (Python text[:-1])', () => {
    expect(cleanBackground('FINAL REPORT\nFINDINGS:')).toBe('FINDINGS');
  });

  test('a BOM or a preceding wet read keeps FINAL REPORT; (REVISED) stays', () => {
    expect(cleanBackground('\ufeff FINAL REPORT\n FINDINGS: ')).toBe('\ufeff FINAL REPORT');
    expect(cleanBackground('FINAL REPORT (REVISED)\n FINDINGS: ')).toBe('(REVISED)');
  });

  test('whitespace is collapsed before newlines are deleted', () => {
    expect(cleanBackground('x\n\ty\n FINDINGS: ')).toBe('x y');
    expect(cleanFindings('x\n\ty')).toBe('x\ty');
  });
});
