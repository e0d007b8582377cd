/**
 * The published figures the run reproduces (DESIGN.md): mean F, no stemming, per dev set and
 * model. For reference beside a run's own numbers only; nothing is computed from them.
 */
import type { RougeMetric } from '../evaluation/rows';

/** Published mean F by dataset and model. */
export const PUBLISHED_MEANS: Readonly<Record<string, Readonly<Record<'pretrained' | 'fine-tuned', Readonly<Record<RougeMetric, number>>>>>> = {
  dev1: {
    pretrained: { rouge1: 0.2239, rouge2: 0.1134, rougeL: 0.1891, rougeLsum: 0.1891 },
    'fine-tuned': { rouge1: 0.604, rouge2: 0.48, rougeL: 0.5705, rougeLsum: 0.5708 },
  },
  dev2: {
    pretrained: { rouge1: 0.1583, rouge2: 0.0599, rougeL: 0.1391, rougeLsum: 0.1393 },
    'fine-tuned': { rouge1: 0.466, rouge2: 0.3125, rougeL: 0.4525, rougeLsum: 0.4525 },
  },
};
