/** EventBridge pattern matching of exact values, as the janitor's rule uses it. */
import { matchesPattern } from '../../../lib/local/event-rules';

const event = {
  source: 'aws.states',
  'detail-type': 'Step Functions Execution Status Change',
  detail: { stateMachineArn: 'arn:sm', status: 'ABORTED', name: 'r1' },
};

describe('matchesPattern', () => {
  test('every key must be present and one of its values; nested objects recurse', () => {
    const rule = {
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: { stateMachineArn: ['arn:sm'], status: ['ABORTED', 'TIMED_OUT', 'FAILED'] },
    };
    expect(matchesPattern(rule, event)).toBe(true);
    expect(matchesPattern(rule, { ...event, detail: { ...event.detail, status: 'SUCCEEDED' } })).toBe(false);
    expect(matchesPattern(rule, { ...event, detail: { ...event.detail, stateMachineArn: 'arn:other' } })).toBe(false);
    expect(matchesPattern({ ...rule, account: ['1'] }, event)).toBe(false);
  });

  test('content filters are refused rather than mis-matched', () => {
    expect(() => matchesPattern({ detail: { status: [{ prefix: 'A' }] } }, event)).toThrow(/content filter/);
  });
});
