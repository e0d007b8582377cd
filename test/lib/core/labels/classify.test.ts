import { classifyContext, explainMention } from '../../../../lib/core/labels/classify';
import { findCues } from '../../../../lib/core/labels/cue-matcher';
import { findMentions } from '../../../../lib/core/labels/phrase-matcher';
import { tokenize } from '../../../../lib/core/labels/text';

function explain(text: string): [string, number | null, string][] {
  const doc = tokenize(text);
  const ctx = classifyContext(doc.tokens, findCues(doc.tokens));
  return findMentions(doc).map((m) => {
    const { label, rule } = explainMention(ctx, m);
    return [m.category, label, rule];
  });
}

describe('explainMention', () => {
  test.each([
    ['No pneumothorax.', 'negationBefore', 0],
    ['Pneumothorax is not seen.', 'negationAfter', 0],
    ['Cannot exclude pneumothorax.', 'uncertainBefore', -1],
    ['Possible pneumothorax.', 'hedgeBefore', -1],
    ['Small pneumothorax.', 'positive', 1],
  ] as const)('names the rule that decided the label: %s', (text, rule, label) => {
    expect(explain(text)).toEqual([['Pneumothorax', label, rule]]);
  });

  test('a descriptive phrase without a size word is reported as not a mention', () => {
    expect(explain('Heart size is stable.')).toEqual([['Cardiomegaly', null, 'descriptiveWithoutSize']]);
    expect(explain('Upper limits of normal heart size.')).toEqual([['Cardiomegaly', -1, 'uncertainAttributive']]);
  });

  test('an uncertain phrase is reported as such', () => {
    expect(explain('Vascular congestion.')).toEqual([['Edema', -1, 'uncertainPhrase']]);
  });
});
