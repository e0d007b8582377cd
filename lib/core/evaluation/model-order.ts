/**
 * The order models are listed in: the two models, then the baselines; unknown names follow, sorted.
 */
import { BASELINE_MODELS } from './baselines';

/** Model names in report order. */
export const MODEL_ORDER: readonly string[] = ['pretrained', 'fine-tuned', ...BASELINE_MODELS];

/** Sorts model names in report order. */
export function compareModels(a: string, b: string): number {
  const ia = MODEL_ORDER.indexOf(a);
  const ib = MODEL_ORDER.indexOf(b);
  if (ia !== ib) return (ia === -1 ? MODEL_ORDER.length : ia) - (ib === -1 ? MODEL_ORDER.length : ib);
  return a < b ? -1 : a > b ? 1 : 0;
}
