import { NoResultsError, PartitionRegistrationError, parsePublishResultsEvent, PUBLISH_ERROR_NAMES } from '../../../../lib/core/analytics/publish-contracts';

describe('publish-results contract', () => {
  test('the event is { runId } with a valid run id', () => {
    expect(parsePublishResultsEvent({ runId: 'run-1' })).toEqual({ runId: 'run-1' });
    for (const runId of [undefined, 42, '', '../x', 'a b']) {
      expect(() => parsePublishResultsEvent({ runId })).toThrow(/^invalid publish-results event \(1 problem\): runId: expected a run id/);
    }
  });

  test('errors carry the names a Catch matches', () => {
    expect(new NoResultsError('x').name).toBe(PUBLISH_ERROR_NAMES.noResults);
    expect(new PartitionRegistrationError('x').name).toBe('PartitionRegistrationError');
  });
});
