import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LineWriter } from '../../../lib/cli/line-writer';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'line-writer-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test('writes each line with a newline, as UTF-8, and returns the size', () => {
  const file = path.join(dir, 'a.jsonl');
  const writer = new LineWriter(file);
  writer.writeLine('{"a":"é"}');
  writer.writeLine('');
  writer.writeLine('𝛽 \u2028');
  expect(writer.lines).toBe(3);
  const bytes = writer.close();
  expect(fs.readFileSync(file, 'utf8')).toBe('{"a":"é"}\n\n𝛽 \u2028\n');
  expect(bytes).toBe(fs.statSync(file).size);
});

test('lines larger than the buffer and many lines crossing buffer boundaries', () => {
  const file = path.join(dir, 'b.jsonl');
  const writer = new LineWriter(file);
  const big = 'x'.repeat(5 * 1024 * 1024);
  const lines = ['start', big, ...Array.from({ length: 40_000 }, (_, i) => `${i}:${'y'.repeat(i % 300)}é`), big, 'end'];
  for (const line of lines) writer.writeLine(line);
  const bytes = writer.close();
  const expected = `${lines.join('\n')}\n`;
  expect(fs.readFileSync(file, 'utf8') === expected).toBe(true);
  expect(bytes).toBe(Buffer.byteLength(expected));
});
