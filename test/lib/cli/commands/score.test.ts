import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { readPairs, runScore } from '../../../../lib/cli/commands/score';
import { CliError } from '../../../../lib/cli/errors';
import { buildProgram, runCli } from '../../../../lib/cli/program';
import { scoreRouge } from '../../../../lib/core/rouge';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-test-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  process.exitCode = undefined;
});

function write(name: string, content: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

const SECRET = 'SECRET-PATIENT-TEXT';
const lines = [
  JSON.stringify({ id: 'r1', prediction: 'No acute disease.', reference: 'No acute cardiopulmonary disease.' }),
  '',
  JSON.stringify({ prediction: 'Heart size normal.\nLungs clear.', reference: 'Lungs are clear.\nNormal heart.' }),
  JSON.stringify({ id: 'r4', prediction: 'effusions', reference: 'effusion' }),
];

describe('impressions score', () => {
  test('per-record file: one line per input in order, default id = line number, full precision', async () => {
    const input = write('pairs.jsonl', lines.join('\n') + '\n');
    const out = path.join(dir, 'scores.jsonl');
    const stdout = sink();
    await runScore({ input, stemmer: false, perRecord: out, json: false, seed: 0, stdout: stdout.stream });
    const rows = fs
      .readFileSync(out, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((r) => r.id)).toEqual(['r1', '3', 'r4']);
    expect(Object.keys(rows[0])).toEqual(['id', 'rouge1', 'rouge2', 'rougeL', 'rougeLsum']);
    expect(rows[1].rougeLsum).toEqual(scoreRouge('Heart size normal.\nLungs clear.', 'Lungs are clear.\nNormal heart.').rougeLsum);
    expect(rows[0].rouge1).toEqual({ precision: 1, recall: 0.75, fmeasure: (2 * 1 * 0.75) / 1.75 });
    expect(rows[2].rouge1.fmeasure).toBe(0);
    expect(fs.readdirSync(dir).sort()).toEqual(['pairs.jsonl', 'scores.jsonl']);
    expect(stdout.text()).not.toContain('acute');
  });

  test('table states the aggregation and stemmer setting; one row per type', async () => {
    const input = write('pairs.jsonl', lines.join('\n'));
    const stdout = sink();
    await runScore({ input, stemmer: true, json: false, seed: 7, stdout: stdout.stream });
    const text = stdout.text();
    expect(text).toContain('ROUGE F-measure, mean over 3 pairs, 95% bootstrap CI (1000 resamples, seed 7, MT19937), Porter stemmer (nltk variant)');
    expect(text).toMatch(/type\s+measure\s+count\s+mean\s+CI low\s+CI high\s+std\s+min\s+25%\s+50%\s+75%\s+max/);
    for (const type of ['rouge1', 'rouge2', 'rougeL', 'rougeLsum']) expect(text).toMatch(new RegExp(`^${type}\\s+F\\s+3\\s`, 'm'));
  });

  test('--json via the CLI; a JSON array input takes index + 1 as default id', async () => {
    const input = write(
      'pairs.json',
      JSON.stringify([
        { prediction: 'a b c', reference: 'a b d' },
        { id: 'x', prediction: 'a', reference: 'a' },
      ]),
    );
    const out = path.join(dir, 'per.jsonl');
    const writes: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      const code = await runCli(buildProgram(), ['node', 'impressions', 'score', '--input', input, '--json', '--seed', '3', '--per-record', out]);
      expect(code).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const report = JSON.parse(writes.join(''));
    expect(report).toMatchObject({ pairs: 2, stemmer: false, measure: 'fmeasure', bootstrap: { resamples: 1000, confidence: 0.95, seed: 3, rng: 'mt19937' } });
    expect(report.scores.rouge1.count).toBe(2);
    expect(report.scores.rouge1.mean).toBe(((2 * (2 / 3) * (2 / 3)) / (4 / 3) + 1) / 2);
    expect(
      fs
        .readFileSync(out, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).id),
    ).toEqual(['1', 'x']);
  });

  test('--labels adds the clinical agreement of the CheXpert-style labels, in the table and in --json', async () => {
    const input = write(
      'pairs.jsonl',
      [
        JSON.stringify({ id: 'a', prediction: 'Small left pleural effusion.', reference: 'Small left pleural effusion. No pneumothorax.' }),
        JSON.stringify({ id: 'b', prediction: 'No acute cardiopulmonary process.', reference: 'Cardiomegaly with mild pulmonary edema.' }),
      ].join('\n'),
    );
    const table = sink();
    await runScore({ input, stemmer: false, json: false, seed: 1, labels: true, stdout: table.stream });
    expect(table.text()).toContain('Clinical agreement (rule-based CheXpert-style labels)');
    expect(table.text()).toMatch(/^Pleural Effusion\s+1\s+1\s+1\.000\s+1\.000\s+1\.000$/m);
    expect(table.text()).toMatch(/^Cardiomegaly\s+1\s+0\s/m);

    const json = sink();
    const report = await runScore({ input, stemmer: false, json: true, seed: 1, labels: true, stdout: json.stream });
    const parsed = JSON.parse(json.text());
    expect(parsed.labels.records).toBe(2);
    expect(parsed.labels.microF1Of13).toBeCloseTo(report.labels!.microF1Of13, 12);
    // Effusion agrees (TP 1); cardiomegaly and edema are missed (FN 2): micro-F1 = 2/(2+0+2).
    expect(report.labels!.microF1Of13).toBeCloseTo(0.5, 12);

    const plain = sink();
    expect((await runScore({ input, stemmer: false, json: false, seed: 1, stdout: plain.stream })).labels).toBeUndefined();
    expect(plain.text()).not.toContain('Clinical agreement');
  });

  test.each([
    ['invalid JSON', `${lines[0]}\n{"prediction": "${SECRET}", \n`, /pairs\.jsonl:2: invalid JSON/],
    ['missing field', `${lines[0]}\n{"prediction": "${SECRET}"}\n`, /pairs\.jsonl:2: field "reference" is missing/],
    ['non-string field', `{"prediction": 5, "reference": "${SECRET}"}\n`, /pairs\.jsonl:1: field "prediction" must be a string, got number/],
    [
      'id of the wrong type',
      `{"id": 12, "prediction": "${SECRET}", "reference": "a"}\n`,
      /pairs\.jsonl:1: field "id" must be a string when present, got number/,
    ],
    ['not an object', `["${SECRET}"]\n`, /record 1: expected an object/],
    ['empty file', '\n\n', /pairs\.jsonl: no records/],
  ])('bad input (%s): message names file, line and field; nothing written', async (_name, content, message) => {
    const input = write('pairs.jsonl', content);
    const out = path.join(dir, 'out.jsonl');
    let error: unknown;
    try {
      await runScore({ input, stemmer: false, perRecord: out, json: false, seed: 0, stdout: sink().stream });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).message).toMatch(message);
    expect((error as CliError).message).not.toContain(SECRET);
    expect(fs.existsSync(out)).toBe(false);
  });

  test("invalid JSON array: the parser's message (which quotes input) is not passed on", () => {
    const input = write('pairs.json', `[{"prediction": "${SECRET}" "reference": "a"}]`);
    expect(() => readPairs(input)).toThrow(/pairs\.json: invalid JSON/);
    expect(() => readPairs(input)).not.toThrow(new RegExp(SECRET));
  });

  test('input that is not UTF-8 is rejected with the file, byte offset and line, not scored as replacement characters', () => {
    const file = path.join(dir, 'latin1.jsonl');
    const good = `${lines[0]}\n`;
    fs.writeFileSync(file, Buffer.concat([Buffer.from(good), Buffer.from('{"prediction": "caf'), Buffer.from([0xe9]), Buffer.from('", "reference": "x"}\n')]));
    expect(() => readPairs(file)).toThrow(new RegExp(`latin1\\.jsonl: not valid UTF-8 at byte ${Buffer.byteLength(good) + 19} \\(line 2\\)`));
    // A BOM is valid UTF-8 and skipped.
    fs.writeFileSync(file, `\ufeff${lines[0]}\n`);
    expect(readPairs(file)).toHaveLength(1);
  });

  test('--labels: one progress bar over scoring and labelling, at 100 % only when both are done; a long text shows one too', async () => {
    const events: string[] = [];
    const progress = (label: string, total: number, unit?: string) => {
      events.push(`start ${label} ${total} ${unit}`);
      return { update: (done: number) => events.push(`update ${done}`), stop: () => events.push('stop') };
    };
    const text = 'Small right pleural effusion. Heart size is normal. '.repeat(20_000);
    const input = write('long.jsonl', `${JSON.stringify({ prediction: text, reference: 'Small right pleural effusion.' })}\n`);
    const report = await runScore({ input, stemmer: false, json: true, seed: 0, labels: true, stdout: sink().stream, progress });
    expect(events).toEqual(['start score + labels 1 pairs', 'update 1', 'stop']);
    expect(report.labels?.observations.find((o) => o.observation === 'Pleural Effusion')?.truePositives).toBe(1);
    // Without labels a single pair is quick: no bar.
    events.length = 0;
    await runScore({ input, stemmer: false, json: true, seed: 0, stdout: sink().stream, progress });
    expect(events).toEqual([]);
  });

  test('several problems are reported together', () => {
    const input = write('pairs.jsonl', '{"prediction": 1}\nnot json\n');
    expect(() => readPairs(input)).toThrow(/:1: field "prediction" must be a string[\s\S]*:1: field "reference" is missing[\s\S]*:2: invalid JSON/);
  });

  test('exit code 2 (bad input) with the message on stderr: missing file, bad seed', async () => {
    const errors: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      errors.push(String(chunk));
      return true;
    });
    try {
      const missing = path.join(dir, 'nope.jsonl');
      expect(await runCli(buildProgram(), ['node', 'impressions', 'score', '--input', missing])).toBe(2);
      expect(errors.join('')).toContain(`${missing}: no such file`);
      const input = write('pairs.jsonl', lines[0]);
      expect(await runCli(buildProgram(), ['node', 'impressions', 'score', '--input', input, '--seed', '-3'])).toBe(2);
      expect(errors.join('')).toMatch(/--seed: expected an integer/);
    } finally {
      spy.mockRestore();
    }
  });
});
