import { BASELINE_MODELS, baselineImpression, firstSentence, NORMAL_IMPRESSION } from '../../../../lib/core/evaluation/baselines';

describe('baselines', () => {
  it.each([
    ['Heart size is normal. No effusion.', 'Heart size is normal.'],
    ['Nodule measures 1.5 cm. Stable.', 'Nodule measures 1.5 cm.'],
    ['1. Patchy opacity. 2. Atelectasis.', '1. Patchy opacity.'],
    ['  No pneumothorax  ', 'No pneumothorax'],
    ['Is there effusion? No.', 'Is there effusion?'],
    ['. Lungs are clear.', 'Lungs are clear.'],
    ['Stable T7-T8 findings!', 'Stable T7-T8 findings!'],
  ])('firstSentence(%j) = %j', (text, expected) => {
    expect(firstSentence(text)).toBe(expected);
  });
  it('writes each baseline', () => {
    expect(BASELINE_MODELS.map((m) => baselineImpression(m, 'A b. C d.'))).toEqual([NORMAL_IMPRESSION, 'A b. C d.', 'A b.']);
  });
});
