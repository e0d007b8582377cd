/**
 * What a run's report shows, computed once: the verdict per data set (fine-tuned − pretrained with
 * paired bootstrap intervals, each model against the best baseline, published figures, error
 * counts and whether the figures can be trusted), the means with their intervals, Tukey box
 * figures, the per-observation clinical table, one row per study for reading, and the run's cost,
 * instance time and scoring settings. The terminal report (./tables.ts) and the HTML page
 * (./html.ts) only lay this out, so both say the same things from the same numbers; the
 * dashboard takes its names, threshold and rules from the same modules (./names.ts, ./trust.ts).
 *
 * Rules, stated where a reader sees them:
 * - "better" / "worse": the 95 % paired bootstrap interval of the difference lies wholly above /
 *   below 0; otherwise "no clear difference".
 * - A model "beats the best baseline" on a figure when the paired interval of model − baseline lies
 *   wholly above 0; the best baseline is the one with the highest mean on that figure.
 * - A data set's verdict is not trustworthy when any model's error share exceeds the threshold.
 */
import {
  AGGREGATE_SEED,
  compareModels,
  metricValue,
  pairedAgreementComparisons,
  pairedComparisons,
  pairScoredByStudyId,
  SCORING_STEMMER,
  type RunSummary,
} from '../evaluation/aggregate';
import { AGREEMENT_METRICS, storedLabelPair } from '../evaluation/agreement-summary';
import { BASELINE_MODELS, isBaseline } from '../evaluation/baselines';
import type { CostLine } from '../evaluation/cost';
import { ROUGE_METRICS, type RougeMetric } from '../evaluation/rows';
import { dataSourceOf } from '../evaluation/shards';
import { f1, isPresent, pairedAgreementDifference, type LabelPair } from '../labels/agreement';
import { OBSERVATIONS, type Observation } from '../labels/observations';
import { DEFAULT_CONFIDENCE, DEFAULT_RESAMPLES, pairedDifference } from '../rouge';
import type { PredictionRow, SummaryRow } from '../run/contracts';
import { count, fmt, hours, interval, percent, signed } from './format';
import { datasetName, metricName, modelName } from './names';
import { PUBLISHED_MEANS } from './published';
import { tukeyBox, type TukeyBox } from './tukey';
import { errorShare, isTrusted, MAX_TRUSTED_ERROR_RATE } from './trust';

/** The figures of the verdict: the four ROUGE types, then the headline clinical agreement. */
export const VERDICT_METRICS: readonly string[] = [...ROUGE_METRICS.map((m) => m.metric), AGREEMENT_METRICS[0].metric];

/** The models compared in the verdict, in report order. */
export const VERDICT_MODELS = ['pretrained', 'fine-tuned'] as const;

/** A figure with its 95 % interval. */
export interface Estimate {
  readonly value: number | null;
  readonly low: number | null;
  readonly high: number | null;
}

/** How a paired difference reads. */
export type Outcome = 'better' | 'worse' | 'no clear difference' | 'not available';

/** A − B on the same reports, with its paired bootstrap interval, in numbers and words. */
export interface PairedLine {
  readonly metric: string;
  readonly label: string;
  readonly pairs: number;
  readonly a: number | null;
  readonly b: number | null;
  readonly difference: Estimate;
  readonly outcome: Outcome;
  /** e.g. `better by 0.3765 [0.0494, 0.6620]`. */
  readonly words: string;
}

/** One model against the best baseline on one figure. */
export interface BaselineCheck {
  readonly model: string;
  readonly metric: string;
  readonly label: string;
  readonly mean: Estimate;
  /** The baseline with the highest mean on this figure, or undefined when the run has none. */
  readonly baseline?: string;
  readonly baselineMean: Estimate;
  /** model − baseline on the same reports. */
  readonly paired: PairedLine;
  /** The paired interval of model − baseline lies wholly above 0. */
  readonly beats: boolean;
}

/** One model's means beside the published figures (mean F, no stemmer) of the same model and data set. */
export interface PublishedLine {
  readonly model: string;
  readonly cells: readonly { readonly metric: RougeMetric; readonly ours: Estimate; readonly published: number }[];
  /** e.g. `ROUGE-1 0.8504 (published 0.6040)`, per ROUGE type, joined with `; `. */
  readonly words: string;
}

