import * as zlib from 'node:zlib';
import { RawInflater } from '../../../../lib/cli/mimic-zip/raw-inflater';

test('uses one reusable engine where Node provides its internals (the fallback is the public API)', () => {
  const engine = zlib.createInflateRaw() as unknown as { _handle?: { writeSync?: unknown; reset?: unknown }; _writeState?: unknown };
  const internals = typeof engine._handle?.writeSync === 'function' && typeof engine._handle.reset === 'function' && ArrayBuffer.isView(engine._writeState);
  // Node 20 has them: if this fails, prepare silently got slower (inflateRawSync per report).
  expect(internals).toBe(true);
  const inflater = new RawInflater();
  const data = Buffer.from('impression '.repeat(100));
  // Only the reusable engine stops at the expected size + 1.
  expect(inflater.inflate(zlib.deflateRawSync(data), 10).length).toBe(11);
});

test('inflates many streams of different sizes with one engine', () => {
  const inflater = new RawInflater();
  const texts = ['', 'a', 'report '.repeat(20_000), 'café\n', 'x'.repeat(70_000)];
  for (const text of [...texts, ...texts]) {
    const data = Buffer.from(text, 'utf8');
    expect(inflater.inflate(zlib.deflateRawSync(data), data.length).equals(data)).toBe(true);
  }
  inflater.close();
  expect(inflater.inflate(zlib.deflateRawSync(Buffer.from('after close')), 11).toString()).toBe('after close');
});

test('a wrong expected size shows in the length; corrupt or truncated data throws, and the next stream works', () => {
  const inflater = new RawInflater();
  const data = Buffer.from('impression '.repeat(100));
  const deflated = zlib.deflateRawSync(data);
  expect(inflater.inflate(deflated, 10).length).toBeGreaterThan(10);
  expect(inflater.inflate(deflated, 5000).length).toBe(data.length);
  expect(() => inflater.inflate(deflated.subarray(0, deflated.length - 3), data.length)).toThrow();
  expect(() => inflater.inflate(Buffer.from([0xff, 0xff, 0xff, 0xff]), 10)).toThrow();
  expect(inflater.inflate(deflated, data.length).equals(data)).toBe(true);
});
