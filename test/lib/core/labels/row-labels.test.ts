import { labelReport } from '../../../../lib/core/labels/labeler';
import { OBSERVATIONS } from '../../../../lib/core/labels/observations';
import { decodeRowLabels, encodeRowLabels, OBSERVATION_KEYS } from '../../../../lib/core/labels/row-labels';

describe('row labels', () => {
  it('stores mentioned observations only, snake-case keys in CheXpert order, and reads all 14 back', () => {
    const labels = labelReport('Mild cardiomegaly. No pleural effusion. Possible pneumonia.');
    const text = encodeRowLabels(labels);
    expect(text).toBe('{"cardiomegaly":1,"pneumonia":-1,"pleural_effusion":0}');
    expect(decodeRowLabels(text, 'x')).toEqual(labels);
    expect(Object.keys(decodeRowLabels('{}', 'x'))).toEqual([...OBSERVATIONS]);
  });
  it('has a safe column-style key for every observation', () => {
    expect(Object.values(OBSERVATION_KEYS).every((k) => /^[a-z_]+$/.test(k))).toBe(true);
    expect(OBSERVATION_KEYS['Enlarged Cardiomediastinum']).toBe('enlarged_cardiomediastinum');
  });
  it('rejects malformed labels naming where, never quoting the value', () => {
    expect(() => decodeRowLabels('{', 'part-0 line 3: generated_labels')).toThrow(/^part-0 line 3: generated_labels: not valid JSON$/);
    expect(() => decodeRowLabels('[1]', 'w')).toThrow(/w: not a JSON object/);
    expect(() => decodeRowLabels('{"Edema":1}', 'w')).toThrow(/w: unknown observation key "Edema"/);
    expect(() => decodeRowLabels('{"edema":2}', 'w')).toThrow(/w: edema must be 1, 0, -1 or null/);
  });
});
