import { findHeaders, normaliseSectionName, splitSections } from '../../../../lib/core/mimic/sections';

const names = (text: string): string[] => splitSections(text).map((s) => s.name);
const section = (text: string, name: string): string | undefined => splitSections(text).find((s) => s.name === name)?.text;

describe('header detection', () => {
  test('a header is newline, exactly one space, capitals, colon, one whitespace character', () => {
    expect(findHeaders('x\n FINDINGS: a').map((h) => h.rawName)).toEqual(['FINDINGS']);
    expect(findHeaders('x\nFINDINGS: a')).toEqual([]);
    expect(findHeaders('x\n\tFINDINGS: a')).toEqual([]);
    // Further spaces become part of the name (and are stripped by the normalisation).
    expect(findHeaders('x\n   IMPRESSION: a').map((h) => h.rawName)).toEqual(['  IMPRESSION']);
    expect(normaliseSectionName('  IMPRESSION')).toBe('impression');
  });

  test('lower case, digits and #._& prevent a match; ()/,- and spaces are allowed', () => {
    for (const name of ['Indication', 'WET READ VERSION #1', 'NOTE 2', 'A.B', 'A_B', 'A & B']) {
      expect(findHeaders(`x\n ${name}: y`)).toEqual([]);
    }
    expect(findHeaders('x\n CHEST (PA, LAT)/AP-VIEW: y').map((h) => h.rawName)).toEqual(['CHEST (PA, LAT)/AP-VIEW']);
  });

  test('the first line is never a header, and a header needs a whitespace character after the colon', () => {
    expect(findHeaders(' FINDINGS: a')).toEqual([]);
    expect(findHeaders('x\n FINDINGS:')).toEqual([]);
    expect(findHeaders('x\n FINDINGS:a')).toEqual([]);
  });

  test('the whitespace after the colon is consumed: a header right after a newline-ended header is body text', () => {
    const text = 'x\n IMPRESSION:\n NOTIFICATION: told\n';
    expect(names(text)).toEqual(['preamble', 'impression']);
    expect(section(text, 'impression')).toBe(' NOTIFICATION: told\n');
    // With CRLF the \r is consumed instead, so the next line is a header (and the impression,
    // now empty, is removed).
    expect(names('x\r\n IMPRESSION:\r\n NOTIFICATION: told\r\n')).toEqual(['preamble', 'notification']);
  });

  test('Python whitespace after the colon: U+0085 and U+001C count, U+FEFF does not', () => {
    expect(findHeaders('x\n FINDINGS:\u0085a')).toHaveLength(1);
    expect(findHeaders('x\n FINDINGS:\u001ca')).toHaveLength(1);
    expect(findHeaders('x\n FINDINGS:\u00a0a')).toHaveLength(1);
    expect(findHeaders('x\n FINDINGS:\ufeffa')).toEqual([]);
  });

  test('section text runs from the end of the header to the next header; the header is not in it', () => {
    const text = 'TOP\n FINDINGS: lungs clear.\n more.\n IMPRESSION: fine.';
    const sections = splitSections(text);
    expect(sections.map((s) => [s.name, s.text])).toEqual([
      ['preamble', 'TOP\n '],
      ['findings', 'lungs clear.\n more.'],
      ['impression', 'fine.'],
    ]);
    expect(sections[1].start).toBe(text.indexOf('lungs'));
  });
});

describe('section-name normalisation', () => {
  test.each([
    ['CONCLUSION', 'impression'],
    ['FINDINGS AND IMPRESSION', 'impression'],
    ['FINDINGS/IMPRESSION', 'impression'],
    ['FINDINGS/ IMPRESSION', 'impression'],
    ['FINDINGS / IMPRESSION', 'impression'],
    ['NDICATION', 'impression'],
    ['IMPRESSON', 'impression'],
    ['CHEST, TWO VIEWS', 'findings'],
    ['FINDING', 'findings'],
    ['FINDINS', 'findings'],
    ['PFI', 'history'],
    ['WETREAD', 'wet read'],
    ['COMPARISONS', 'comparison'],
    ['CLINICAL HISTORY', 'history'],
    ['REASON FOR EXAMINATION', 'indication'],
    ['IDICATION', 'indication'],
    ['FINAL IMPRESSION', 'impression'],
    ['IMPRESSIONS', 'impression'],
    ['PRELIMINARY FINDINGS', 'findings'],
    ['PAST HISTORY', 'history'],
    ['PORTABLE CHEST', 'findings'],
    ['CHEST WALL', 'findings'],
    ['LEFT RIBS, THREE VIEWS', 'findings'],
    ['CHEST (PA AND LAT)', 'findings'],
    ['PA VIEW', 'findings'],
    ['LINES/TUBES', 'lines/tubes'],
    ['LUNGS', 'lungs'],
    ['RECOMMENDATION(S)', 'recommendations'],
    [' NOTIFICATION ', 'notification'],
  ])('%s → %s', (raw, expected) => {
    expect(normaliseSectionName(raw)).toBe(expected);
  });
});

describe('choosing sections', () => {
  test('empty findings and impression sections are removed, other empty sections stay', () => {
    const text = 'x\n FINDINGS: \n \n PA VIEW: \n lungs\n IMPRESSION: \n \n LUNGS: \n';
    expect(names(text)).toEqual(['preamble', 'findings', 'lungs']);
    expect(section(text, 'findings')).toBe('\n lungs');
  });

  test('a section blank only by Python rules (U+001F) is removed; one holding U+FEFF is kept', () => {
    expect(names('x\n FINDINGS: \u001f\n IMPRESSION: a')).toEqual(['preamble', 'impression']);
    expect(names('x\n FINDINGS: \ufeff\n IMPRESSION: a')).toEqual(['preamble', 'findings', 'impression']);
  });

  test('with neither findings nor impression, the last section is split at its first paragraph break', () => {
    const text = 'x\n HISTORY: a\n \n b\n \n c';
    const sections = splitSections(text);
    expect(sections.map((s) => [s.name, s.text])).toEqual([
      ['preamble', 'x\n '],
      ['history', 'a'],
      ['last_paragraph', ' b\n \n c'],
    ]);
    expect(names('no headers at all')).toEqual(['full report']);
    expect(names('x\n FINDINGS: a\n \n b')).toEqual(['preamble', 'findings']);
  });
});
