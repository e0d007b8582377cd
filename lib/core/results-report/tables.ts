/**
 * The terminal report: the {@link ReportView} as plain-text tables, verdict first. It prints what
 * the HTML page shows (./html.ts) from the same view, except the report texts (patient data never
 * goes to a terminal) and the charts, whose figures it prints instead.
 */
import { ROUGE_METRICS } from '../evaluation/rows';
import { fmt, interval, percent, signed } from './format';
import { metricName, MODEL_DESCRIPTIONS, modelName } from './names';
import type { DatasetView, Estimate, ReportView } from './view';
import { VERDICT_METRICS } from './view';
import { AGREEMENT_METRICS } from '../evaluation/agreement-summary';

export { fmt } from './format';

/** Lays out rows as aligned columns (first `leftColumns` left-aligned, the rest right-aligned). */
export function layout(header: readonly string[], rows: readonly (readonly string[])[], leftColumns = 2): string {
  const width = (s: string) => [...s].length;
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]))));
  const pad = (c: string, w: number, left: boolean) => (left ? c + ' '.repeat(w - width(c)) : ' '.repeat(w - width(c)) + c);
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => pad(c, widths[i], i < leftColumns))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
}

/** `0.4120 [0.1250, 0.6620]`, `-` without a figure. */
export function withInterval(e: Estimate | undefined): string {
  return e === undefined || e.value === null ? '-' : `${fmt(e.value)} ${interval(e.low, e.high)}`;
}

function verdictTables(d: DatasetView, maxErrorShare: number): string[] {
  const out: string[] = [];
  if (d.fineTunedVsPretrained.length > 0) {
    out.push(
      'Fine-tuned − pretrained on the same reports (95 % paired bootstrap interval):',
      layout(
        ['figure', 'pairs', 'fine-tuned', 'pretrained', 'difference', '95 % interval', 'in words'],
        d.fineTunedVsPretrained.map((p) => [
          metricName(p.metric).short,
          String(p.pairs),
          fmt(p.a),
          fmt(p.b),
          signed(p.difference.value),
          interval(p.difference.low, p.difference.high),
          p.words,
        ]),
        1,
      ),
    );
  }
  if (d.baselineChecks.length > 0) {
    out.push(
      'Each model against the best baseline (the baseline with the highest mean on that figure; paired on the same reports):',
      layout(
        ['model', 'figure', 'mean', 'best baseline', 'its mean', 'difference', '95 % interval', 'result'],
        d.baselineChecks.map((c) => [
          modelName(c.model),
          metricName(c.metric).short,
          fmt(c.mean.value),
          c.baseline === undefined ? '-' : modelName(c.baseline),
          fmt(c.baselineMean.value),
          signed(c.paired.difference.value),
          interval(c.paired.difference.low, c.paired.difference.high),
          c.beats ? 'beats it' : 'WARNING: does not beat it',
        ]),
        2,
      ),
    );
  }
  if (d.published.length > 0) {
    out.push('Ours against the published figures (mean F, no stemmer):', ...d.published.map((p) => `  ${modelName(p.model)}: ${p.words}`), '');
  }
  out.push(
    `Errors (rows that could not be generated or scored; above ${percent(maxErrorShare)} the verdict is not trustworthy):`,
    layout(
      ['model', 'rows', 'errors', 'share', 'trusted'],
      d.errors.map((e) => [modelName(e.model), String(e.rows), String(e.errors), percent(e.share), e.trusted ? 'yes' : 'NO']),
      1,
    ),
  );
  return out;
}

function meansTable(d: DatasetView): string {
  const rows: string[][] = [];
  for (const m of d.models) {
    rows.push([modelName(m.model), String(m.rows), String(m.errors), ...VERDICT_METRICS.map((metric) => withInterval(m.estimates[metric]))]);
    if (m.published !== undefined) rows.push([`${modelName(m.model)} (published)`, '', '', ...ROUGE_METRICS.map((r) => fmt(m.published![r.metric])), '']);
  }
  return layout(['model', 'reports', 'errors', ...VERDICT_METRICS.map((m) => metricName(m).short)], rows, 1);
}

function agreementTable(d: DatasetView): string {
  const models = d.models.filter((m) => m.labelled !== null);
  if (models.length === 0) return '';
  return layout(
    ['model', 'labelled', ...AGREEMENT_METRICS.map((m) => m.label)],
    models.map((m) => [modelName(m.model), String(m.labelled), ...AGREEMENT_METRICS.map((a) => withInterval(m.estimates[a.metric]))]),
    1,
  );
}

function observationTable(d: DatasetView): string {
  const models = Object.keys(d.observations[0]?.models ?? {});
  if (models.length === 0 || d.observations.every((o) => models.every((m) => o.models[m].support + o.models[m].adds === 0))) return '';
  const header = ['observation', ...models.flatMap((m) => [`${modelName(m)}: support`, 'asserts', 'misses', 'adds', 'sensitivity', 'precision', 'F1'])];
  const rows = d.observations.map((o) => [
    o.observation,
    ...models.flatMap((m) => {
      const c = o.models[m];
      return [String(c.support), String(c.asserts), String(c.misses), String(c.adds), fmt(c.sensitivity, 3), fmt(c.precision, 3), fmt(c.f1, 3)];
    }),
  ]);
  return layout(header, rows, 1);
}

function distributionTable(d: DatasetView): string {
  const rows: string[][] = [];
  for (const m of d.models) {
    for (const r of ROUGE_METRICS) {
      const b = m.boxes[r.metric];
      rows.push([
        modelName(m.model),
        r.label,
        String(b.n),
        withInterval(m.estimates[r.metric]),
        fmt(b.q1),
        fmt(b.median),
        fmt(b.q3),
        `${fmt(b.whiskerLow)}–${fmt(b.whiskerHigh)}`,
        String(b.outlierCount),
      ]);
    }
  }
  return layout(['model', 'ROUGE', 'n', 'mean [95 % interval]', 'Q1', 'median', 'Q3', 'whiskers (1.5 IQR)', 'outliers'], rows, 2);
}

/** The whole terminal report. */
export function textReport(view: ReportView): string {
  const parts: string[] = [`Run ${view.runId}`, view.settings.text, view.run.costText, view.run.durationText, ''];
  for (const d of view.datasets) {
    parts.push(`=== ${d.title}${d.trustworthy ? '' : ' — NOT TRUSTWORTHY'} ===`, d.headline, '');
    if (d.warnings.length > 0) parts.push('Warnings:', ...d.warnings.map((w) => `  ! ${w}`), '');
    parts.push(...verdictTables(d, view.maxErrorShare));
    parts.push('Means with 95 % bootstrap intervals (published figures: mean F, no stemmer, for reference):', meansTable(d));
    const agreement = agreementTable(d);
    if (agreement !== '') parts.push('Clinical agreement of generated with reference labels:', agreement);
    const observations = observationTable(d);
    if (observations !== '')
      parts.push(
        'Per observation, worst first by the fine-tuned F1 (asserts: both present; misses: only the reference; adds: only the generated):',
        observations,
      );
    parts.push('Distribution of the per-report F (Tukey: quartiles, whiskers at 1.5 IQR, reports beyond them counted as outliers):', distributionTable(d));
  }
  parts.push('Models:', ...Object.entries(MODEL_DESCRIPTIONS).map(([m, text]) => `  ${modelName(m)}: ${text}`), '');
  return parts.join('\n');
}
