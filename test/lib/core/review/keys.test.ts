import {
  A2I_OUTPUT_PREFIX,
  isValidReviewId,
  itemId,
  loopName,
  newReviewId,
  parseLoopName,
  reviewDescriptionKey,
  reviewKindOf,
  reviewNames,
  reviewRowsKey,
  reviewSummaryKey,
} from '../../../../lib/core/review/keys';

describe('review keys and names', () => {
  it('makes review ids from kind, time and randomness', () => {
    const id = newReviewId('evaluation', new Date('2026-03-04T05:06:07.890Z'), 0.5);
    expect(id).toBe('ev-20260304-050607-8000');
    expect(newReviewId('feedback', new Date('2026-03-04T05:06:07Z'), 0)).toBe('fb-20260304-050607-0000');
    expect(isValidReviewId(id)).toBe(true);
    expect(reviewKindOf(id)).toBe('evaluation');
    for (const bad of ['ev-2026-1', 'xx-20260304-050607-8000', 'EV-20260304-050607-8000', 42]) expect(isValidReviewId(bad)).toBe(false);
  });

  it('names loops within A2I limits and reads them back', () => {
    const name = loopName('ev-20260304-050607-8000', 41, 'reader-2');
    expect(name).toBe('ev-20260304-050607-8000-0041-r2');
    // HumanLoopName: at most 63 characters of a-z, 0-9 and inner hyphens (StartHumanLoop).
    expect(name).toMatch(/^[a-z0-9](-*[a-z0-9])*$/);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(parseLoopName(name)).toEqual({ reviewId: 'ev-20260304-050607-8000', index: 41, team: 'reader-2' });
    expect(parseLoopName(loopName('fb-20260304-050607-8000', 0, 'feedback')).team).toBe('feedback');
    expect(() => parseLoopName('someone-elses-loop')).toThrow(/is not a loop of this app/);
    expect(() => loopName('ev-20260304-050607-8000', 10000, 'reader-1')).toThrow(/from 0 to 9999/);
    expect(itemId(7)).toBe('0007');
  });

  it('keeps work files under reviews/ and rows and figures under prediction_data/reviews/run_id=<id>/', () => {
    const review = 'ev-20260304-050607-8000';
    expect(reviewDescriptionKey(review)).toBe(`reviews/${review}/review.json`);
    expect(A2I_OUTPUT_PREFIX).toBe('reviews/a2i-output/');
    expect(reviewRowsKey('run-1', review, `${review}-0001-r1`)).toBe(`prediction_data/reviews/run_id=run-1/review_id=${review}/rows/${review}-0001-r1.jsonl`);
    expect(reviewSummaryKey('run-1', review)).toBe(`prediction_data/reviews/run_id=run-1/review_id=${review}/summary/summary.jsonl`);
    expect(() => reviewRowsKey('run 1', review, `${review}-0001-r1`)).toThrow(/run id/);
    expect(() => reviewRowsKey('run-1', review, 'other')).toThrow(/not a loop/);
  });

  it('derives the physical names from the resource prefix', () => {
    const n = reviewNames('impressions');
    expect([n.workforce, n.workteam('reader-1'), n.flowDefinition('feedback'), n.humanTaskUi('evaluation')]).toEqual([
      'impressions-readers',
      'impressions-reader-1',
      'impressions-review-feedback',
      'impressions-evaluation-review',
    ]);
  });
});
