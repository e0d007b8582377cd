import { createHash } from 'node:crypto';
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
/** A dev study (id 900) with a good report, so that dev1.jsonl is not empty. */
const DEV = report('900', GOOD);
const DEV_ROW = '900,10000001,dev\n';

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
  const files = tiny(
    [report('1', " FINAL REPORT\n FINDINGS: x $& $' $1 y.\n IMPRESSION: Normal.\n"), DEV],
    `study_id,subject_id,split\n1,10000001,train\n${DEV_ROW}`,
  );
  await run({ split: files.split, mimicZip: files.zip });
  const [line] = jsonl(path.join(out, 'train.jsonl')) as { prompt: string }[];
  expect(line.prompt).toBe("Summarise: x $& $' $1 y.");
  expect(line.prompt).toBe(renderPrompt(TEMPLATE, "x $& $' $1 y."));
});

test('missing reports fail with the first ids and the count, or are skipped and recorded with --skip-missing', async () => {
  const ids = ['1', '2', '3', '4', '5', '6', '7'];
  const files = tiny([report('1', GOOD), DEV], `study_id,subject_id,split\n${ids.map((id) => `${id},10000001,train`).join('\n')}\n${DEV_ROW}`);
  await expect(run({ mimicZip: files.zip, split: files.split })).rejects.toThrow(
    `${files.zip}: 6 of the 8 train/dev studies of ${files.split} have no report in the zip: study_id 2 (${files.split} line 3), study_id 3`,
  );
  await expect(run({ mimicZip: files.zip, split: files.split })).rejects.toThrow(/, and 1 more\. .*--skip-missing/);
  expect(fs.existsSync(out)).toBe(false);
  const result = await run({ mimicZip: files.zip, split: files.split, skipMissing: true, maxSkipPercent: 100 });
  expect(result.skipped.missing.map((s) => s.study_id)).toEqual(['2', '3', '4', '5', '6', '7']);
  expect(result.skipped.missing[0]).toEqual({ study_id: '2', subject_id: '10000001', split: 'train', line: 3, reason: 'no report in the zip' });
  expect(result.maxSkipPercent).toBe(100);
  expect(jsonl(path.join(out, 'train-records.jsonl'))).toHaveLength(1);
});

test('reports without findings or impression, or not UTF-8, fail by default and are recorded with --skip-unparsable', async () => {
  const files = tiny(
    [
      report('1', GOOD),
      report('2', ' FINAL REPORT\n IMPRESSION: Normal.\n'),
      report('3', ' FINAL REPORT\n FINDINGS: Clear.\n'),
      { name: 'files/p10/p10000001/s4.txt', data: Buffer.from(' FINDINGS: caf\xe9\n IMPRESSION: x\n', 'latin1') },
      DEV,
    ],
    `study_id,subject_id,split\n1,10000001,train\n2,10000001,train\n3,10000001,dev\n4,10000001,dev\n${DEV_ROW}`,
  );
  await expect(run({ mimicZip: files.zip, split: files.split })).rejects.toThrow(
    `${files.zip}: 3 report(s) give no record (the official script stops on the first): study_id 2 (${files.split} line 3: no findings section), ` +
      `study_id 3 (${files.split} line 4: no impression section), study_id 4 (${files.split} line 5: not valid UTF-8). Rerun with --skip-unparsable`,
  );
  const result = await run({ mimicZip: files.zip, split: files.split, skipUnparsable: true, maxSkipPercent: 60 });
  expect(result.skipped.unparsable.map((s) => [s.study_id, s.reason])).toEqual([
    ['2', 'no findings section'],
    ['3', 'no impression section'],
    ['4', 'not valid UTF-8'],
  ]);
  expect(result.written).toEqual({ 'train.jsonl': 1, 'train-records.jsonl': 1, 'dev1.jsonl': 1 });
});

test('test rows are counted and ignored', async () => {
  const files = tiny([report('1', GOOD), DEV], `study_id,subject_id,split\n1,10000001,train\n9,10000009,test\n${DEV_ROW}`);
  const result = await run({ mimicZip: files.zip, split: files.split });
  expect(result.ignoredTestRows).toBe(1);
  expect(result.skipped.missing).toEqual([]);
});

