import * as zlib from 'node:zlib';
import { InflateAhead, InflateJob } from '../../../../lib/core/reports/inflate-ahead';
import { RawInflater } from '../../../../lib/core/reports/raw-inflater';

interface Item {
  readonly raw: Buffer;
  readonly method: number;
  readonly size: number;
  readonly crc: number;
}

function deflated(text: string): Item {
  const data = Buffer.from(text);
  return { raw: zlib.deflateRawSync(data), method: 8, size: data.length, crc: zlib.crc32(data) };
}

/** A job over `items`, taken in `order` (indexes into items). */
function job(items: Item[], order: number[] = items.map((_, i) => i)): InflateJob {
  const total = items.reduce((n, item) => n + item.raw.length, 0);
  const data = Buffer.from(new SharedArrayBuffer(Math.max(1, total)));
  const starts = new Float64Array(items.length);
  let at = 0;
  items.forEach((item, i) => {
    starts[i] = at;
    at += item.raw.copy(data, at);
  });
  return {
    data,
    starts,
    compressedSize: Float64Array.from(items.map((i) => i.raw.length)),
    uncompressedSize: Float64Array.from(items.map((i) => i.size)),
    method: Uint16Array.from(items.map((i) => i.method)),
    crc32: Uint32Array.from(items.map((i) => i.crc)),
    sequence: Int32Array.from(order),
  };
}

test('inflates deflated and stored entries in the order asked, an entry twice included', () => {
  const stored = Buffer.from('stored text');
  const items = [deflated('first report'), { raw: stored, method: 0, size: stored.length, crc: zlib.crc32(stored) }, deflated('x'.repeat(100_000)), deflated('')];
  const ahead = InflateAhead.start(job(items, [2, 0, 1, 0, 3]));
  try {
    expect([0, 1, 2, 3, 4].map((k) => ahead.take(k)?.toString())).toEqual(['x'.repeat(100_000), 'first report', 'stored text', 'first report', '']);
  } finally {
    ahead.close();
  }
});

test('a bad entry gives the messages of ReportZip.decode, at its place in the order', () => {
  const good = deflated('good');
  const truncated = zlib.deflateRawSync(Buffer.from('a longer text that will be cut off '.repeat(20))).subarray(0, 20);
  let zlibMessage = '';
  try {
    new RawInflater().inflate(truncated, 700);
  } catch (error) {
    zlibMessage = (error as Error).message;
  }
  expect(zlibMessage).not.toBe('');
  const cases: [Item, string][] = [
    [{ ...good, crc: (good.crc + 1) >>> 0 }, 'CRC-32 mismatch'],
    [{ ...good, size: 3 }, "size 4 differs from the directory's 3"],
    [{ ...good, size: 9 }, "size 4 differs from the directory's 9"],
    [{ raw: truncated, method: 8, size: 700, crc: 0 }, `cannot inflate (${zlibMessage})`],
    [{ ...good, method: 12 }, 'unsupported compression method 12'],
  ];
  for (const [bad, message] of cases) {
    const ahead = InflateAhead.start(job([good, bad]));
    try {
      expect(ahead.take(0)?.toString()).toBe('good');
      expect(() => ahead.take(1)).toThrow(message);
    } finally {
      ahead.close();
    }
  }
});
