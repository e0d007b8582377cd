import { DevSetGuard, findingsHash } from '../../../../lib/core/review/dev-set-guard';
import { feedbackPairs } from '../../../../lib/core/review/feedback';

describe('DevSetGuard', () => {
  const guard = new DevSetGuard({
    dev1: [{ study_id: '50000001', findings: 'Heart size is normal.  Lungs are clear.' }],
    dev2: [{ study_id: '1', findings: 'No pneumothorax.' }],
  });

  it('refuses a dev-set study id, and a dev-set findings text whatever its case and spacing', () => {
    expect(guard.conflict({ study_id: '50000001', findings: 'anything' })).toBe('study id in dev1');
    expect(guard.conflict({ study_id: 'new', findings: '\theart size is NORMAL. Lungs are clear. ' })).toBe('findings text in dev1');
    expect(guard.conflict({ study_id: 'new', findings: 'No pneumothorax' })).toBeUndefined();
    expect(guard.conflict({ study_id: 'new', findings: 'no  pneumothorax.' })).toBe('findings text in dev2');
    expect(guard.size).toBe(2);
  });

  it('hashes the normalised text with SHA-256', () => {
    expect(findingsHash(' A  b\nC ')).toBe(findingsHash('a b c'));
    expect(findingsHash('a b c')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('feeds only feedback reviews into training', () => {
    expect(() => feedbackPairs([], ['fb-20260101-000000-0000'], guard)).toThrow('review fb-20260101-000000-0000: no rows found (has it finished?)');
  });
});
