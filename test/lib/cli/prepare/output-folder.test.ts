import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OutputFolder } from '../../../../lib/cli/prepare/output-folder';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'output-folder-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test('a new folder: staged files appear only at the commit; a discard removes the folder it created', () => {
  const out = path.join(dir, 'a', 'b');
  const folder = OutputFolder.open(out, false);
  fs.writeFileSync(folder.stagedPath('dev2.jsonl'), 'x\n');
  expect(fs.existsSync(path.join(out, 'dev2.jsonl'))).toBe(false);
  expect(folder.commit(() => undefined)).toEqual([]);
  expect(fs.readdirSync(out)).toEqual(['dev2.jsonl']);

  const failed = OutputFolder.open(path.join(dir, 'c', 'd'), false);
  fs.writeFileSync(failed.stagedPath('dev2.jsonl'), 'x\n');
  failed.discard();
  expect(fs.existsSync(path.join(dir, 'c'))).toBe(false);
});

test('prepared files of an earlier run: refused without force; with force, the ones not rewritten are removed and named', () => {
  fs.writeFileSync(path.join(dir, 'dev1.jsonl'), 'old\n');
  fs.writeFileSync(path.join(dir, 'dev2.jsonl'), 'old\n');
  fs.writeFileSync(path.join(dir, 'mine.txt'), 'kept\n');
  expect(() => OutputFolder.open(dir, false)).toThrow(
    `--out ${dir}: already holds prepared files (dev1.jsonl, dev2.jsonl): pass --force to replace them, or choose another --out folder`,
  );
  const folder = OutputFolder.open(dir, true);
  fs.writeFileSync(folder.stagedPath('dev1.jsonl'), 'new\n');
  const lines: string[] = [];
  expect(folder.commit((l) => lines.push(l))).toEqual(['dev2.jsonl']);
  expect(lines).toEqual([
    `removed ${path.join(dir, 'dev2.jsonl')}: written by the previous prepare run, and this run writes no dev2.jsonl (the folder now matches prepare-report.json)`,
  ]);
  expect(fs.readdirSync(dir).sort()).toEqual(['dev1.jsonl', 'mine.txt']);
  expect(fs.readFileSync(path.join(dir, 'dev1.jsonl'), 'utf8')).toBe('new\n');
});

test('a discard after a failure leaves the earlier files as they were', () => {
  fs.writeFileSync(path.join(dir, 'dev1.jsonl'), 'old\n');
  const folder = OutputFolder.open(dir, true);
  fs.writeFileSync(folder.stagedPath('dev1.jsonl'), 'new\n');
  folder.discard();
  expect(fs.readdirSync(dir)).toEqual(['dev1.jsonl']);
  expect(fs.readFileSync(path.join(dir, 'dev1.jsonl'), 'utf8')).toBe('old\n');
});

test('--out naming a file is bad input', () => {
  const file = path.join(dir, 'file');
  fs.writeFileSync(file, '');
  expect(() => OutputFolder.open(file, true)).toThrow(`--out ${file}: exists and is not a folder`);
});
