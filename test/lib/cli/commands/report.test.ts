import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { athenaTarget } from '../../../../lib/cli/athena';
import { parseMaxErrorRate, runReport } from '../../../../lib/cli/commands/report';
import { buildProgram, runCli } from '../../../../lib/cli/program';
import { localStore } from '../../../../lib/cli/run-results';
import { PREDICTIONS_SCHEMA, SUMMARY_SCHEMA } from '../../../../lib/core/analytics/tables';
import type { PredictionRow, SummaryRow } from '../../../../lib/core/run/contracts';
import { resultPage } from '../athena-fixtures';

const FIXTURE = path.join(__dirname, '..', '..', '..', 'fixtures', 'evaluation-run');
const summary = fs
  .readFileSync(path.join(FIXTURE, 'prediction_data/summary/run_id=fixture-run/summary.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as SummaryRow);

function capture() {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  return { out, text: () => text };
}

describe('report', () => {
  it('prints the verdict first, then the means with intervals and the published figures, the agreement and distribution tables, cost', async () => {
    const c = capture();
    await runReport({ runId: 'fixture-run', source: { store: localStore(FIXTURE) }, out: c.out });
    const text = c.text();
    // The verdict of each data set comes before its tables.
    expect(text.indexOf('=== dev1 · MIMIC-CXR, 6 reports ===')).toBeLessThan(text.indexOf('Fine-tuned − pretrained on the same reports'));
    expect(text).toContain('=== dev2 · Indiana University, 7 reports — NOT TRUSTWORTHY ===');
    expect(text).toContain('  ! Not trustworthy: error rows above the 1.0 % threshold: Pretrained 1 of 7 (14.3 %)');
    expect(text).toMatch(/ROUGE-1\s+6\s+0\.4120\s+0\.0356\s+\+0\.3765\s+\[0\.0494, 0\.6620\]\s+better by 0\.3765 \[0\.0494, 0\.6620\]/);
    expect(text).toMatch(/Fine-tuned\s+ROUGE-Lsum\s+0\.4120\s+Normal-answer baseline\s+0\.4120\s+0\.0000\s+\[0\.0000, 0\.0000\]\s+WARNING: does not beat it/);
    // Every model's mean F with its interval, as in the summary rows, and the published figures beside.
    const interval = (s: SummaryRow) => `${s.mean!.toFixed(4)} [${s.ci_low!.toFixed(4)}, ${s.ci_high!.toFixed(4)}]`;
    const names: Record<string, string> = {
      pretrained: 'Pretrained',
      'fine-tuned': 'Fine-tuned',
      'baseline-normal': 'Normal-answer baseline',
      'baseline-copy-findings': 'Copy-findings baseline',
      'baseline-first-sentence': 'First-sentence baseline',
    };
    for (const dataset of ['dev1', 'dev2']) {
      for (const model of Object.keys(names)) {
        const cells = ['rouge1', 'rouge2', 'rougeL', 'rougeLsum', 'chexpert_micro_f1_13'].map((m) =>
          interval(summary.find((s) => s.dataset === dataset && s.model === model && s.metric === m)!),
        );
        expect(text).toContain(`${cells.join('  ')}`);
      }
    }
    expect(text).toMatch(/Pretrained \(published\)\s+0\.2239\s+0\.1134\s+0\.1891\s+0\.1891/);
    expect(text).toMatch(/Fine-tuned \(published\)\s+0\.6040\s+0\.4800\s+0\.5705\s+0\.5708/);
    expect(text).toMatch(/Pretrained \(published\)\s+0\.1583\s+0\.0599\s+0\.1391\s+0\.1393/);
    expect(text).toMatch(/Fine-tuned \(published\)\s+0\.4660\s+0\.3125\s+0\.4525\s+0\.4525/);
    expect(text).toContain('no stemmer (as published)');
    expect(text).toContain('1,000 resamples, seed 0');
    expect(text).toContain('Cost: $302.21 estimated');
    expect(text).toMatch(/observation\s+Pretrained: support\s+asserts\s+misses\s+adds\s+sensitivity\s+precision\s+F1\s+Fine-tuned: support/);
    expect(text).toMatch(/Fine-tuned\s+ROUGE-1\s+6\s+0\.4120 \[0\.1250, 0\.6620\]\s+0\.0556\s+0\.4861\s+0\.7500\s+0\.0000–0\.7500\s+0/);
    // No report text and no raw ids in the terminal.
    expect(text).not.toContain('Heart size');
    expect(text).not.toContain('chexpert_micro_f1_13');
  });

  it('computes the summary when summary.jsonl is missing, and the paired differences without the run summary', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-'));
    fs.cpSync(path.join(FIXTURE, 'prediction_data', 'predictions'), path.join(dir, 'prediction_data', 'predictions'), { recursive: true });
    const c = capture();
    await runReport({ runId: 'fixture-run', source: { store: localStore(dir) }, out: c.out });
    expect(c.text()).toContain('summary.jsonl not found: figures computed from the 65 rows');
    expect(c.text()).toMatch(/Normal-answer baseline\s+7\s+1\s+0\.4120 \[/);
    // The same paired difference as the run summary holds.
    expect(c.text()).toContain('better by 0.3765 [0.0494, 0.6620]');
    expect(c.text()).toContain('Cost: not known (the run summary, which holds the estimate, was not read).');
  });

  it('--max-error-rate changes the threshold of one report; a bad value is refused', async () => {
    const c = capture();
    await runReport({ runId: 'fixture-run', source: { store: localStore(FIXTURE) }, out: c.out, maxErrorShare: parseMaxErrorRate('20') });
    expect(c.text()).not.toContain('NOT TRUSTWORTHY');
    expect(c.text()).toContain('above 20.0 % the verdict is not trustworthy');
    expect(parseMaxErrorRate('1.5%')).toBe(0.015);
    expect(parseMaxErrorRate(undefined)).toBeUndefined();
    for (const bad of ['', 'x', '-1', '101'])
      expect(() => parseMaxErrorRate(bad)).toThrow(`--max-error-rate ${bad}: must be a percentage between 0 and 100 (default 1)`);
  });

  it('fails with a clear message for an unknown run or folder (exit code 2: bad input)', async () => {
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await runCli(buildProgram(), ['node', 'impressions', 'report', '--run', 'nope', '--from', FIXTURE]);
    const code2 = await runCli(buildProgram(), ['node', 'impressions', 'report', '--run', 'x', '--from', '/does/not/exist']);
    const messages = err.mock.calls.map((c) => String(c[0])).join('');
    err.mockRestore();
    process.exitCode = 0;
    expect(code).toBe(2);
    expect(code2).toBe(2);
    expect(messages).toContain('run nope: no prediction files under');
    expect(messages).toContain('--from /does/not/exist: not a folder');
  });

  it('refuses an --html path in a missing folder before reading the run', async () => {
    const store = localStore(FIXTURE);
    const list = jest.spyOn(store, 'list');
    const missing = path.join(os.tmpdir(), 'no-such-folder-for-report', 'run.html');
    await expect(runReport({ runId: 'fixture-run', source: { store }, out: capture().out, htmlPath: missing })).rejects.toThrow(
      `--html ${missing}: folder ${path.dirname(missing)} does not exist`,
    );
    expect(list).not.toHaveBeenCalled();
  });

  it('writes the HTML page atomically with the verdict, every dataset and model', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-'));
    const file = path.join(dir, 'run.html');
    await runReport({
      runId: 'fixture-run',
      source: { store: localStore(FIXTURE) },
      out: capture().out,
      htmlPath: file,
      now: new Date('2026-01-16T00:00:00Z'),
    });
    expect(fs.readdirSync(dir)).toEqual(['run.html']);
    const html = fs.readFileSync(file, 'utf8');
    for (const model of ['pretrained', 'fine-tuned', 'baseline-normal', 'baseline-copy-findings', 'baseline-first-sentence']) {
      expect(html).toContain(`data-dataset="dev1" data-model="${model}"`);
      expect(html).toContain(`data-dataset="dev2" data-model="${model}"`);
    }
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"`);
    expect(html.indexOf('id="verdict"')).toBeLessThan(html.indexOf('id="means-section"'));
    expect(html).toContain('<h3 id="verdict-1">dev2 · Indiana University, 7 reports</h3>');
    expect(html).toContain('<h2 id="agreement-h">Clinical agreement</h2>');
    expect(html).toContain('<th scope="col">micro-F1 (13)</th>');
  });

  it('--athena: reads the published tables (what the dashboard shows) and prints the same comparison', async () => {
    const predictions = fs
      .readdirSync(path.join(FIXTURE, 'prediction_data/predictions/run_id=fixture-run'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.jsonl'))
      .flatMap((e) =>
        fs
          .readFileSync(path.join(e.parentPath, e.name), 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as PredictionRow),
      );
    // Athena returns every value as text; the page is built from the same rows the S3 layout holds.
    const page = (schema: { fields: object }, rows: readonly object[]) => {
      const columns = Object.entries(schema.fields).map(([n, t]) => [n, t === 'string' ? 'varchar' : String(t)] as [string, string]);
      return resultPage(
        columns,
        rows.map((r) =>
          columns.map(([n]) => {
            const v = (r as Record<string, unknown>)[n];
            return v === null || v === undefined ? null : String(v);
          }),
        ),
        { header: true },
      );
    };
    const athena = mockClient(AthenaClient);
    athena
      .on(StartQueryExecutionCommand)
      .callsFake((input: { QueryString: string }) => ({ QueryExecutionId: input.QueryString.includes('"summary"') ? 'q-s' : 'q-p' }));
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    athena.on(GetQueryResultsCommand, { QueryExecutionId: 'q-s' }).resolves(page(SUMMARY_SCHEMA, summary));
    athena.on(GetQueryResultsCommand, { QueryExecutionId: 'q-p' }).resolves(page(PREDICTIONS_SCHEMA, predictions));
    const c = capture();
    await runReport({ runId: 'fixture-run', source: { athena: athenaTarget(new AthenaClient({}), 'impressions') }, out: c.out });
    athena.restore();
    const text = c.text();
    expect(text).toContain('(read from Athena, impressions_results');
    const fineTunedDev2 = ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'].map((m) =>
      summary.find((r) => r.dataset === 'dev2' && r.model === 'fine-tuned' && r.metric === m)!.mean!.toFixed(4),
    );
    expect(text).toMatch(new RegExp(`Fine-tuned\\s+7\\s+1\\s+${fineTunedDev2.map((m) => `${m} \\[[^\\]]+\\]`).join('\\s+')}`));
    // Paired differences come from the rows, the same as the run summary's.
    expect(text).toContain('better by 0.3765 [0.0494, 0.6620]');
    expect(text).not.toContain('Heart size');
  });

  it('--athena and --from together are refused', async () => {
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await runCli(buildProgram(), ['node', 'impressions', 'report', '--run', 'r', '--from', FIXTURE, '--athena']);
    const messages = err.mock.calls.map((c) => String(c[0])).join('');
    err.mockRestore();
    process.exitCode = 0;
    expect(code).toBe(2);
    expect(messages).toContain('--athena and --from are exclusive');
  });
});
