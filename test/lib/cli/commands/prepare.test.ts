import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PrepareOptions, PrepareReport, runPrepare } from '../../../../lib/cli/commands/prepare';
import { CliError } from '../../../../lib/cli/errors';
import { buildProgram, runCli } from '../../../../lib/cli/program';
import { renderPrompt } from '../../../../lib/core/evaluation/prompt';
import { writeZip, ZipEntryInput } from '../../../helpers/zip-writer';
import { dataPath } from '../../../helpers/data';

const SAMPLE = dataPath('mimic-sample');
const INDIANA = dataPath('indiana_dev.json');
const TEMPLATE = 'Summarise: {context}';

let dir: string;
let out: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prepare-'));
  out = path.join(dir, 'out');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const jsonl = (file: string): unknown[] =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
const run = (options: Partial<PrepareOptions>): Promise<PrepareReport> =>
  runPrepare({ split: '', out, template: TEMPLATE, progress: false, log: () => undefined, ...options });

const report = (id: string, body: string): ZipEntryInput => ({ name: `files/p10/p10000001/s${id}.txt`, data: body });
const GOOD = ' FINAL REPORT\n FINDINGS: Lungs clear.\n IMPRESSION: Normal.\n';

function tiny(entries: ZipEntryInput[], split: string): { zip: string; split: string } {
  const zip = path.join(dir, 'r.zip');
  writeZip(zip, entries);
  const csv = path.join(dir, 'split.csv');
  fs.writeFileSync(csv, split);
  return { zip, split: csv };
}

test('the sample: exactly the official records, the training channel and the report', async () => {
  const result = await run({ split: path.join(SAMPLE, 'split.csv'), mimicZip: path.join(SAMPLE, 'reports.zip'), indiana: INDIANA });
  const train = JSON.parse(fs.readFileSync(path.join(SAMPLE, 'expected-train.json'), 'utf8')) as { findings: string; impression: string }[];
  expect(jsonl(path.join(out, 'train-records.jsonl'))).toEqual(train);
  expect(jsonl(path.join(out, 'dev1.jsonl'))).toEqual(JSON.parse(fs.readFileSync(path.join(SAMPLE, 'expected-dev.json'), 'utf8')));
  expect(jsonl(path.join(out, 'train.jsonl'))).toEqual(train.map((r) => ({ prompt: `Summarise: ${r.findings}`, completion: r.impression })));
  expect(jsonl(path.join(out, 'dev2.jsonl'))).toHaveLength(2000);
  const written = JSON.parse(fs.readFileSync(path.join(out, 'prepare-report.json'), 'utf8')) as PrepareReport;
  expect(written).toEqual(result);
  expect(result.written).toEqual({ 'train.jsonl': 250, 'train-records.jsonl': 250, 'dev1.jsonl': 50, 'dev2.jsonl': 2000 });
  expect(result.splitRows).toEqual({ train: 250, dev: 50, test: 0 });
  expect(result.inputs.mimicZip?.entries).toBe(371);
  expect(result.inputs.split.sha256).toMatch(/^[0-9a-f]{64}$/);
  expect(result.template).toBe(TEMPLATE);
  expect(result.tool.version).toBe('0.1.0');
  expect(fs.readdirSync(out).sort()).toEqual(['dev1.jsonl', 'dev2.jsonl', 'prepare-report.json', 'train-records.jsonl', 'train.jsonl']);
});

test('the prompt is the template filled literally ($ patterns included), the same text the evaluation sends', async () => {
  const files = tiny([report('1', " FINAL REPORT\n FINDINGS: x $& $' $1 y.\n IMPRESSION: Normal.\n")], 'study_id,subject_id,split\n1,10000001,train\n');
  await run({ split: files.split, mimicZip: files.zip });
  const [line] = jsonl(path.join(out, 'train.jsonl')) as { prompt: string }[];
  expect(line.prompt).toBe("Summarise: x $& $' $1 y.");
  expect(line.prompt).toBe(renderPrompt(TEMPLATE, "x $& $' $1 y."));
});