/** Rows and errors of one model on one data set. */
export interface ErrorLine {
  readonly model: string;
  readonly rows: number;
  readonly errors: number;
  readonly share: number | null;
  readonly trusted: boolean;
}

/** A model's figures on one data set: means with intervals and the box of each ROUGE type. */
export interface ModelFigures {
  readonly model: string;
  readonly name: string;
  readonly rows: number;
  readonly errors: number;
  /** Records labelled on both sides (the agreement figures' count). */
  readonly labelled: number | null;
  /** Every metric of the summary rows present for this model: id → mean with interval. */
  readonly estimates: Readonly<Record<string, Estimate>>;
  /** ROUGE metric → Tukey box of the per-report F values. */
  readonly boxes: Readonly<Record<string, TukeyBox>>;
  /** The published mean F per ROUGE metric, when the paper reports this model on this data set. */
  readonly published?: Readonly<Record<RougeMetric, number>>;
}

/** One observation for one model: how the generated impressions treat it against the references. */
export interface ObservationCounts {
  /** Reference present and generated present. */
  readonly asserts: number;
  /** Reference present, generated absent. */
  readonly misses: number;
  /** Reference absent, generated present. */
  readonly adds: number;
  /** Reports whose reference has it present. */
  readonly support: number;
  /** asserts ÷ support; null when the references never have it. */
  readonly sensitivity: number | null;
  /** asserts ÷ (asserts + adds); null when no generated impression has it. */
  readonly precision: number | null;
  /** null when neither side ever has it. */
  readonly f1: number | null;
}

/** One row of the per-observation table. */
export interface ObservationLine {
  readonly observation: Observation;
  /** model → counts (models of {@link VERDICT_MODELS} present in the run). */
  readonly models: Readonly<Record<string, ObservationCounts>>;
}

/** One model's answer for one study. */
export interface StudyAnswer {
  readonly generated: string | null;
  readonly error: string | null;
  /** ROUGE metric → F (null on error). */
  readonly scores: Readonly<Record<RougeMetric, number | null>>;
  /** Observations present in the reference and absent from the generated impression. */
  readonly misses: readonly Observation[];
  /** Observations present in the generated impression and absent from the reference. */
  readonly adds: readonly Observation[];
  /** Observations present in the generated impression (positive or uncertain). */
  readonly present: readonly Observation[];
}

/** One study with the reference and each model's answer, for reading side by side. */
export interface StudyRow {
  readonly dataset: string;
  readonly studyId: string;
  readonly findings: string;
  readonly reference: string;
  /** Observations present in the reference. */
  readonly referencePresent: readonly Observation[];
  /** model → answer (models of {@link VERDICT_MODELS} that have a row for the study). */
  readonly answers: Readonly<Record<string, StudyAnswer>>;
}

/** Everything shown for one data set. */
export interface DatasetView {
  readonly dataset: string;
  /** `dev1 · MIMIC-CXR`. */
  readonly name: string;
  /** `dev1 · MIMIC-CXR, 2,000 reports`. */
  readonly title: string;
  readonly reports: number;
  readonly trustworthy: boolean;
  /** One sentence that answers "did fine-tuning help here?". */
  readonly headline: string;
  /** What must not be missed, most serious first (errors over the threshold, losses, baselines not beaten). */
  readonly warnings: readonly string[];
  /** Fine-tuned − pretrained per verdict metric (empty without both models). */
  readonly fineTunedVsPretrained: readonly PairedLine[];
  readonly baselineChecks: readonly BaselineCheck[];
  /** The models the paper reports on this data set, ours beside theirs. */
  readonly published: readonly PublishedLine[];
  readonly errors: readonly ErrorLine[];
  /** Every model of the data set in report order, baselines included. */
  readonly models: readonly ModelFigures[];
  /** Worst first by the fine-tuned F1 (observations neither side ever has come last). */
  readonly observations: readonly ObservationLine[];
  /** One row per study (pretrained and fine-tuned side by side), in the rows' order. */
  readonly studies: readonly StudyRow[];
}

