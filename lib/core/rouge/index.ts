/**
 * ROUGE for radiology impressions, bit-exact with Google's `rouge-score` 0.1.2 (what HF `evaluate`
 * wraps): tokenizer, nltk Porter stemmer, ROUGE-N/L/Lsum, and the aggregates reported beside every
 * score. Pure TypeScript, no dependencies. See shared/notes/rouge.md for the reference's behaviour.
 *
 * @example
 *   const scorer = new RougeScorer({ stemmer: false });
 *   const f1 = records.map((r) => scorer.score(r.prediction, r.reference).rouge1.fmeasure);
 *   const figures = summarize(f1, { seed: 0 });
 */
export { RougeScorer, scoreRouge } from './scorer';
export type { RougeOptions } from './scorer';
export { DEFAULT_ROUGE_TYPES, fmeasure, isRougeType } from './score-types';
export type { DefaultRougeType, RougeScores, RougeType, Score } from './score-types';
export { tokenize, tokenizeLines } from './tokenize';
export type { TokenizeOptions } from './tokenize';
export { porterStem } from './porter';
export {
  bootstrapMean,
  DEFAULT_CONFIDENCE,
  DEFAULT_RESAMPLES,
  DEFAULT_SEED,
  mean,
  pairedDifference,
  pairedDifferences,
  quantileSorted,
  sampleStd,
  summarize,
  summarizeColumns,
  summarizeResampled,
} from './aggregate';
export type { BootstrapOptions, PairedDifference, Summary } from './aggregate';
export { drawIndices, Mt19937 } from './random';
export { resampleMeans, skipResamples } from './resample';
export type { RandomSource } from './random';
