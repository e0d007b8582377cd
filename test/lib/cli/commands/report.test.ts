import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { athenaTarget } from '../../../../lib/cli/athena';
import { runReport } from '../../../../lib/cli/commands/report';
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
  it('prints the comparison with published figures and baselines, the distribution, paired differences and cost', async () => {
    const c = capture();
    await runReport({ runId: 'fixture-run', source: { store: localStore(FIXTURE) }, out: c.out });
    const text = c.text();
    const line = (dataset: string, model: string) => text.split('\n').find((l) => new RegExp(`^${dataset}\\s+${model}\\s+\\d`).test(l));
    for (const dataset of ['dev1', 'dev2']) {
      for (const model of ['pretrained', 'fine-tuned', 'baseline-normal', 'baseline-copy-findings', 'baseline-first-sentence']) {
        const l = line(dataset, model);
        expect(l).toBeDefined();
        const means = ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'].map((m) =>
          summary.find((s) => s.dataset === dataset && s.model === model && s.metric === m)!.mean!.toFixed(4),
        );
        expect(l!.trim().split(/\s+/).slice(-4)).toEqual(means);
      }
    }
    expect(text).toMatch(/dev1\s+pretrained \(published\)\s+0\.2239\s+0\.1134\s+0\.1891\s+0\.1891/);
    expect(text).toMatch(/dev1\s+fine-tuned \(published\)\s+0\.6040\s+0\.4800\s+0\.5705\s+0\.5708/);
    expect(text).toMatch(/dev2\s+pretrained \(published\)\s+0\.1583\s+0\.0599\s+0\.1391\s+0\.1393/);
    expect(text).toMatch(/dev2\s+fine-tuned \(published\)\s+0\.4660\s+0\.3125\s+0\.4525\s+0\.4525/);
    expect(text).toMatch(/dev2\s+fine-tuned\s+7\s+1\s/);
    expect(text).toContain('no stemmer (as published)');
    expect(text).toMatch(/dev2\s+baseline-normal\s+rouge2\s+7\s+1\s+0\.3333/);
    expect(text).toContain('Paired difference fine-tuned − pretrained');
    expect(text).toContain('Estimated cost: $302.21');
    // The agreement table beside the ROUGE comparison: models and baselines, headline figures with intervals.
    expect(text).toContain('Clinical agreement of generated with reference labels');
    expect(text).toMatch(/dataset\s+model\s+labelled\s+errors\s+micro-F1 \(13\)\s+macro-F1 \(14\)\s+micro-F1 \(14\)/);
    for (const model of ['pretrained', 'fine-tuned', 'baseline-normal', 'baseline-copy-findings', 'baseline-first-sentence']) {
      const s = summary.find((r) => r.dataset === 'dev2' && r.model === model && r.metric === 'chexpert_micro_f1_13')!;
      expect(text).toContain(`${s.mean!.toFixed(4)} [${s.ci_low!.toFixed(4)}, ${s.ci_high!.toFixed(4)}]`);
      expect(text).toMatch(new RegExp(`dev2\\s+${model}\\s+6\\s+1\\s+${s.mean!.toFixed(4).replace('.', '\\.')} \\[`));
    }
    expect(text).toMatch(/dev2\s+micro-F1 \(13\)\s+6\s/);
    // Agreement rows have no distribution: not in the distribution table.
    expect(text).not.toMatch(/chexpert_micro_f1_13\s+6/);
    // No report text in the terminal tables.
    expect(text).not.toContain('Heart size');
  });

  it('computes the summary when summary.jsonl is missing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-'));
    fs.cpSync(path.join(FIXTURE, 'prediction_data', 'predictions'), path.join(dir, 'prediction_data', 'predictions'), { recursive: true });
    const c = capture();
    await runReport({ runId: 'fixture-run', source: { store: localStore(dir) }, out: c.out });
    expect(c.text()).toContain('summary.jsonl not found: figures computed from the 65 rows');
    expect(c.text()).toMatch(/dev2\s+baseline-normal\s+7\s+1\s+0\.4120/);
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

  it('writes the HTML page atomically with every dataset and model', async () => {
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
    // The agreement section, and both label sets in the embedded report rows.
    expect(html).toContain('<h2>Clinical agreement</h2>');
    expect(html).toContain('<th>micro-F1 (13)</th>');
    expect(html).toContain('<th>generated labels</th><th>reference labels</th>');
    expect(html).toContain('"generated_labels":"no_finding +"');
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
    expect(text).toMatch(new RegExp(`dev2\\s+fine-tuned\\s+.*${fineTunedDev2.join('\\s+')}`));
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
