/**
 * Plain-text tables of a run's results for the terminal: the comparison of mean F (models,
 * baselines and the published figures), the clinical agreement figures beside it, and the
 * distribution of each score. Figures only, no report text.
 */
import { compareModels, type PairedComparison, type RunSummary } from '../evaluation/aggregate';
import { AGREEMENT_METRICS, isAgreementMetric, type PairedAgreementComparison } from '../evaluation/agreement-summary';
import { ROUGE_METRICS } from '../evaluation/rows';
import type { SummaryRow } from '../run/contracts';
import { PUBLISHED_MEANS } from './published';

/** Formats a figure with 4 decimals, `-` when missing. */
export function fmt(value: number | null | undefined, digits = 4): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits);
}

/** Lays out rows as aligned columns (first `leftColumns` left-aligned, the rest right-aligned). */
export function layout(header: readonly string[], rows: readonly (readonly string[])[], leftColumns = 2): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i < leftColumns ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
}

/** Mean F of one dataset × model × metric from summary rows. */
function meanOf(summary: readonly SummaryRow[], dataset: string, model: string, metric: string): number | null | undefined {
  return summary.find((s) => s.dataset === dataset && s.model === model && s.metric === metric)?.mean;
}

/** The comparison table: each dataset's models and baselines, with the published rows beside them. */
export function comparisonTable(all: readonly SummaryRow[]): string {
  const summary = all.filter((s) => !isAgreementMetric(s.metric));
  const datasets = [...new Set([...summary.map((s) => s.dataset)])].sort();
  const rows: string[][] = [];
  for (const dataset of datasets) {
    const models = [...new Set(summary.filter((s) => s.dataset === dataset).map((s) => s.model))].sort(compareModels);
    for (const model of models) {
      const first = summary.find((s) => s.dataset === dataset && s.model === model)!;
      rows.push([dataset, model, String(first.count), String(first.errors), ...ROUGE_METRICS.map((m) => fmt(meanOf(summary, dataset, model, m.metric)))]);
      const published = PUBLISHED_MEANS[dataset]?.[model as 'pretrained' | 'fine-tuned'];
      if (published !== undefined) rows.push([dataset, `${model} (published)`, '', '', ...ROUGE_METRICS.map((m) => fmt(published[m.metric]))]);
    }
  }
  return layout(['dataset', 'model', 'reports', 'errors', ...ROUGE_METRICS.map((m) => m.label)], rows);
}

/** Agreement figure with its interval, e.g. `0.5000 [0.2000, 0.8000]`; `-` without a figure. */
function withInterval(s: SummaryRow | undefined): string {
  return s === undefined || s.mean === null ? '-' : `${fmt(s.mean)} [${fmt(s.ci_low)}, ${fmt(s.ci_high)}]`;
}

/**
 * The clinical agreement table: per dataset, the models then the baselines, with records labelled,
 * errors and each agreement figure with its 95% bootstrap interval. Empty string when the summary
 * has no agreement rows (runs written before labelling).
 */
export function agreementTable(summary: readonly SummaryRow[]): string {
  const rows = summary.filter((s) => isAgreementMetric(s.metric));
  if (rows.length === 0) return '';
  const keys = [...new Map(rows.map((s) => [`${s.dataset}\u0000${s.model}`, s])).values()].sort((a, b) =>
    a.dataset === b.dataset ? compareModels(a.model, b.model) : a.dataset < b.dataset ? -1 : 1,
  );
  return layout(
    ['dataset', 'model', 'labelled', 'errors', ...AGREEMENT_METRICS.map((m) => m.label)],
    keys.map((k) => [
      k.dataset,
      k.model,
      String(k.count),
      String(k.errors),
      ...AGREEMENT_METRICS.map((m) => withInterval(rows.find((s) => s.dataset === k.dataset && s.model === k.model && s.metric === m.metric))),
    ]),
  );
}

