/**
 * The names people read for the ids stored in rows: data sets, models, metrics and CheXpert
 * observations. The terminal report, the HTML page and the dashboard (its SQL and its titles)
 * all take their wording from here, so a model is called the same everywhere and no raw id
 * (`chexpert_micro_f1_13`, `baseline-copy-findings`, label JSON) reaches a reader.
 */
import { AGREEMENT_METRICS } from '../evaluation/agreement-summary';
import { NORMAL_IMPRESSION } from '../evaluation/baselines';
import { ROUGE_METRICS } from '../evaluation/rows';
import { dataSourceOf } from '../evaluation/shards';
import { OBSERVATIONS, type Observation } from '../labels/observations';
import { OBSERVATION_KEYS } from '../labels/row-labels';
import type { ModelName } from '../run/contracts';

/** Readable names of the `data_source` values. */
export const DATA_SOURCE_NAMES: Readonly<Record<string, string>> = { 'mimic-cxr': 'MIMIC-CXR', 'indiana-university': 'Indiana University' };

/** `dev1 · MIMIC-CXR`: the data set id with where its reports come from (the id alone for an unknown source). */
export function datasetName(dataset: string, dataSource = dataSourceOf(dataset)): string {
  const source = DATA_SOURCE_NAMES[dataSource] ?? (dataSource === dataset ? undefined : dataSource);
  return source === undefined ? dataset : `${dataset} · ${source}`;
}

/** Readable model names, short enough for a table column. */
export const MODEL_NAMES: { readonly [M in ModelName]: string } = {
  pretrained: 'Pretrained',
  'fine-tuned': 'Fine-tuned',
  'baseline-normal': 'Normal-answer baseline',
  'baseline-copy-findings': 'Copy-findings baseline',
  'baseline-first-sentence': 'First-sentence baseline',
};

/** What each model is, for the legend beside a table (baselines: what they write, without any model). */
export const MODEL_DESCRIPTIONS: { readonly [M in ModelName]: string } = {
  pretrained: 'FLAN-T5 XL as published by JumpStart, not trained on radiology reports',
  'fine-tuned': 'FLAN-T5 XL fine-tuned on MIMIC-CXR findings and impressions (the training split)',
  'baseline-normal': `always writes "${NORMAL_IMPRESSION}"`,
  'baseline-copy-findings': 'writes the findings unchanged',
  'baseline-first-sentence': 'writes the first sentence of the findings',
};

/** The readable name of a model id (the id itself when unknown). */
export function modelName(model: string): string {
  return (MODEL_NAMES as Readonly<Record<string, string>>)[model] ?? model;
}

/** One metric as the reader sees it. */
export interface MetricName {
  /** The id in summary rows (`rouge1`, `chexpert_micro_f1_13`, ...). */
  readonly metric: string;
  /** Short label for table headers (`ROUGE-1`, `micro-F1 (13)`). */
  readonly short: string;
  /** Full name for sentences and titles. */
  readonly long: string;
}

/** Every metric of the summary rows, ROUGE first, then the clinical agreement figures (headline first). */
export const METRIC_NAMES: readonly MetricName[] = [
  ...ROUGE_METRICS.map((m) => ({ metric: m.metric, short: m.label, long: `${m.label} F` })),
  { metric: AGREEMENT_METRICS[0].metric, short: AGREEMENT_METRICS[0].label, long: 'clinical agreement (micro-F1 over 13 observations)' },
  { metric: AGREEMENT_METRICS[1].metric, short: AGREEMENT_METRICS[1].label, long: 'clinical agreement (macro-F1 over 14 observations)' },
  { metric: AGREEMENT_METRICS[2].metric, short: AGREEMENT_METRICS[2].label, long: 'clinical agreement (micro-F1 over 14 observations)' },
];

/** The names of a metric id (the id itself as both names when unknown). */
export function metricName(metric: string): MetricName {
  return METRIC_NAMES.find((m) => m.metric === metric) ?? { metric, short: metric, long: metric };
}

/** Readable observation names by stored key (`pleural_effusion` → `Pleural Effusion`). */
export const OBSERVATION_NAMES: Readonly<Record<string, Observation>> = Object.fromEntries(OBSERVATIONS.map((o) => [OBSERVATION_KEYS[o], o]));

/**
 * One colour per model from the Okabe–Ito palette (distinguishable with the common colour-vision
 * deficiencies); charts also label every mark, so colour is never the only cue.
 */
export const MODEL_COLOURS: { readonly [M in ModelName]: string } = {
  pretrained: '#0072B2',
  'fine-tuned': '#D55E00',
  'baseline-normal': '#009E73',
  'baseline-copy-findings': '#CC79A7',
  'baseline-first-sentence': '#E69F00',
};

/** The colour of a model (grey when unknown). */
export function modelColour(model: string): string {
  return (MODEL_COLOURS as Readonly<Record<string, string>>)[model] ?? '#666666';
}
