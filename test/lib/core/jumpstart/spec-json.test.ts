import { parseSpecJson, pythonFloatRepr, pythonString } from '../../../../lib/core/jumpstart/spec-json';

describe('parseSpecJson', () => {
  test('parses like JSON.parse and records which numbers were float literals', () => {
    const text = '{"a": 1, "b": 1.0, "c": [0.0, 2, 1e-08], "d": "1.0", "e": {"f": -3.5E2}, "g": "x\\"1.5"}';
    const { value, floats } = parseSpecJson(text);
    expect(value).toEqual(JSON.parse(text));
    const v = value as { c: unknown[]; e: object };
    expect([...(floats.get(value as object) ?? [])]).toEqual(['b']);
    expect([...(floats.get(v.c) ?? [])]).toEqual(['0', '2']);
    expect([...(floats.get(v.e) ?? [])]).toEqual(['f']);
  });

  test('a bare float document', () => {
    expect(parseSpecJson('2.50').value).toBe(2.5);
  });

  test('rejects invalid JSON', () => {
    expect(() => parseSpecJson('{"a": }')).toThrow(SyntaxError);
  });
});

describe('pythonFloatRepr', () => {
  test.each([
    [0, '0.0'],
    [1, '1.0'],
    [0.0001, '0.0001'],
    [1e-8, '1e-08'],
    [0.05, '0.05'],
    [0.999, '0.999'],
    [1e16, '1e+16'],
    [123456789012345.6, '123456789012345.6'],
    [0.00001, '1e-05'],
    [-2.5, '-2.5'],
    [1.5e300, '1.5e+300'],
  ])('%p → %s', (n, text) => {
    expect(pythonFloatRepr(n)).toBe(text);
  });
});

describe('pythonString', () => {
  test('strings, booleans, ints, floats; objects have no string form', () => {
    expect(pythonString('True', false)).toBe('True');
    expect(pythonString(true, false)).toBe('True');
    expect(pythonString(false, false)).toBe('False');
    expect(pythonString(3600, false)).toBe('3600');
    expect(pythonString(0, true)).toBe('0.0');
    expect(pythonString(null, false)).toBeUndefined();
    expect(pythonString({}, false)).toBeUndefined();
  });
});