describe('an empty result is an error, not a success', () => {
  test('every study skipped: above the 1 % skip limit (the default), naming the count, the share and the first ids', async () => {
    const files = tiny([report('8', GOOD)], 'study_id,subject_id,split\n1,10000001,train\n2,10000001,train\n3,10000001,dev\n');
    await expect(run({ mimicZip: files.zip, split: files.split, skipMissing: true })).rejects.toThrow(
      `${files.zip}: 3 of the 3 train/dev studies of ${files.split} were left out (100.0 %), more than the 1 % allowed: ` +
        `study_id 1 (${files.split} line 2), study_id 2 (${files.split} line 3), study_id 3 (${files.split} line 4). ` +
        'Check that the zip and the split belong together, or raise --max-skip-rate if so many are expected.',
    );
    expect(fs.existsSync(out)).toBe(false);
  });

  test('a skip rate above the limit fails, at or below it passes', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => `${i + 1},10000001,${i < 199 ? 'train' : 'dev'}`);
    const entries = Array.from({ length: 200 }, (_, i) => report(String(i + 1), GOOD));
    const files = tiny(
      entries.filter((_, i) => i < 5 || i > 7),
      `study_id,subject_id,split\n${rows.join('\n')}\n`,
    );
    await expect(run({ mimicZip: files.zip, split: files.split, skipMissing: true })).rejects.toThrow(
      `${files.zip}: 3 of the 200 train/dev studies of ${files.split} were left out (1.5 %), more than the 1 % allowed`,
    );
    expect((await run({ mimicZip: files.zip, split: files.split, skipMissing: true, maxSkipPercent: 1.5 })).written['train.jsonl']).toBe(196);
    const two = tiny(
      entries.filter((_, i) => i < 5 || i > 6),
      `study_id,subject_id,split\n${rows.join('\n')}\n`,
    );
    expect((await run({ mimicZip: two.zip, split: two.split, skipMissing: true, force: true })).written['train.jsonl']).toBe(197);
  });

  test('every study unparsable: the same limit, after parsing', async () => {
    const files = tiny(
      [report('1', ' FINAL REPORT\n IMPRESSION: Normal.\n'), report('2', GOOD)],
      'study_id,subject_id,split\n1,10000001,train\n2,10000001,dev\n',
    );
    await expect(run({ mimicZip: files.zip, split: files.split, skipUnparsable: true })).rejects.toThrow(
      `${files.zip}: 1 of the 2 train/dev studies of ${files.split} were left out (50.0 %), more than the 1 % allowed: study_id 1 (${files.split} line 2: no findings section).`,
    );
  });

  test('a requested split with no record: train or dev1 from the zip', async () => {
    const onlyTrain = tiny([report('1', GOOD)], 'study_id,subject_id,split\n1,10000001,train\n');
    await expect(run({ mimicZip: onlyTrain.zip, split: onlyTrain.split })).rejects.toThrow(
      `${path.join(out, 'dev1.jsonl')} would be empty: ${onlyTrain.split} has no dev row. An empty set is never written (nothing was written).`,
    );
    const files = tiny(
      [report('1', GOOD), report('2', ' FINAL REPORT\n IMPRESSION: Normal.\n')],
      'study_id,subject_id,split\n1,10000001,dev\n2,10000001,train\n',
    );
    await expect(run({ mimicZip: files.zip, split: files.split, skipUnparsable: true, maxSkipPercent: 100 })).rejects.toThrow(
      `${path.join(out, 'train.jsonl')} would be empty: every one of the 1 train rows of ${files.split} was left out. An empty set is never written (nothing was written).`,
    );
    expect(fs.existsSync(out)).toBe(false);
  });

  test('an Indiana file holding an empty list', async () => {
    const files = tiny([], 'study_id,subject_id,split\n');
    const indiana = path.join(dir, 'empty.json');
    fs.writeFileSync(indiana, '[]');
    await expect(run({ split: files.split, indiana })).rejects.toThrow(`${indiana}: no records (an empty list): dev2.jsonl would be empty`);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('an existing output folder', () => {
  test('is replaced only with --force', async () => {
    const files = tiny([report('1', GOOD), DEV], `study_id,subject_id,split\n1,10000001,train\n${DEV_ROW}`);
    await run({ split: files.split, mimicZip: files.zip, indiana: INDIANA });
    const before = fs.readFileSync(path.join(out, 'prepare-report.json'), 'utf8');
    await expect(run({ split: files.split, mimicZip: files.zip })).rejects.toThrow(
      `--out ${out}: already holds prepared files (train.jsonl, train-records.jsonl, dev1.jsonl, dev2.jsonl, prepare-report.json): ` +
        'pass --force to replace them, or choose another --out folder',
    );
    expect(fs.readFileSync(path.join(out, 'prepare-report.json'), 'utf8')).toBe(before);
  });

  test('with --force, a file of the earlier run that this run does not write is removed and named', async () => {
    const files = tiny([report('1', GOOD), DEV], `study_id,subject_id,split\n1,10000001,train\n${DEV_ROW}`);
    await run({ split: files.split, mimicZip: files.zip, indiana: INDIANA });
    fs.writeFileSync(path.join(out, 'notes.txt'), 'mine');
    const lines: string[] = [];
    await run({ split: files.split, mimicZip: files.zip, force: true, log: (l) => lines.push(l) });
    expect(lines).toContain(
      `removed ${path.join(out, 'dev2.jsonl')}: written by the previous prepare run, and this run writes no dev2.jsonl (the folder now matches prepare-report.json)`,
    );
    expect(fs.readdirSync(out).sort()).toEqual(['dev1.jsonl', 'notes.txt', 'prepare-report.json', 'train-records.jsonl', 'train.jsonl']);
  });

  test('an empty folder, or one holding other files only, is used as it is', async () => {
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'notes.txt'), 'mine');
    const files = tiny([report('1', GOOD), DEV], `study_id,subject_id,split\n1,10000001,train\n${DEV_ROW}`);
    await run({ split: files.split, mimicZip: files.zip });
    expect(fs.readFileSync(path.join(out, 'notes.txt'), 'utf8')).toBe('mine');
  });
});