/** The run's cost estimate and instance time. */
export interface RunFacts {
  readonly cost?: {
    readonly totalUsd: number;
    readonly lines: readonly CostLine[];
    readonly unpriced: readonly string[];
    readonly note: string;
  };
  /** `$302.21 estimated (SageMaker instance time only, ...)` or why there is none. */
  readonly costText: string;
  /** Instance time per item, and the span in which the reports were written. */
  readonly durationText: string;
  /** Earliest and latest `created_at` of the rows. */
  readonly firstRowAt?: string;
  readonly lastRowAt?: string;
}

/** How the numbers were made: printed once, where the reader sees the verdict. */
export interface ScoringSettings {
  readonly stemmer: boolean;
  readonly tokenizer: string;
  readonly resamples: number;
  readonly confidence: number;
  readonly seed: number;
  readonly labeler: string;
  /** True when the settings come from the run summary, false when they are the code's defaults. */
  readonly recorded: boolean;
  /** The one sentence that states them. */
  readonly text: string;
}

/** The whole report. */
export interface ReportView {
  readonly runId: string;
  readonly settings: ScoringSettings;
  readonly maxErrorShare: number;
  readonly datasets: readonly DatasetView[];
  readonly run: RunFacts;
}

/** Inputs of {@link buildReportView}. */
export interface ReportViewInput {
  readonly runId: string;
  readonly summary: readonly SummaryRow[];
  readonly rows: readonly PredictionRow[];
  /** The aggregate step's run summary; without it the paired differences are computed from the rows the same way. */
  readonly runSummary?: RunSummary;
  /** @default MAX_TRUSTED_ERROR_RATE */
  readonly maxErrorShare?: number;
}

const ROUGE_IDS: readonly string[] = ROUGE_METRICS.map((m) => m.metric);
const HEADLINE_AGREEMENT = AGREEMENT_METRICS[0].metric;

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

function outcomeOf(low: number | null, high: number | null): Outcome {
  if (low === null || high === null) return 'not available';
  if (low > 0) return 'better';
  if (high < 0) return 'worse';
  return 'no clear difference';
}

function wordsOf(outcome: Outcome, difference: number | null, low: number | null, high: number | null): string {
  const range = interval(low, high);
  switch (outcome) {
    case 'better':
      return `better by ${fmt(difference)} ${range}`;
    case 'worse':
      return `worse by ${fmt(difference === null ? null : -difference)} ${range}`;
    case 'no clear difference':
      return `no clear difference: ${signed(difference)} ${range}`;
    default:
      return 'not available (no reports scored by both)';
  }
}

function pairedLine(
  metric: string,
  pairs: number,
  a: number | null,
  b: number | null,
  difference: number | null,
  low: number | null,
  high: number | null,
): PairedLine {
  const outcome = pairs === 0 ? 'not available' : outcomeOf(low, high);
  return {
    metric,
    label: metricName(metric).long,
    pairs,
    a,
    b,
    difference: { value: difference, low, high },
    outcome,
    words: wordsOf(outcome, difference, low, high),
  };
}

/** model − other on the same reports for one verdict metric (paired bootstrap with the run's settings). */
function comparePaired(metric: string, a: readonly PredictionRow[], b: readonly PredictionRow[], settings: ScoringSettings): PairedLine {
  const pairs = pairScoredByStudyId(a, b);
  const options = { seed: settings.seed, resamples: settings.resamples, confidence: settings.confidence };
  if (metric === HEADLINE_AGREEMENT) {
    const left: LabelPair[] = [];
    const right: LabelPair[] = [];
    for (const [x, y] of pairs) {
      const p = storedLabelPair(x);
      const q = storedLabelPair(y);
      if (p === undefined || q === undefined) continue;
      left.push(p);
      right.push(q);
    }
    const d = pairedAgreementDifference(left, right, options);
    return pairedLine(metric, d.records, finite(d.microF1Of13A), finite(d.microF1Of13B), finite(d.difference), finite(d.ciLow), finite(d.ciHigh));
  }
  const m = metric as RougeMetric;
  const d = pairedDifference(
    pairs.map(([x]) => metricValue(x, m) ?? NaN),
    pairs.map(([, y]) => metricValue(y, m) ?? NaN),
    options,
  );
  return pairedLine(metric, d.count, finite(d.meanA), finite(d.meanB), finite(d.difference), finite(d.ciLow), finite(d.ciHigh));
}