test('missing reports fail with the first ids and the count, or are skipped and recorded with --skip-missing', async () => {
  const ids = ['1', '2', '3', '4', '5', '6', '7'];
  const files = tiny([report('1', GOOD)], `study_id,subject_id,split\n${ids.map((id) => `${id},10000001,train`).join('\n')}\n`);
  await expect(run({ mimicZip: files.zip, split: files.split })).rejects.toThrow(
    `${files.zip}: 6 of the 7 train/dev studies of ${files.split} have no report in the zip: study_id 2 (${files.split} line 3), study_id 3`,
  );
  await expect(run({ mimicZip: files.zip, split: files.split })).rejects.toThrow(/, and 1 more\. .*--skip-missing/);
  expect(fs.existsSync(out)).toBe(false);
  const result = await run({ mimicZip: files.zip, split: files.split, skipMissing: true });
  expect(result.skipped.missing.map((s) => s.study_id)).toEqual(['2', '3', '4', '5', '6', '7']);
  expect(result.skipped.missing[0]).toEqual({ study_id: '2', subject_id: '10000001', split: 'train', line: 3, reason: 'no report in the zip' });
  expect(jsonl(path.join(out, 'train-records.jsonl'))).toHaveLength(1);
});

test('reports without findings or impression, or not UTF-8, fail by default and are recorded with --skip-unparsable', async () => {
  const files = tiny(
    [
      report('1', GOOD),
      report('2', ' FINAL REPORT\n IMPRESSION: Normal.\n'),
      report('3', ' FINAL REPORT\n FINDINGS: Clear.\n'),
      { name: 'files/p10/p10000001/s4.txt', data: Buffer.from(' FINDINGS: caf\xe9\n IMPRESSION: x\n', 'latin1') },
    ],
    'study_id,subject_id,split\n1,10000001,train\n2,10000001,train\n3,10000001,dev\n4,10000001,dev\n',
  );
  await expect(run({ mimicZip: files.zip, split: files.split })).rejects.toThrow(
    `${files.zip}: 3 report(s) give no record (the official script stops on the first): study_id 2 (${files.split} line 3: no findings section), ` +
      `study_id 3 (${files.split} line 4: no impression section), study_id 4 (${files.split} line 5: not valid UTF-8). Rerun with --skip-unparsable`,
  );
  const result = await run({ mimicZip: files.zip, split: files.split, skipUnparsable: true });
  expect(result.skipped.unparsable.map((s) => [s.study_id, s.reason])).toEqual([
    ['2', 'no findings section'],
    ['3', 'no impression section'],
    ['4', 'not valid UTF-8'],
  ]);
  expect(result.written).toEqual({ 'train.jsonl': 1, 'train-records.jsonl': 1, 'dev1.jsonl': 0 });
});

test('test rows are counted and ignored', async () => {
  const files = tiny([report('1', GOOD)], 'study_id,subject_id,split\n1,10000001,train\n9,10000009,test\n');
  const result = await run({ mimicZip: files.zip, split: files.split });
  expect(result.ignoredTestRows).toBe(1);
  expect(result.skipped.missing).toEqual([]);
});

