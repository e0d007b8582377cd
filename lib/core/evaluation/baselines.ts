/**
 * Baselines: impressions written without any model, scored like the models at no endpoint cost.
 * They show what ROUGE rewards by itself: on dev2 the constant normal answer beats the published
 * fine-tuned model's ROUGE-2, so a model's score means little without them beside it.
 */
import type { ModelName } from '../run/contracts';

/** The constant answer of `baseline-normal`. */
export const NORMAL_IMPRESSION = 'No acute cardiopulmonary process.';

/** Baseline model names, in report order. */
export const BASELINE_MODELS = ['baseline-normal', 'baseline-copy-findings', 'baseline-first-sentence'] as const satisfies readonly ModelName[];

/** A baseline model name. */
export type BaselineModel = (typeof BASELINE_MODELS)[number];

/** Is `model` a baseline (no endpoint)? */
export function isBaseline(model: string): model is BaselineModel {
  return (BASELINE_MODELS as readonly string[]).includes(model);
}

/**
 * The first sentence of `text`, trimmed. A sentence ends at the first `.`, `!` or `?` that is
 * followed by whitespace or the end of the text, unless the word before a `.` is only digits (a
 * list marker such as `1.`); a decimal such as `1.5` never ends one because no whitespace follows
 * the point. A first "sentence" without any letter or digit is skipped. Abbreviations (`approx.`)
 * do end a sentence: the rule is deliberately simple and documented rather than clever. Without any
 * terminator the whole trimmed text is returned.
 */
export function firstSentence(text: string): string {
  const trimmed = text.trim();
  let start = 0;
  for (let i = 0; i < trimmed.length; i += 1) {
    const c = trimmed[i];
    if (c !== '.' && c !== '!' && c !== '?') continue;
    const next = trimmed[i + 1];
    if (next !== undefined && !/\s/.test(next)) continue;
    if (c === '.') {
      const word = /(\S*)$/.exec(trimmed.slice(start, i))?.[1] ?? '';
      if (/^\d+$/.test(word)) continue;
    }
    const sentence = trimmed.slice(start, i + 1).trim();
    if (/[A-Za-z0-9]/.test(sentence)) return sentence;
    start = i + 1;
  }
  return trimmed.slice(start).trim();
}

/** The impression a baseline writes for these findings. */
export function baselineImpression(model: BaselineModel, findings: string): string {
  switch (model) {
    case 'baseline-normal':
      return NORMAL_IMPRESSION;
    case 'baseline-copy-findings':
      return findings;
    case 'baseline-first-sentence':
      return firstSentence(findings);
    default:
      throw new Error(`unknown baseline ${JSON.stringify(model as string)}`);
  }
}