/**
 * The scoring settings of a run (from its run summary), or this code's settings when it was not
 * read; `unrecorded` ends the sentence in that case.
 */
export function scoringSettings(runSummary: RunSummary | undefined, unrecorded = ' (settings of this code: the run summary was not read).'): ScoringSettings {
  const stemmer = runSummary?.scoring.stemmer ?? SCORING_STEMMER;
  const resamples = runSummary?.aggregation.resamples ?? DEFAULT_RESAMPLES;
  const confidence = runSummary?.aggregation.confidence ?? DEFAULT_CONFIDENCE;
  const seed = runSummary?.aggregation.seed ?? AGGREGATE_SEED;
  const tokenizer = "rouge-score 0.1.2's default (lower-cased, runs of a-z and 0-9)";
  const labeler = 'rule-based CheXpert-style labeler, 14 observations, present = positive or uncertain';
  const pct = Math.round(confidence * 100);
  return {
    stemmer,
    tokenizer,
    resamples,
    confidence,
    seed,
    labeler,
    recorded: runSummary !== undefined,
    text:
      `Scoring: ROUGE F of each generated against its reference impression, ${stemmer ? 'with the Porter stemmer' : 'no stemmer (as published)'}, tokenizer ${tokenizer}; ` +
      `means over scored reports (errors counted, not scored); ${pct} % bootstrap intervals, ${count(resamples)} resamples, seed ${seed}, paired by study id for differences; ` +
      `clinical agreement: ${labeler}` +
      (runSummary === undefined ? unrecorded : '.'),
  };
}

function estimateOf(summary: readonly SummaryRow[], dataset: string, model: string, metric: string): Estimate {
  const s = summary.find((r) => r.dataset === dataset && r.model === model && r.metric === metric);
  return { value: s?.mean ?? null, low: s?.ci_low ?? null, high: s?.ci_high ?? null };
}

function observationCounts(rows: readonly PredictionRow[]): Record<Observation, ObservationCounts> {
  const tp = new Map<Observation, number>();
  const fp = new Map<Observation, number>();
  const fn = new Map<Observation, number>();
  for (const row of rows) {
    const pair = storedLabelPair(row);
    if (pair === undefined) continue;
    for (const o of OBSERVATIONS) {
      const p = isPresent(pair.prediction[o]);
      const g = isPresent(pair.reference[o]);
      if (p && g) tp.set(o, (tp.get(o) ?? 0) + 1);
      else if (p) fp.set(o, (fp.get(o) ?? 0) + 1);
      else if (g) fn.set(o, (fn.get(o) ?? 0) + 1);
    }
  }
  return Object.fromEntries(
    OBSERVATIONS.map((o) => {
      const asserts = tp.get(o) ?? 0;
      const adds = fp.get(o) ?? 0;
      const misses = fn.get(o) ?? 0;
      const support = asserts + misses;
      return [
        o,
        {
          asserts,
          misses,
          adds,
          support,
          sensitivity: support === 0 ? null : asserts / support,
          precision: asserts + adds === 0 ? null : asserts / (asserts + adds),
          f1: support + adds === 0 ? null : f1(asserts, adds, misses),
        },
      ];
    }),
  ) as Record<Observation, ObservationCounts>;
}

function presentOf(labels: LabelPair['prediction'] | undefined): Observation[] {
  return labels === undefined ? [] : OBSERVATIONS.filter((o) => isPresent(labels[o]));
}

function studyRows(dataset: string, byModel: ReadonlyMap<string, readonly PredictionRow[]>): StudyRow[] {
  const studies = new Map<string, { findings: string; reference: string; referencePresent: Observation[]; answers: Record<string, StudyAnswer> }>();
  for (const model of VERDICT_MODELS) {
    for (const row of byModel.get(model) ?? []) {
      const pair = storedLabelPair(row);
      let study = studies.get(row.study_id);
      if (study === undefined) {
        study = { findings: row.findings, reference: row.reference, referencePresent: presentOf(pair?.reference), answers: {} };
        studies.set(row.study_id, study);
      } else if (study.referencePresent.length === 0 && pair !== undefined) {
        study.referencePresent = presentOf(pair.reference);
      }
      // A repeated study id keeps its first answer per model (the evaluation rejects repeated ids).
      if (study.answers[model] !== undefined) continue;
      const present = presentOf(pair?.prediction);
      const reference = presentOf(pair?.reference);
      study.answers[model] = {
        generated: row.generated,
        error: row.error,
        scores: Object.fromEntries(ROUGE_METRICS.map((m) => [m.metric, metricValue(row, m.metric)])) as Record<RougeMetric, number | null>,
        misses: pair === undefined ? [] : reference.filter((o) => !present.includes(o)),
        adds: pair === undefined ? [] : present.filter((o) => !reference.includes(o)),
        present,
      };
    }
  }
  return [...studies.entries()].map(([studyId, s]) => ({ dataset, studyId, ...s }));
}

