/**
 * `npm run bench -- aggregate`: the CPU work of the run's aggregate Lambda (lambda/aggregate:
 * `summaryRows` and `buildRunSummary`, everything but the S3 and CloudWatch calls) on a run the size
 * of the published one: 2 datasets × 2,000 rows for each of the 5 models (pretrained, fine-tuned and
 * the three baselines), every row scored and labelled. That is 40 ROUGE summaries, 30 agreement
 * figures and 10 paired differences, each with a 1,000-resample bootstrap. Prints the median of 5
 * runs (after one warm-up) and the load average; asserts nothing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { buildRunSummary, estimateCost, rougeFn, scoredRow, summaryRows } from '../lib/core/evaluation';
import type { PredictionRow } from '../lib/core/run/contracts';
import { dataPath } from '../test/helpers/data';

interface IndianaRecord {
  readonly study_id: string;
  readonly findings: string;
  readonly impression: string;
  readonly background: string;
}

function run(): PredictionRow[] {
  const records = JSON.parse(fs.readFileSync(dataPath('indiana_dev.json'), 'utf8')) as IndianaRecord[];
  const rouge = rougeFn();
  const rows: PredictionRow[] = [];
  const models = ['pretrained', 'fine-tuned', 'baseline-normal', 'baseline-copy-findings', 'baseline-first-sentence'] as const;
  for (const dataset of ['dev1', 'dev2']) {
    for (const [m, model] of models.entries()) {
      const ctx = { runId: 'bench', dataset, dataSource: 'indiana-university', model, modelVersion: '2.2.3', createdAt: '2026-01-01T00:00:00.000Z' };
      records.forEach((r, i) => {
        const generated = [
          r.findings.split('. ')[0],
          records[(i * 7 + m) % records.length].impression,
          'No acute cardiopulmonary process.',
          r.findings,
          r.findings.split('. ')[0],
        ][m];
        const record = { index: i, studyId: r.study_id, subjectId: '', findings: r.findings, impression: r.impression, background: r.background };
        rows.push(scoredRow(ctx, record, generated, 40, rouge));
      });
    }
  }
  return rows;
}

const rows = run();
const wall: number[] = [];
const cpu: number[] = [];
const loadBefore = os.loadavg()[0];
for (let k = 0; k < 6; k += 1) {
  const start = process.hrtime.bigint();
  const used = process.cpuUsage();
  const summary = summaryRows('bench', rows);
  buildRunSummary('bench', rows, summary, estimateCost([], {}), new Date());
  const { user, system } = process.cpuUsage(used);
  if (k > 0) {
    wall.push(Number(process.hrtime.bigint() - start) / 1e6);
    cpu.push((user + system) / 1000);
  }
}
const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const [w, c] = [sorted(wall), sorted(cpu)];
process.stdout.write(
  `aggregate Lambda CPU work, ${rows.length.toLocaleString('en-US')} rows (2 datasets × 5 models × 2,000), median of 5: ` +
    `wall ${w[2].toFixed(0)} ms (${w[0].toFixed(0)}–${w[4].toFixed(0)}), CPU ${c[2].toFixed(0)} ms (${c[0].toFixed(0)}–${c[4].toFixed(0)}); ` +
    `load average ${loadBefore.toFixed(1)} → ${os.loadavg()[0].toFixed(1)}\n`,
);
