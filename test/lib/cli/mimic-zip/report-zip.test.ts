import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ReportZip } from '../../../../lib/cli/mimic-zip/report-zip';
import { readEntries } from '../../../helpers/zip-reading';
import { writeZip } from '../../../helpers/zip-writer';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-zip-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function read(file: string, names: string[]): Promise<Record<string, string>> {
  const zip = await ReportZip.open(file);
  try {
    return Object.fromEntries([...readEntries(zip, names)].map(([name, data]) => [name, data.toString('utf8')]));
  } finally {
    zip.close();
  }
}

test('reads stored and deflated entries by exact name, with ZIP64 end records, skipping directories and decoys', async () => {
  const file = path.join(dir, 'a.zip');
  writeZip(
    file,
    [
      { name: 'files/' },
      { name: 'files/p10/p10000001/s1.txt', data: 'deflated ü' },
      { name: 'files/p10/p10000001/s2.txt', data: 'stored', method: 0 },
      { name: 'other/files/p10/p10000001/s1.txt', data: 'decoy' },
      { name: 'files/p11/p10000001/s1.txt', data: 'decoy' },
    ],
    { zip64: true },
  );
  expect(await read(file, ['files/p10/p10000001/s1.txt', 'files/p10/p10000001/s2.txt', 'files/p10/p10000001/s9.txt'])).toEqual({
    'files/p10/p10000001/s1.txt': 'deflated ü',
    'files/p10/p10000001/s2.txt': 'stored',
  });
});

test('more than 65,535 entries (ZIP64 entry count)', async () => {
  const file = path.join(dir, 'big.zip');
  const entries = Array.from({ length: 70_000 }, (_, i) => ({ name: `f/${i}.txt`, data: `n${i}`, method: 0 as const }));
  writeZip(file, entries);
  const zip = await ReportZip.open(file);
  try {
    expect(zip.entryCount).toBe(70_000);
    expect(readEntries(zip, ['f/0.txt', 'f/69999.txt']).get('f/69999.txt')?.toString()).toBe('n69999');
  } finally {
    zip.close();
  }
});

test('a name listed twice resolves to the last entry, as in Python', async () => {
  const file = path.join(dir, 'dup.zip');
  writeZip(file, [
    { name: 'a.txt', data: 'first' },
    { name: 'a.txt', data: 'second' },
  ]);
  expect(await read(file, ['a.txt'])).toEqual({ 'a.txt': 'second' });
});

test('errors name the file and the entry', async () => {
  const missing = path.join(dir, 'missing.zip');
  await expect(ReportZip.open(missing)).rejects.toThrow(`${missing}: cannot open the zip (ENOENT)`);
  const notZip = path.join(dir, 'not.zip');
  fs.writeFileSync(notZip, 'study_id,subject_id,split\n');
  await expect(ReportZip.open(notZip)).rejects.toThrow(`${notZip}: not a readable zip file`);
  const bad = path.join(dir, 'bad.zip');
  writeZip(bad, [{ name: 'a.txt', data: 'x', badCrc: true }]);
  await expect(read(bad, ['a.txt'])).rejects.toThrow(`${bad}: entry a.txt: CRC-32 mismatch`);
});

test('locateEntries: by list index, a name listed twice under both indexes, later zip duplicates win, stored bytes in file order', async () => {
  const file = path.join(dir, 'loc.zip');
  writeZip(file, [
    { name: 'b.txt', data: 'b first' },
    { name: 'a.txt', data: 'a', method: 0 },
    { name: 'c.txt', data: 'c' },
    { name: 'b.txt', data: 'b second' },
  ]);
  const zip = await ReportZip.open(file);
  try {
    const located = zip.locateEntries(['c.txt', 'missing.txt', 'b.txt', 'a.txt', 'c.txt']);
    expect([0, 1, 2, 3, 4].map((i) => located.slot(i))).toEqual([0, -1, 2, 3, 0]);
    expect(located.entry(1)).toBeUndefined();
    expect(located.entry(4)?.name).toBe('c.txt');
    // File order: a (2nd entry), c (3rd), b (its later copy, 4th).
    expect(Array.from(located.order)).toEqual([3, 0, 2]);
    const compressed = zip.readLocated(located);
    const text = (i: number): string => zip.decode(located.entry(i)!, compressed.bytes(i)).toString();
    expect([0, 2, 3, 4].map(text)).toEqual(['c', 'b second', 'a', 'c']);
  } finally {
    zip.close();
  }
});