function datasetView(
  dataset: string,
  rows: readonly PredictionRow[],
  summary: readonly SummaryRow[],
  runSummary: RunSummary | undefined,
  settings: ScoringSettings,
  maxErrorShare: number,
): DatasetView {
  const byModel = new Map<string, PredictionRow[]>();
  for (const row of rows) {
    const list = byModel.get(row.model) ?? [];
    list.push(row);
    byModel.set(row.model, list);
  }
  for (const s of summary) if (!byModel.has(s.model)) byModel.set(s.model, []);
  const models = [...byModel.keys()].sort(compareModels);
  const reports = Math.max(0, ...[...byModel.values()].map((r) => new Set(r.map((x) => x.study_id)).size));
  const name = datasetName(dataset, rows[0]?.data_source ?? dataSourceOf(dataset));

  const errors: ErrorLine[] = models.map((model) => {
    const list = byModel.get(model)!;
    const summaryRow = summary.find((s) => s.dataset === dataset && s.model === model && ROUGE_IDS.includes(s.metric));
    // The rows are the truth; the summary's counts stand in only for a model whose rows were not read.
    const total = list.length > 0 ? list.length : (summaryRow?.count ?? 0);
    const failed = list.length > 0 ? list.filter((r) => r.error !== null).length : (summaryRow?.errors ?? 0);
    return { model, rows: total, errors: failed, share: errorShare(failed, total), trusted: isTrusted(failed, total, maxErrorShare) };
  });
  const trustworthy = errors.length > 0 && errors.every((e) => e.trusted);

  const figures: ModelFigures[] = models.map((model) => {
    const estimates: Record<string, Estimate> = {};
    for (const s of summary) if (s.dataset === dataset && s.model === model) estimates[s.metric] = { value: s.mean, low: s.ci_low, high: s.ci_high };
    const scored = byModel.get(model)!.filter((r) => r.error === null);
    const boxes = Object.fromEntries(ROUGE_METRICS.map((m) => [m.metric, tukeyBox(scored.map((r) => metricValue(r, m.metric) ?? NaN))]));
    const agreementRow = summary.find((s) => s.dataset === dataset && s.model === model && s.metric === HEADLINE_AGREEMENT);
    const line = errors.find((e) => e.model === model)!;
    const published = PUBLISHED_MEANS[dataset]?.[model as 'pretrained' | 'fine-tuned'];
    return {
      model,
      name: modelName(model),
      rows: line.rows,
      errors: line.errors,
      labelled: agreementRow?.count ?? null,
      estimates,
      boxes,
      ...(published === undefined ? {} : { published }),
    };
  });

  const present = VERDICT_MODELS.filter((m) => (byModel.get(m) ?? []).length > 0);
  const fineTunedVsPretrained: PairedLine[] = [];
  if (present.length === 2) {
    const stored = runSummary?.pairedDifferences.filter((p) => p.dataset === dataset) ?? [];
    const storedAgreement = runSummary?.pairedAgreement?.find((p) => p.dataset === dataset);
    const computed = runSummary === undefined ? pairedComparisons(rows, settings.seed) : [];
    const computedAgreement = runSummary === undefined ? pairedAgreementComparisons(rows, settings.seed)[0] : undefined;
    for (const { metric } of ROUGE_METRICS) {
      const p = (runSummary === undefined ? computed : stored).find((x) => x.metric === metric);
      fineTunedVsPretrained.push(
        p === undefined
          ? pairedLine(metric, 0, null, null, null, null, null)
          : pairedLine(metric, p.pairs, p.fineTunedMean, p.pretrainedMean, p.difference, p.ciLow, p.ciHigh),
      );
    }
    const a = runSummary === undefined ? computedAgreement : storedAgreement;
    if (a !== undefined) fineTunedVsPretrained.push(pairedLine(HEADLINE_AGREEMENT, a.pairs, a.fineTuned, a.pretrained, a.difference, a.ciLow, a.ciHigh));
  }

  const baselines = models.filter(isBaseline);
  const baselineChecks: BaselineCheck[] = [];
  for (const model of present) {
    for (const metric of VERDICT_METRICS) {
      const mean = estimateOf(summary, dataset, model, metric);
      if (mean.value === null) continue;
      let best: string | undefined;
      for (const b of BASELINE_MODELS) {
        if (!baselines.includes(b)) continue;
        const v = estimateOf(summary, dataset, b, metric).value;
        if (v !== null && (best === undefined || v > estimateOf(summary, dataset, best, metric).value!)) best = b;
      }
      if (best === undefined) continue;
      const paired = comparePaired(metric, byModel.get(model)!, byModel.get(best)!, settings);
      const beats = paired.outcome === 'better';
      const baselineMean = estimateOf(summary, dataset, best, metric);
      baselineChecks.push({ model, metric, label: metricName(metric).long, mean, baseline: best, baselineMean, paired, beats });
    }
  }

  const warnings: string[] = [];
  const untrusted = errors.filter((x) => !x.trusted);
  if (untrusted.length > 0) {
    const list = untrusted.map((x) => `${modelName(x.model)} ${count(x.errors)} of ${count(x.rows)} (${percent(x.share)})`).join('; ');
    warnings.push(`Not trustworthy: error rows above the ${percent(maxErrorShare)} threshold: ${list}. The means leave those reports out.`);
  }
  const worse = fineTunedVsPretrained.filter((p) => p.outcome === 'worse');
  if (worse.length > 0) warnings.push(`Fine-tuned is worse than pretrained on ${worse.map((p) => `${p.label}: ${p.words}`).join('; ')}.`);
  for (const model of present) {
    const checks = baselineChecks.filter((c) => c.model === model);
    const lost = checks.filter((c) => !c.beats);
    if (lost.length === 0) continue;
    const which = lost.map((c) => metricName(c.metric).short).join(', ');
    warnings.push(
      `${modelName(model)} does not beat the best baseline on ${lost.length === checks.length ? `any of the ${checks.length} figures` : `${lost.length} of ${checks.length} figures`} (${which}).`,
    );
  }

  const observationsByModel = Object.fromEntries(present.map((m) => [m, observationCounts(byModel.get(m)!)]));
  const sortModel = present.includes('fine-tuned') ? 'fine-tuned' : present[0];
  const observations: ObservationLine[] = OBSERVATIONS.map((o) => ({
    observation: o,
    models: Object.fromEntries(present.map((m) => [m, observationsByModel[m][o]])),
  })).sort((x, y) => {
    if (sortModel === undefined) return 0;
    const fx = x.models[sortModel].f1;
    const fy = y.models[sortModel].f1;
    if (fx === null || fy === null) return fx === fy ? 0 : fx === null ? 1 : -1;
    return fx !== fy ? fx - fy : y.models[sortModel].support - x.models[sortModel].support;
  });

  const published: PublishedLine[] = figures.flatMap((m) => {
    if (m.published === undefined) return [];
    const cells = ROUGE_METRICS.map((r) => ({
      metric: r.metric,
      ours: m.estimates[r.metric] ?? { value: null, low: null, high: null },
      published: m.published![r.metric],
    }));
    return [
      { model: m.model, cells, words: cells.map((c) => `${metricName(c.metric).short} ${fmt(c.ours.value)} (published ${fmt(c.published)})`).join('; ') },
    ];
  });

  return {
    dataset,
    name,
    title: `${name}, ${count(reports)} reports`,
    reports,
    trustworthy,
    headline: headlineOf(fineTunedVsPretrained, baselineChecks, trustworthy, maxErrorShare),
    warnings,
    fineTunedVsPretrained,
    baselineChecks,
    published,
    errors,
    models: figures,
    observations,
    studies: studyRows(dataset, byModel),
  };
}