describe('bad input names the file and the line, index or id, and writes nothing', () => {
  test('missing split file, zip or Indiana file', async () => {
    const files = tiny([report('1', GOOD)], 'study_id,subject_id,split\n1,10000001,train\n');
    const nope = path.join(dir, 'nope');
    await expect(run({ split: nope, mimicZip: files.zip })).rejects.toThrow(`${nope}: cannot read the split file (ENOENT)`);
    await expect(run({ split: files.split, mimicZip: nope })).rejects.toThrow(`${nope}: cannot open the zip (ENOENT)`);
    await expect(run({ split: files.split, indiana: nope })).rejects.toThrow(`${nope}: cannot read the Indiana dev file (ENOENT)`);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('a file that is not a zip', async () => {
    const files = tiny([], 'study_id,subject_id,split\n1,10000001,train\n');
    await expect(run({ split: files.split, mimicZip: files.split })).rejects.toThrow(`${files.split}: not a readable zip file`);
  });

  test("a corrupt entry: the zip reader's message, as a CLI error", async () => {
    const files = tiny([report('1', GOOD)], 'study_id,subject_id,split\n1,10000001,train\n');
    const bytes = fs.readFileSync(files.zip);
    bytes.fill(0, 0, 4); // the first local header's signature
    fs.writeFileSync(files.zip, bytes);
    const failure = run({ split: files.split, mimicZip: files.zip });
    await expect(failure).rejects.toBeInstanceOf(CliError);
    await expect(failure).rejects.toThrow(`${files.zip}: entry files/p10/p10000001/s1.txt: bad local header`);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('a split with the wrong columns', async () => {
    const files = tiny([report('1', GOOD)], 'study,subject_id,split\n1,10000001,train\n');
    await expect(run({ split: files.split, mimicZip: files.zip })).rejects.toThrow(`${files.split} line 1: expected the columns study_id,subject_id,split`);
  });

  test('an Indiana record missing a field, or not JSON (without quoting the text)', async () => {
    const files = tiny([], 'study_id,subject_id,split\n');
    const indiana = path.join(dir, 'i.json');
    fs.writeFileSync(indiana, JSON.stringify([{ study_id: '9', subject_id: '', findings: 'f', impression: 'i' }]));
    await expect(run({ split: files.split, indiana })).rejects.toThrow(`${indiana} [0] (study_id "9"): field background is missing`);
    fs.writeFileSync(indiana, '[{"findings": "secret text');
    await expect(run({ split: files.split, indiana })).rejects.toThrow(
      new RegExp(`^${indiana.replace(/[.]/g, '\\.')}: not valid JSON( \\(at character \\d+\\))?$`),
    );
  });

  test('a template without {context}, and nothing to prepare', async () => {
    const files = tiny([], 'study_id,subject_id,split\n');
    await expect(run({ split: files.split, indiana: INDIANA, template: 'no placeholder' })).rejects.toThrow(/exactly once/);
    await expect(run({ split: files.split })).rejects.toThrow(/nothing to prepare/);
  });

  test('a failed run leaves an earlier output untouched; a new run removes stale files', async () => {
    const files = tiny([report('1', GOOD)], 'study_id,subject_id,split\n1,10000001,train\n');
    await run({ split: files.split, mimicZip: files.zip, indiana: INDIANA });
    const before = fs.readFileSync(path.join(out, 'train.jsonl'), 'utf8');
    fs.writeFileSync(files.split, 'study_id,subject_id,split\n1,10000001,train\n2,10000001,dev\n');
    await expect(run({ split: files.split, mimicZip: files.zip, indiana: INDIANA })).rejects.toThrow(/have no report/);
    expect(fs.readFileSync(path.join(out, 'train.jsonl'), 'utf8')).toBe(before);
    expect(fs.readdirSync(out).filter((f) => f.startsWith('.'))).toEqual([]);
    await run({ split: files.split, indiana: INDIANA });
    expect(fs.readdirSync(out).sort()).toEqual(['dev2.jsonl', 'prepare-report.json']);
  });
});

test('the CLI: flags, exit code 1 and a message on bad input', async () => {
  const files = tiny([report('1', GOOD)], 'study_id,subject_id,split\n1,10000001,train\n');
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    expect(
      await runCli(buildProgram(), [
        'node',
        'impressions',
        'prepare',
        '--split',
        files.split,
        '--mimic-zip',
        files.zip,
        '--out',
        out,
        '--template',
        'T: {context}',
      ]),
    ).toBe(0);
    expect(jsonl(path.join(out, 'train.jsonl'))).toEqual([{ prompt: 'T: Lungs clear.', completion: 'Normal.' }]);
    expect(await runCli(buildProgram(), ['node', 'impressions', 'prepare', '--split', path.join(dir, 'x.csv'), '--mimic-zip', files.zip, '--out', out])).toBe(
      1,
    );
    expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toContain('x.csv: cannot read the split file (ENOENT)');
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
    process.exitCode = 0;
  }
});
