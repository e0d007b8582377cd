import { parseCloseEvent, parseStartLoopsEvent, parseSummarizeEvent, parseWaitEvent } from '../../../../lib/core/review/review-lambda-contracts';

const IDS = { reviewId: 'ev-20261206-120000-abcd', runId: 'run-1' };

describe('review Lambda events', () => {
  test('the events the review state machine sends parse to themselves (extra fields such as waitSeconds are dropped)', () => {
    expect(parseStartLoopsEvent({ ...IDS, next: 0 })).toEqual({ ...IDS, next: 0 });
    expect(parseWaitEvent({ ...IDS, token: 'AQB-token', waitSeconds: 30 })).toEqual({ ...IDS, token: 'AQB-token' });
    for (const reason of ['answered', 'deadline', 'error'] as const)
      expect(parseCloseEvent({ ...IDS, next: 12, reason })).toEqual({ ...IDS, next: 12, reason });
    expect(parseSummarizeEvent({ ...IDS })).toEqual(IDS);
  });

  test('every bad field is named, with the function', () => {
    expect(() => parseStartLoopsEvent({ reviewId: 'ev-1', next: 1.5 })).toThrow(
      /^invalid review startLoops event \(3 problems\): reviewId: expected a review id .*; runId: expected a string, got nothing; next: expected a whole number ≥ 0, got 1.5$/,
    );
    expect(() => parseCloseEvent({ ...IDS, next: null, reason: 'answered' })).toThrow(/review closeReview event \(1 problem\): next: /);
    expect(() => parseWaitEvent({ ...IDS })).toThrow(/token: expected the task token/);
    expect(() => parseSummarizeEvent([])).toThrow(/expected a JSON object/);
  });
});