function headlineOf(paired: readonly PairedLine[], checks: readonly BaselineCheck[], trustworthy: boolean, maxErrorShare: number): string {
  const parts: string[] = [];
  if (paired.length === 0) {
    parts.push('This data set lacks the pretrained or the fine-tuned model: no comparison.');
  } else {
    const rouge = paired.filter((p) => ROUGE_IDS.includes(p.metric));
    const n = (o: Outcome) => rouge.filter((p) => p.outcome === o).length;
    const agreement = paired.find((p) => p.metric === HEADLINE_AGREEMENT);
    const counts = [`better on ${n('better')}`, `worse on ${n('worse')}`, `unclear on ${n('no clear difference') + n('not available')}`].join(', ');
    parts.push(
      `Fine-tuned against pretrained: ${counts} of ${rouge.length} ROUGE types; clinical agreement: ${agreement === undefined ? 'not labelled' : agreement.outcome}.`,
    );
  }
  const ft = checks.filter((c) => c.model === 'fine-tuned');
  if (ft.length > 0) {
    const lost = ft.filter((c) => !c.beats).length;
    parts.push(
      lost === 0
        ? `Fine-tuned beats the best baseline on all ${ft.length} figures.`
        : `Fine-tuned does not beat the best baseline on ${lost} of ${ft.length} figures.`,
    );
  }
  if (!trustworthy) parts.push(`Not trustworthy: error rows above ${percent(maxErrorShare)}.`);
  return parts.join(' ');
}

