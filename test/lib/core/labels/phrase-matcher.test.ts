import { builtUnmentions, findMentions, phrasesOf } from '../../../../lib/core/labels/phrase-matcher';
import { tokenize } from '../../../../lib/core/labels/text';

describe('phrase matcher', () => {
  test('loads the upstream lists, `_` read as a space', () => {
    expect(phrasesOf('Enlarged Cardiomediastinum')).toContain(' mediastinum');
    expect(phrasesOf('Support Devices')).toContain(' line ');
    expect(phrasesOf('Other Finding')).toContain('granuloma');
  });

  test('builds the code unmentions as upstream does', () => {
    const built = builtUnmentions('Cardiomegaly', ['cardiomegaly', 'the heart', 'cardiac enlargement']);
    expect(built).toHaveLength(12);
    expect(built).toContain('over the left heart');
    expect(built).toContain('overly the heart');
    expect(builtUnmentions('Enlarged Cardiomediastinum', ['_mediastinum'])).toContain('in the superior mediastinum');
  });

  test('maps a mention to its tokens and sentence', () => {
    const [mention] = findMentions(tokenize('Normal. Mild   cardiac\nenlargement.'));
    expect(mention).toEqual({ category: 'Cardiomegaly', phrase: 'cardiac enlargement', tokenStart: 3, tokenEnd: 5, sentence: 1, wordPrefix: '' });
  });

  test('records the letters before a phrase that starts inside a word', () => {
    const consolidation = findMentions(tokenize('Nonconsolidating opacity.')).find((m) => m.category === 'Consolidation');
    expect(consolidation).toMatchObject({ phrase: 'consolidat', tokenStart: 0, wordPrefix: 'non' });
  });

  test('"_line_" needs spaces on both sides', () => {
    expect(findMentions(tokenize('A central line is seen.')).map((m) => m.category)).toContain('Support Devices');
    expect(findMentions(tokenize('Midline trachea.')).map((m) => m.category)).not.toContain('Support Devices');
  });
});
