import * as fs from 'node:fs';
import { porterStem } from '../../../../lib/core/rouge';
import { dataPath } from '../../../helpers/data';

const TABLE = dataPath('porter-stems-indiana.tsv');

describe('porterStem (nltk NLTK_EXTENSIONS)', () => {
  const rows = fs
    .readFileSync(TABLE, 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => line.length > 0)
    .map((line) => line.split('\t') as [string, string]);

  test('the table has every Indiana token', () => {
    expect(rows.length).toBe(1967);
  });

  test('matches nltk 3.8 on every row of porter-stems-indiana.tsv', () => {
    const mismatches = rows.filter(([token, stem]) => porterStem(token) !== stem).map(([token, stem]) => `${token}: want ${stem}, got ${porterStem(token)}`);
    expect(mismatches).toEqual([]);
  });

  test.each([
    ['skies', 'sky'],
    ['dying', 'die'],
    ['lying', 'lie'],
    ['news', 'news'],
    ['innings', 'inning'],
    ['proceed', 'proceed'],
    ['ties', 'tie'],
    ['died', 'die'],
    ['happy', 'happi'],
    ['enjoy', 'enjoy'],
    ['airway', 'airway'],
    ['1990s', '1990'],
    ['t10s', 't10'],
    ['caresses', 'caress'],
    ['hopping', 'hop'],
    ['filing', 'file'],
  ])('nltk rule: %s → %s', (word, stem) => {
    expect(porterStem(word)).toBe(stem);
  });

  test('one- and two-letter words are returned unchanged', () => {
    expect(porterStem('is')).toBe('is');
    expect(porterStem('a')).toBe('a');
  });
});