function runFacts(runSummary: RunSummary | undefined, rows: readonly PredictionRow[]): RunFacts {
  const times = rows.map((r) => r.created_at).filter((t) => !Number.isNaN(Date.parse(t)));
  times.sort();
  const firstRowAt = times[0];
  const lastRowAt = times[times.length - 1];
  const span =
    firstRowAt === undefined ? '' : ` Rows written from ${firstRowAt} to ${lastRowAt} (${hours((Date.parse(lastRowAt) - Date.parse(firstRowAt)) / 1000)}).`;
  if (runSummary === undefined) {
    return {
      costText: 'Cost: not known (the run summary, which holds the estimate, was not read).',
      durationText: `Instance time: not known (in the run summary).${span}`,
      firstRowAt,
      lastRowAt,
    };
  }
  const c = runSummary.cost;
  const unpriced = c.unpricedInstanceTypes.length === 0 ? '' : `; no price configured for ${c.unpricedInstanceTypes.join(', ')}, not in the total`;
  const lines = c.lines.map((l) => `${l.item} ${hours(l.seconds)} on ${l.instanceCount} × ${l.instanceType}`);
  return {
    cost: { totalUsd: c.totalUsd, lines: c.lines, unpriced: c.unpricedInstanceTypes, note: c.note },
    costText: `Cost: $${c.totalUsd.toFixed(2)} estimated (${c.note}${unpriced}).`,
    durationText: `Instance time: ${lines.length === 0 ? 'none measured' : lines.join('; ')}.${span}`,
    firstRowAt,
    lastRowAt,
  };
}

/**
 * Builds the report of a run from its summary rows, prediction rows and (when read) run summary.
 * @throws Error naming the row and field when stored labels are malformed (as the aggregation does).
 */
export function buildReportView(input: ReportViewInput): ReportView {
  const maxErrorShare = input.maxErrorShare ?? MAX_TRUSTED_ERROR_RATE;
  if (!(maxErrorShare >= 0 && maxErrorShare <= 1)) throw new RangeError(`maximum error share must be between 0 and 1, got ${maxErrorShare}`);
  const settings = scoringSettings(input.runSummary);
  const datasets = [...new Set([...input.rows.map((r) => r.dataset), ...input.summary.map((s) => s.dataset)])].sort();
  return {
    runId: input.runId,
    settings,
    maxErrorShare,
    datasets: datasets.map((d) =>
      datasetView(
        d,
        input.rows.filter((r) => r.dataset === d),
        input.summary.filter((s) => s.dataset === d),
        input.runSummary,
        settings,
        maxErrorShare,
      ),
    ),
    run: runFacts(input.runSummary, input.rows),
  };
}
