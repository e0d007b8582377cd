/**
 * A deliberately plain transcription of rouge-score's algorithm (shared/notes/rouge.md): string
 * tokens, count maps, full LCS tables, no shortcuts. Tests compare the optimised scorer with it.
 */
import { fmeasure, porterStem } from '../../../../lib/core/rouge';
import type { Score } from '../../../../lib/core/rouge';

export function naiveTokens(text: string, stemmer: boolean): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .split(/\s+/)
    .map((t) => (stemmer && t.length > 3 ? porterStem(t) : t))
    .filter((t) => /^[a-z0-9]+$/.test(t));
}

function counts(items: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(i, (m.get(i) ?? 0) + 1);
  return m;
}

function ngrams(tokens: string[], n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i + n <= tokens.length; i += 1) out.push(tokens.slice(i, i + n).join(' '));
  return out;
}

export function naiveRougeN(target: string[], prediction: string[], n: number): Score {
  const t = counts(ngrams(target, n));
  const p = counts(ngrams(prediction, n));
  let overlap = 0;
  for (const [k, c] of t) overlap += Math.min(c, p.get(k) ?? 0);
  const tc = [...t.values()].reduce((a, b) => a + b, 0);
  const pc = [...p.values()].reduce((a, b) => a + b, 0);
  const precision = overlap / Math.max(pc, 1);
  const recall = overlap / Math.max(tc, 1);
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

function table(ref: string[], can: string[]): number[][] {
  const t = Array.from({ length: ref.length + 1 }, () => new Array<number>(can.length + 1).fill(0));
  for (let i = 1; i <= ref.length; i += 1) {
    for (let j = 1; j <= can.length; j += 1) {
      t[i][j] = ref[i - 1] === can[j - 1] ? t[i - 1][j - 1] + 1 : Math.max(t[i - 1][j], t[i][j - 1]);
    }
  }
  return t;
}

export function naiveRougeL(target: string[], prediction: string[]): Score {
  if (target.length === 0 || prediction.length === 0) return { precision: 0, recall: 0, fmeasure: 0 };
  const lcs = table(target, prediction)[target.length][prediction.length];
  const precision = lcs / prediction.length;
  const recall = lcs / target.length;
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

function lcsIndices(ref: string[], can: string[]): number[] {
  const t = table(ref, can);
  let i = ref.length;
  let j = can.length;
  const out: number[] = [];
  while (i > 0 && j > 0) {
    if (ref[i - 1] === can[j - 1]) {
      out.unshift(i - 1);
      i -= 1;
      j -= 1;
    } else if (t[i][j - 1] > t[i - 1][j]) {
      j -= 1;
    } else {
      i -= 1;
    }
  }
  return out;
}

export function naiveRougeLsum(targetText: string, predictionText: string, stemmer: boolean): Score {
  const zero = { precision: 0, recall: 0, fmeasure: 0 };
  const refSents = targetText
    .split('\n')
    .filter((s) => s.length > 0)
    .map((s) => naiveTokens(s, stemmer));
  const canSents = predictionText
    .split('\n')
    .filter((s) => s.length > 0)
    .map((s) => naiveTokens(s, stemmer));
  if (refSents.length === 0 || canSents.length === 0) return zero;
  const m = refSents.reduce((a, s) => a + s.length, 0);
  const n = canSents.reduce((a, s) => a + s.length, 0);
  if (m === 0 || n === 0) return zero;
  const budgetR = counts(refSents.flat());
  const budgetC = counts(canSents.flat());
  let hits = 0;
  for (const r of refSents) {
    const union = new Set<number>();
    for (const c of canSents) for (const i of lcsIndices(r, c)) union.add(i);
    for (const i of [...union].sort((a, b) => a - b)) {
      const tok = r[i];
      if ((budgetC.get(tok) ?? 0) > 0 && (budgetR.get(tok) ?? 0) > 0) {
        hits += 1;
        budgetC.set(tok, (budgetC.get(tok) ?? 0) - 1);
        budgetR.set(tok, (budgetR.get(tok) ?? 0) - 1);
      }
    }
  }
  const precision = hits / n;
  const recall = hits / m;
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/** All four default types, naive. */
export function naiveScore(prediction: string, reference: string, stemmer: boolean): Record<string, Score> {
  const p = naiveTokens(prediction, stemmer);
  const r = naiveTokens(reference, stemmer);
  return {
    rouge1: naiveRougeN(r, p, 1),
    rouge2: naiveRougeN(r, p, 2),
    rougeL: naiveRougeL(r, p),
    rougeLsum: naiveRougeLsum(reference, prediction, stemmer),
  };
}
