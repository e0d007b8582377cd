/**
 * Validation and speed of the rule-based labeler (`npm run bench -- labels`). Prints figures,
 * asserts nothing.
 *
 * 1. Findings + impression of the 2,000 Indiana dev reports against the Open-i report labels
 *    (openi_gld_std14.csv, MeSH-derived, presence only) on the observations both schemes share.
 * 2. On the 2,000 dev impressions (reference = impression): the agreement of the constant
 *    "No acute cardiopulmonary process." and of the findings copied as the prediction.
 * 3. Throughput.
 * 4. Time against text length: one report text of 0.1 to 5 MB (the Indiana reports joined), labelled
 *    in one call, and the same with the rules read by plain clause scans (the first version's cost,
 *    test/helpers/naive-classify.ts) up to 0.4 MB: linear against quadratic.
 * Data: the repository's data/ folder (indiana_dev.json, openi_gld_std14.csv).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatAgreementTable } from '../lib/core/labels/agreement-table';
import { f1, isPresent, textAgreement } from '../lib/core/labels/agreement';
import { labelReport } from '../lib/core/labels/labeler';
import type { LabelValue } from '../lib/core/labels/observations';
import { parseOpenILabels, validateAgainstOpenI } from '../lib/core/labels/open-i';
import { DATA_DIR } from '../test/helpers/data';
import { findCues } from '../lib/core/labels/cue-matcher';
import { findMentions } from '../lib/core/labels/phrase-matcher';
import { tokenize } from '../lib/core/labels/text';
import { naiveClassifyContext, naiveExplainMention } from '../test/helpers/naive-classify';

const dataDir = DATA_DIR;

interface IndianaRecord {
  study_id: string;
  findings: string;
  impression: string;
}

const records = JSON.parse(fs.readFileSync(path.join(dataDir, 'indiana_dev.json'), 'utf8')) as IndianaRecord[];
const goldFile = path.join(dataDir, 'openi_gld_std14.csv');
const gold = parseOpenILabels(fs.readFileSync(goldFile, 'utf8'), goldFile);

function reportText(r: IndianaRecord): string {
  return `${r.findings}\n\n${r.impression}`;
}

function validate(name: string, present: (value: LabelValue) => boolean): void {
  const joined = records.filter((r) => gold.has(`CXR${r.study_id}`));
  const result = validateAgainstOpenI(
    joined.map((r) => ({ gold: gold.get(`CXR${r.study_id}`)!, labels: labelReport(reportText(r)) })),
    present,
  );
  process.stdout.write(`\nOpen-i validation, ${name} (${result.reports} reports joined of ${records.length})\n`);
  process.stdout.write('observation (Open-i)                           support  precision  recall     f1\n');
  for (const o of result.observations) {
    const { truePositives: tp, falsePositives: fp, falseNegatives: fn } = o;
    const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
    const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
    const label = `${o.observation} (${o.columns.join(' or ')})`.padEnd(45);
    process.stdout.write(
      `${label}  ${String(tp + fn).padStart(7)}  ${precision.toFixed(3).padStart(9)}  ${recall.toFixed(3).padStart(6)}  ${f1(tp, fp, fn).toFixed(3)}\n`,
    );
  }
  const n = result.observations.length;
  process.stdout.write(`micro-F1 over the ${n} shared observations: ${result.microF1.toFixed(3)}\n`);
  process.stdout.write(`micro-F1 over the ${n - 1} without Lung Opacity~Infiltration: ${result.microF1WithoutApproximate.toFixed(3)}\n`);
  process.stdout.write(`ceiling of the ${n} with this Lung Opacity (the other ${n - 1} set equal to Open-i): ${result.ceilingMicroF1.toFixed(3)}\n`);
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

/** Seconds (CPU, this thread and the GC) to run `f` once. */
function cpuSeconds(f: () => void): number {
  const used = process.cpuUsage();
  f();
  const { user, system } = process.cpuUsage(used);
  return (user + system) / 1e6;
}

let corpus = texts.join('\n\n');
while (corpus.length < 5_000_000) corpus += `\n\n${corpus}`;
process.stdout.write('\none text of growing length (CPU seconds, one call):\n');
for (const mb of [0.1, 0.2, 0.4, 1, 5]) {
  const text = corpus.slice(0, mb * 1_000_000);
  const indexed = cpuSeconds(() => labelReport(text));
  let naive = '';
  if (mb <= 0.4) {
    const seconds = cpuSeconds(() => {
      const doc = tokenize(text);
      const cues = findCues(doc.tokens);
      const ctx = naiveClassifyContext(doc.tokens, cues);
      for (const mention of findMentions(doc)) naiveExplainMention(ctx, mention);
    });
    naive = `, plain clause scans ${seconds.toFixed(2)} s`;
  }
  process.stdout.write(`  ${String(mb).padStart(3)} MB: labeler ${indexed.toFixed(2)} s${naive}\n`);
}