/** Paired micro-F1(13) differences fine-tuned − pretrained. */
export function pairedAgreementTable(paired: readonly PairedAgreementComparison[]): string {
  return layout(
    ['dataset', 'metric', 'pairs', 'fine-tuned', 'pretrained', 'difference', '95% CI'],
    paired.map((p) => [
      p.dataset,
      'micro-F1 (13)',
      String(p.pairs),
      fmt(p.fineTuned),
      fmt(p.pretrained),
      fmt(p.difference),
      `[${fmt(p.ciLow)}, ${fmt(p.ciHigh)}]`,
    ]),
  );
}

/** The distribution table: every figure of every ROUGE summary row (agreement rows have no distribution). */
export function distributionTable(summary: readonly SummaryRow[]): string {
  const rows = summary
    .filter((s) => !isAgreementMetric(s.metric))
    .map((s) => [
      s.dataset,
      s.model,
      s.metric,
      String(s.count),
      String(s.errors),
      fmt(s.mean),
      `[${fmt(s.ci_low)}, ${fmt(s.ci_high)}]`,
      fmt(s.std),
      fmt(s.min),
      fmt(s.p25),
      fmt(s.p50),
      fmt(s.p75),
      fmt(s.max),
    ]);
  return layout(['dataset', 'model', 'metric', 'n', 'errors', 'mean', '95% CI', 'std', 'min', 'p25', 'p50', 'p75', 'max'], rows, 3);
}

/** Paired differences fine-tuned − pretrained. */
export function pairedTable(paired: readonly PairedComparison[]): string {
  const label = (m: string) => ROUGE_METRICS.find((x) => x.metric === m)?.label ?? m;
  return layout(
    ['dataset', 'metric', 'pairs', 'fine-tuned', 'pretrained', 'difference', '95% CI'],
    paired.map((p) => [
      p.dataset,
      label(p.metric),
      String(p.pairs),
      fmt(p.fineTunedMean),
      fmt(p.pretrainedMean),
      fmt(p.difference),
      `[${fmt(p.ciLow)}, ${fmt(p.ciHigh)}]`,
    ]),
  );
}

/** The whole text report. */
export function textReport(runId: string, summary: readonly SummaryRow[], runSummary: RunSummary | undefined): string {
  const stemmer = runSummary === undefined ? 'no stemmer (as published)' : runSummary.scoring.stemmer ? 'Porter stemmer' : 'no stemmer (as published)';
  const parts = [
    `Run ${runId}: mean F of ROUGE-1/2/L/Lsum, ${stemmer}; means over scored reports (errors counted, not scored).`,
    '',
    'Comparison (published figures for reference; baselines show what ROUGE rewards without a model):',
    comparisonTable(summary),
  ];
  const agreement = agreementTable(summary);
  if (agreement !== '') {
    parts.push(
      'Clinical agreement of generated with reference labels (rule-based CheXpert-style labeler; present = positive or uncertain;',
      'micro-F1 (13) without No Finding is the headline; 95% bootstrap interval over labelled reports, seeded):',
      agreement,
    );
  }
  parts.push('Distribution (95% bootstrap interval of the mean, 1,000 resamples, seeded; sample std; linear percentiles):', distributionTable(summary));
  if (runSummary !== undefined && runSummary.pairedDifferences.length > 0) {
    parts.push('Paired difference fine-tuned − pretrained (same reports, paired bootstrap):', pairedTable(runSummary.pairedDifferences));
  }
  if (runSummary !== undefined && (runSummary.pairedAgreement ?? []).length > 0) {
    parts.push(
      'Paired agreement difference fine-tuned − pretrained (same labelled reports, paired bootstrap):',
      pairedAgreementTable(runSummary.pairedAgreement ?? []),
    );
  }
  if (runSummary !== undefined) {
    const c = runSummary.cost;
    const lines = c.lines.map(
      (l) =>
        `  ${l.item}: ${l.instanceType} × ${l.instanceCount}, ${(l.seconds / 3600).toFixed(2)} h, ${l.usd === null ? 'no price configured' : `$${l.usd.toFixed(2)}`}`,
    );
    parts.push(`Estimated cost: $${c.totalUsd.toFixed(2)} (${c.note})`, ...(lines.length > 0 ? lines : ['  no usage measured']), '');
  }
  return parts.join('\n');
}