test('the report records the template and its SHA-256 (what upload stores beside the channel)', async () => {
  const files = tiny([report('1', GOOD), DEV], `study_id,subject_id,split\n1,10000001,train\n${DEV_ROW}`);
  const result = await run({ split: files.split, mimicZip: files.zip, template: 'Impression for: {context}' });
  expect(result.template).toBe('Impression for: {context}');
  expect(result.templateSha256).toBe(createHash('sha256').update('Impression for: {context}').digest('hex'));
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

  test('a failed run leaves an earlier output untouched', async () => {
    const files = tiny([report('1', GOOD), DEV], `study_id,subject_id,split\n1,10000001,train\n${DEV_ROW}`);
    await run({ split: files.split, mimicZip: files.zip, indiana: INDIANA });
    const before = fs.readFileSync(path.join(out, 'train.jsonl'), 'utf8');
    fs.writeFileSync(files.split, `study_id,subject_id,split\n1,10000001,train\n2,10000001,dev\n${DEV_ROW}`);
    await expect(run({ split: files.split, mimicZip: files.zip, indiana: INDIANA, force: true })).rejects.toThrow(/have no report/);
    expect(fs.readFileSync(path.join(out, 'train.jsonl'), 'utf8')).toBe(before);
    expect(fs.readdirSync(out).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});

describe('the CLI', () => {
  const cli = async (args: string[]): Promise<{ code: number; out: string; err: string }> => {
    const out: string[] = [];
    const err: string[] = [];
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((c) => (out.push(String(c)), true));
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((c) => (err.push(String(c)), true));
    try {
      const code = await runCli(buildProgram(), ['node', 'impressions', 'prepare', ...args]);
      return { code, out: out.join(''), err: err.join('') };
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
      process.exitCode = 0;
    }
  };

  test('exit code 0 with the files written; 2 with a message on bad input or usage', async () => {
    const files = tiny([report('1', GOOD), DEV], `study_id,subject_id,split\n1,10000001,train\n${DEV_ROW}`);
    const ok = await cli(['--split', files.split, '--mimic-zip', files.zip, '--out', out, '--template', 'T: {context}']);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain(`${path.join(out, 'train.jsonl')}: 1 record\n`);
    expect(jsonl(path.join(out, 'train.jsonl'))).toEqual([{ prompt: 'T: Lungs clear.', completion: 'Normal.' }]);
    expect(ok.err).toContain(
      'warning: --template differs from impressions:promptTemplate, which the evaluation uses; impressions run will refuse to train on this channel unless given --allow-template-mismatch',
    );

    const missing = await cli(['--split', path.join(dir, 'x.csv'), '--mimic-zip', files.zip, '--out', path.join(dir, 'other')]);
    expect(missing).toMatchObject({ code: 2, err: expect.stringContaining(`impressions: ${path.join(dir, 'x.csv')}: cannot read the split file (ENOENT)\n`) });
    const again = await cli(['--split', files.split, '--mimic-zip', files.zip, '--out', out]);
    expect(again.code).toBe(2);
    expect(again.err).toContain(`impressions: --out ${out}: already holds prepared files`);
    expect((await cli(['--split', files.split, '--mimic-zip', files.zip, '--out', out, '--max-skip-rate', 'lots'])).err).toContain(
      'impressions: --max-skip-rate lots: expected a percentage from 0 to 100\n',
    );
    const usage = await cli(['--mimic-zip', files.zip, '--out', out]);
    expect(usage.code).toBe(2);
    expect(usage.err).toContain("error: required option '--split <csv>' not specified");
  });

  test('without --template, the project configuration is found, named, and its template used', async () => {
    const files = tiny([report('1', GOOD), DEV], `study_id,subject_id,split\n1,10000001,train\n${DEV_ROW}`);
    const result = await cli(['--split', files.split, '--mimic-zip', files.zip, '--out', out]);
    expect(result.code).toBe(0);
    expect(result.err).toContain(`configuration: ${path.resolve(__dirname, '..', '..', '..', '..', 'cdk.json')}`);
    expect((jsonl(path.join(out, 'train.jsonl'))[0] as { prompt: string }).prompt).toBe(
      'Generate radiology report impressions based on the following findings. Findings: Lungs clear.',
    );
  });
});
