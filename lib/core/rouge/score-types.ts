/**
 * The result types of ROUGE scoring, the list of valid ROUGE type names, and the F-measure in the
 * reference's floating-point operation order.
 */

/** A ROUGE type: `rouge1` … `rouge9` (n-gram overlap), `rougeL` (LCS), `rougeLsum` (union LCS per line). */
export type RougeType = `rouge${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9}` | 'rougeL' | 'rougeLsum';

/** The four types HF `evaluate` computes by default, in its order. */
export const DEFAULT_ROUGE_TYPES = ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'] as const satisfies readonly RougeType[];

/** The default types as a type. */
export type DefaultRougeType = (typeof DEFAULT_ROUGE_TYPES)[number];

/** Precision (against the prediction), recall (against the reference) and their harmonic mean. */
export interface Score {
  readonly precision: number;
  readonly recall: number;
  readonly fmeasure: number;
}

/** The scores of one prediction/reference pair, one entry per requested type. */
export type RougeScores<T extends RougeType = DefaultRougeType> = { readonly [K in T]: Score };

/** All-zero score: what the reference returns when a side has nothing to compare. */
export const ZERO_SCORE: Score = Object.freeze({ precision: 0, recall: 0, fmeasure: 0 });

/** Is `name` a valid ROUGE type? `rouge0` and `rouge10` are not (the reference rejects them). */
export function isRougeType(name: string): name is RougeType {
  return name === 'rougeL' || name === 'rougeLsum' || /^rouge[1-9]$/.test(name);
}

/**
 * F = 2PR/(P+R), evaluated as ((2·P)·R)/(P+R) like the reference; 0 when P+R is 0. The algebraically
 * equal 2/(1/P+1/R) differs in the last bit for about a third of pairs, so keep this order.
 */
export function fmeasure(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

/** Builds a score from a hit count and the two sides' unit counts (tokens or n-grams). */
export function ratioScore(hits: number, predictionUnits: number, referenceUnits: number): Score {
  const precision = hits / predictionUnits;
  const recall = hits / referenceUnits;
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}
