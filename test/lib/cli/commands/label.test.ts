import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { runLabel } from '../../../../lib/cli/commands/label';
import { buildProgram, runCli } from '../../../../lib/cli/program';
import { OBSERVATIONS } from '../../../../lib/core/labels/observations';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'label-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function input(content: string): string {
  const file = path.join(dir, 'in.jsonl');
  fs.writeFileSync(file, content);
  return file;
}

async function captured(args: Parameters<typeof runLabel>[0]): Promise<string> {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  await runLabel(args, stream);
  return Buffer.concat(chunks).toString('utf8');
}

describe('label command', () => {
  test('writes one line per record in input order with all 14 names and the ids', async () => {
    const file = input('{"id":"a","text":"Mild cardiomegaly."}\n{"study_id":7,"text":"No effusion."}\n\n{"text":"Possible pneumonia."}\n');
    const lines = (await captured({ input: file }))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual(['a', 7, 4]);
    for (const line of lines) expect(Object.keys(line.labels)).toEqual([...OBSERVATIONS]);
    expect(lines[0].labels.Cardiomegaly).toBe(1);
    expect(lines[0].labels['No Finding']).toBeNull();
    expect(lines[1].labels['Pleural Effusion']).toBe(0);
    expect(lines[1].labels['No Finding']).toBe(1);
    expect(lines[2].labels.Pneumonia).toBe(-1);
  });

  test('--field picks the text field and --out writes the file', async () => {
    const file = input('{"id":1,"impression":"Small pneumothorax."}\n');
    const out = path.join(dir, 'labels.jsonl');
    expect(await runLabel({ input: file, field: 'impression', out })).toBe(1);
    expect(JSON.parse(fs.readFileSync(out, 'utf8')).labels.Pneumothorax).toBe(1);
    expect(fs.readdirSync(dir).sort()).toEqual(['in.jsonl', 'labels.jsonl']);
  });

  test('--explain adds every phrase match with its label and rule; without it there is none', async () => {
    const file = input('{"id":"a","text":"Heart size is stable. No definite consolidation, no effusion."}\n');
    const [line] = (await captured({ input: file, explain: true }))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(line.labels).toMatchObject({ Cardiomegaly: null, Consolidation: -1, 'Pleural Effusion': 0 });
    expect(line.mentions).toEqual([
      { observation: 'Cardiomegaly', phrase: 'heart size', sentence: 1, label: null, rule: 'descriptiveWithoutSize' },
      { observation: 'Consolidation', phrase: 'consolidat', sentence: 2, label: -1, rule: 'uncertainBefore' },
      { observation: 'Pleural Effusion', phrase: 'effusion', sentence: 2, label: 0, rule: 'negationBefore' },
    ]);
    expect(JSON.parse(await captured({ input: file }))).not.toHaveProperty('mentions');
  });

  test.each([
    ['{"text":"ok"}\n{not json\n', /in\.jsonl: line 2: not valid JSON/],
    ['{"text":"ok"}\n{"id":2}\n', /in\.jsonl: line 2: field "text" is missing/],
    ['{"text":3}\n', /in\.jsonl: line 1: field "text" must be a string/],
    ['[1]\n', /in\.jsonl: line 1: expected a JSON object/],
    ['{"id":{"a":1},"text":"x"}\n', /in\.jsonl: line 1: field "id" must be a string or a number/],
    ['', /in\.jsonl: no records/],
    ['\n\n', /in\.jsonl: no records/],
  ])('rejects bad input %#, names file, line and field, writes nothing', async (content, message) => {
    const file = input(content);
    const out = path.join(dir, 'labels.jsonl');
    await expect(runLabel({ input: file, out })).rejects.toThrow(message);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(dir)).toEqual(['in.jsonl']);
  });

  test('the error message never contains report text', async () => {
    const file = input('{"text":"Secret finding."}\n{"text":"Secret finding." \n');
    await expect(runLabel({ input: file })).rejects.toThrow(/^(?!.*Secret).*line 2/);
  });

  test('input that is not UTF-8 is rejected with the byte offset, before anything is labelled', async () => {
    const file = path.join(dir, 'latin1.jsonl');
    fs.writeFileSync(file, Buffer.concat([Buffer.from('{"text": "Small effusion."}\n{"text": "'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]));
    await expect(runLabel({ input: file })).rejects.toThrow(/latin1\.jsonl: not valid UTF-8 at byte 38 \(line 2\)/);
    // A leading BOM is skipped, as score does.
    await expect(captured({ input: input('\ufeff{"id": "a", "text": "Small effusion."}\n') })).resolves.toMatch(/^\{"id":"a"/);
  });

  test('a missing input file is a clear error', async () => {
    await expect(runLabel({ input: path.join(dir, 'nope.jsonl') })).rejects.toThrow(/nope\.jsonl: cannot read the input file \(not found\)/);
  });

  test('runs through the CLI and exits 2 on bad input', async () => {
    const file = input('{"x":"y"}\n');
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const code = await runCli(buildProgram(), ['node', 'impressions', 'label', '--input', file]);
      expect(code).toBe(2);
      expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toMatch(/line 1: field "text" is missing/);
    } finally {
      stderr.mockRestore();
      process.exitCode = 0;
    }
  });

  test('runs through the CLI and writes --out', async () => {
    const file = input('{"text":"Cardiomegaly."}\n');
    const out = path.join(dir, 'o.jsonl');
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await runCli(buildProgram(), ['node', 'impressions', 'label', '--input', file, '--out', out])).toBe(0);
    } finally {
      stderr.mockRestore();
    }
    expect(JSON.parse(fs.readFileSync(out, 'utf8')).labels.Cardiomegaly).toBe(1);
  });
});
