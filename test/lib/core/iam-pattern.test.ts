import { matchesAnyIamPattern, matchesIamPattern } from '../../../lib/core/iam-pattern';

describe('matchesIamPattern (IAM StringLike/ArnLike and resource wildcards)', () => {
  test.each([
    ['runs/r1/evaluation/pretrained/shards.jsonl', 'runs/*/evaluation/*/shards.jsonl', true],
    // `*` crosses `/`, as IAM's does.
    ['runs/a/b/evaluation/x/y/shards.jsonl', 'runs/*/evaluation/*/shards.jsonl', true],
    ['runs/r1/evaluation/pretrained/shards.json', 'runs/*/evaluation/*/shards.jsonl', false],
    ['train_data/train.jsonl', 'runs/*', false],
    ['model/impressions-x', 'model/impressions-?', true],
    ['model/impressions-xy', 'model/impressions-?', false],
    // Case-sensitive, and regular-expression characters are literals.
    ['Runs/r/model/a', 'runs/*/model/*', false],
    ['a.b', 'a?b', true],
    ['axb', 'a.b', false],
    ['(x)+[y]', '(x)+[y]', true],
  ])('%s against %s: %s', (value, pattern, expected) => {
    expect(matchesIamPattern(value, pattern)).toBe(expected);
  });

  test('any of several patterns', () => {
    expect(matchesAnyIamPattern('b', ['a', 'b*'])).toBe(true);
    expect(matchesAnyIamPattern('c', ['a', 'b*'])).toBe(false);
    expect(matchesAnyIamPattern('c', [])).toBe(false);
  });
});
