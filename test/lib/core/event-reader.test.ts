import { InvalidEventError, parseEvent } from '../../../lib/core/event-reader';

describe('parseEvent', () => {
  test('reads typed fields and nested objects', () => {
    const event = { a: 'x', n: 3, b: true, m: null, rec: { k: 'v' }, o: { s: 'y' }, list: [{ s: 'z' }], opt: 'q', kind: 'two' };
    const value = parseEvent('f', event, (r) => ({
      a: r.string('a'),
      n: r.number('n', { integer: true, min: 1 }),
      b: r.boolean('b'),
      m: r.nullableString('m'),
      rec: r.stringRecord('rec'),
      o: r.object('o', (o) => ({ s: o.string('s') })),
      list: r.objects('list', (i) => i.string('s')),
      opt: r.optional('opt', (reader, key) => reader.string(key)),
      absent: r.optional('absent', (reader, key) => reader.string(key)),
      kind: r.oneOf('kind', ['one', 'two'] as const),
      nothing: r.nullableObject('m', () => 1),
    }));
    expect(value).toEqual({
      a: 'x',
      n: 3,
      b: true,
      m: null,
      rec: { k: 'v' },
      o: { s: 'y' },
      list: ['z'],
      opt: 'q',
      absent: undefined,
      kind: 'two',
      nothing: null,
    });
  });

  test('gathers every problem, named by its dotted field, into one InvalidEventError', () => {
    const event = {
      n: 1.5,
      b: 'yes',
      rec: { k: 2 },
      o: { s: 7 },
      list: [{ s: 'ok' }, 'x', { s: false }],
      kind: 'three',
      long: 'x'.repeat(200),
      run: 'bad id!',
    };
    let error: unknown;
    try {
      parseEvent('my-function', event, (r) => ({
        a: r.string('a'),
        n: r.number('n', { integer: true }),
        b: r.boolean('b'),
        rec: r.stringRecord('rec'),
        o: r.object('o', (o) => o.string('s')),
        missing: r.object('missingObject', (o) => o.string('s')),
        list: r.objects('list', (i) => i.string('s')),
        kind: r.oneOf('kind', ['one', 'two'] as const),
        long: r.number('long'),
        run: r.string('run', /^[a-z-]+$/, 'a run id'),
      }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidEventError);
    const e = error as InvalidEventError;
    expect(e.name).toBe('InvalidEventError');
    expect(e.functionName).toBe('my-function');
    expect(e.problems).toEqual([
      'a: expected a string, got nothing',
      'n: expected a whole number, got 1.5',
      'b: expected true or false, got "yes"',
      'rec.k: expected a string, got 2',
      'o.s: expected a string, got 7',
      'missingObject: expected an object, got nothing',
      'list[1]: expected an object, got "x"',
      'list[2].s: expected a string, got false',
      'kind: expected one of one, two, got "three"',
      `long: expected a number, got "${'x'.repeat(76)}...`,
      'run: expected a run id, got "bad id!"',
    ]);
    expect(e.message).toMatch(/^invalid my-function event \(11 problems\): a: expected a string, got nothing; n: /);
  });

  test('an event that is not an object', () => {
    for (const event of [undefined, null, 'text', [1]]) {
      expect(() => parseEvent('f', event, () => 1)).toThrow(/^invalid f event \(1 problem\): \(event\): expected a JSON object, got /);
    }
  });
});
