import { normalizeReport, tokenize } from '../../../../lib/core/labels/text';

describe('text', () => {
  test('normalises case and whitespace; a blank line ends a sentence', () => {
    expect(normalizeReport('Heart\n  SIZE\r\n\r\nNormal')).toBe('heart size . normal');
  });

  test('a period inside a number does not end a sentence', () => {
    const doc = tokenize('Nodule 1.5 cm. No effusion.');
    expect(doc.tokens.map((t) => t.text)).toEqual(['nodule', '1', '5', 'cm', '.', 'no', 'effusion', '.']);
    expect(doc.tokens.map((t) => t.sentence)).toEqual([0, 0, 0, 0, 0, 1, 1, 1]);
  });

  test('maps characters to tokens', () => {
    const doc = tokenize('no effusion');
    expect(doc.tokenAt[4]).toBe(1);
    expect(doc.tokenAt[2]).toBe(-1);
  });

  test('a de-identification mask is one word token and does not end the sentence', () => {
    const doc = tokenize('The ____ are normal. Heart ____ ____.');
    expect(doc.tokens.map((t) => [t.text, t.kind, t.sentence])).toEqual([
      ['the', 'word', 0],
      ['____', 'word', 0],
      ['are', 'word', 0],
      ['normal', 'word', 0],
      ['.', 'end', 0],
      ['heart', 'word', 1],
      ['____', 'word', 1],
      ['____', 'word', 1],
      ['.', 'end', 1],
    ]);
  });
});
