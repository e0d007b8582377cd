/**
 * The production ROUGE function for rows: lib/core/rouge without the stemmer, as the published
 * figures were computed (HF `evaluate` default `use_stemmer=False`).
 */
import { RougeScorer } from '../rouge';
import { SCORING_STEMMER } from './aggregate';
import type { RougeFn } from './rows';

/** A ROUGE function over one reusable scorer (not safe to share across worker threads). */
export function rougeFn(stemmer: boolean = SCORING_STEMMER): RougeFn {
  const scorer = new RougeScorer({ stemmer });
  return (prediction, reference) => scorer.score(prediction, reference);
}
