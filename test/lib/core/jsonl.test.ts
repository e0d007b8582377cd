import { JsonlSyntaxError, parseJsonlLines } from '../../../lib/core/jsonl';

describe('parseJsonlLines', () => {
  test('parses every non-blank line in order', () => {
    expect(parseJsonlLines<{ a: number }>('{"a":1}\n\n  \n{"a":2}\n', 'f.jsonl')).toEqual([{ a: 1 }, { a: 2 }]);
  });

  test('a bad line is an error naming the file and line, never the text', () => {
    let error: unknown;
    try {
      parseJsonlLines('{"a":1}\n{"findings": "SECRET PATIENT TEXT"\n', 'runs/x/part-00001.jsonl');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(JsonlSyntaxError);
    expect((error as Error).message).toBe('runs/x/part-00001.jsonl line 2: not valid JSON');
    expect((error as JsonlSyntaxError).line).toBe(2);
  });
});
