/**
 * Validation and speed of the rule-based labeler (`npm run bench -- labels`). Prints figures,
 * asserts nothing.
 *
 * 1. Findings + impression of the 2,000 Indiana dev reports against the Open-i report labels
 *    (openi_gld_std14.csv, MeSH-derived, presence only) on the observations both schemes share.
 * 2. On the 2,000 dev impressions (reference = impression): the agreement of the constant
 *    "No acute cardiopulmonary process." and of the findings copied as the prediction.
 * 3. Throughput.
 * Data: `SHARED_DATA` or ../../shared/data from this file (the project's shared data folder).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatAgreementTable } from '../lib/core/labels/agreement-table';
import { isPresent, textAgreement } from '../lib/core/labels/agreement';
import { labelReport } from '../lib/core/labels/labeler';
import type { Observation, ReportLabels } from '../lib/core/labels/observations';

const dataDir = process.env.SHARED_DATA ?? path.resolve(__dirname, '../../shared/data');

interface IndianaRecord {
  study_id: string;
  findings: string;
  impression: string;
}

const records = JSON.parse(fs.readFileSync(path.join(dataDir, 'indiana_dev.json'), 'utf8')) as IndianaRecord[];
const csvLines = fs.readFileSync(path.join(dataDir, 'openi_gld_std14.csv'), 'utf8').trim().split(/\r?\n/);
const header = csvLines[0].split(',');
const gold = new Map<string, Record<string, number>>();
for (const line of csvLines.slice(1)) {
  const cells = line.split(',');
  gold.set(cells[0], Object.fromEntries(header.slice(1).map((h, i) => [h, Number(cells[i + 1])])));
}

/** Open-i columns (any of them 1 = present) for each CheXpert observation both schemes cover. */
const SHARED: readonly [Observation, readonly string[]][] = [
  ['No Finding', ['normal']],
  ['Cardiomegaly', ['Cardiomegaly']],
  ['Lung Opacity', ['Infiltration']],
  ['Lung Lesion', ['Mass', 'Nodule']],
  ['Edema', ['Edema']],
  ['Consolidation', ['Consolidation']],
  ['Pneumonia', ['Pneumonia']],
  ['Atelectasis', ['Atelectasis']],
  ['Pneumothorax', ['Pneumothorax']],
  ['Pleural Effusion', ['Effusion']],
];

function reportText(r: IndianaRecord): string {
  return `${r.findings}\n\n${r.impression}`;
}

type Presence = (value: ReportLabels[Observation]) => boolean;

function validate(name: string, present: Presence): void {
  const joined = records.filter((r) => gold.has(`CXR${r.study_id}`));
  const labelled = joined.map((r) => ({ gold: gold.get(`CXR${r.study_id}`)!, labels: labelReport(reportText(r)) }));
  let sTp = 0;
  let sFp = 0;
  let sFn = 0;
  const opacity = { tp: 0, fp: 0, fn: 0 };
  process.stdout.write(`\nOpen-i validation, ${name} (${labelled.length} reports joined of ${records.length})\n`);
  process.stdout.write('observation (Open-i)                           support  precision  recall     f1\n');
  for (const [observation, columns] of SHARED) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const { gold: g, labels } of labelled) {
      const p = present(labels[observation]);
      const t = columns.some((c) => g[c] === 1);
      if (p && t) tp += 1;
      else if (p) fp += 1;
      else if (t) fn += 1;
    }
    sTp += tp;
    sFp += fp;
    sFn += fn;
    if (observation === 'Lung Opacity') Object.assign(opacity, { tp, fp, fn });
    const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
    const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
    const f1 = tp + fp + fn === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
    const label = `${observation} (${columns.join(' or ')})`.padEnd(45);
    process.stdout.write(
      `${label}  ${String(tp + fn).padStart(7)}  ${precision.toFixed(3).padStart(9)}  ${recall.toFixed(3).padStart(6)}  ${f1.toFixed(3)}\n`,
    );
  }
  process.stdout.write(`micro-F1 over the ${SHARED.length} shared observations: ${((2 * sTp) / (2 * sTp + sFp + sFn)).toFixed(3)}\n`);
  const o = opacity;
  process.stdout.write(
    `micro-F1 over the ${SHARED.length - 1} without Lung Opacity~Infiltration: ${((2 * (sTp - o.tp)) / (2 * (sTp - o.tp) + sFp - o.fp + sFn - o.fn)).toFixed(3)}\n`,
  );
  // What the mapping alone allows: the other 9 observations labelled exactly as Open-i, Lung Opacity as labelled.
  const otherGoldPositives = sTp - o.tp + sFn - o.fn;
  const ceilingTp = o.tp + otherGoldPositives;
  process.stdout.write(
    `ceiling of the 10 with this Lung Opacity (the other 9 set equal to Open-i): ${((2 * ceilingTp) / (2 * ceilingTp + o.fp + o.fn)).toFixed(3)}\n`,
  );
}

validate('present = positive or uncertain', isPresent);
validate('present = positive only', (v) => v === 1);

const NORMAL = 'No acute cardiopulmonary process.';
process.stdout.write(`\nDev impressions as reference (${records.length}); prediction = the constant "${NORMAL}"\n`);
process.stdout.write(formatAgreementTable(textAgreement(records.map((r) => ({ prediction: NORMAL, reference: r.impression })))));
process.stdout.write(`\nDev impressions as reference (${records.length}); prediction = the findings copied\n`);
process.stdout.write(formatAgreementTable(textAgreement(records.map((r) => ({ prediction: r.findings, reference: r.impression })))));

const texts = records.map(reportText);
for (const t of texts.slice(0, 200)) labelReport(t); // warm-up
const rounds = 5;
const started = process.hrtime.bigint();
for (let i = 0; i < rounds; i++) for (const t of texts) labelReport(t);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(
  `\nthroughput: ${Math.round((rounds * texts.length) / seconds)} reports/s (findings + impression, ${rounds} x ${texts.length} reports, one thread)\n`,
);
