/**
 * The figures of a review, computed from its rows: what `review_summary` holds, the dashboard's
 * review sheet shows and `impressions report` prints.
 *
 * Over answered rows only (a loop without an answer is counted in the `loops_*` figures, never
 * scored), per data set and over all (`all`):
 * - `preferred` (model against comparator): share of the judgements of that pair in which the reader
 *   preferred the model; `equal`: share judged equal (model and comparator in the order
 *   fine-tuned, pretrained, reference). A judgement is one reader on one item.
 * - `rating_correct`, `rating_complete`, `rating_concise`: mean rating (1–5) per model;
 *   `harm_rate`: share of judgements flagging possible harm, per model.
 * - `alpha_correct`, `alpha_complete`, `alpha_concise` (ordinal), `alpha_harm` (nominal) over the
 *   impressions, `alpha_preference` (nominal: A, B or equal) over the items: Krippendorff's alpha
 *   between the readers, model `all`, count = units with at least two readers.
 * - `spearman_rouge_correct`, `spearman_labels_correct`: Spearman's rho between the run's ROUGE-Lsum
 *   F (or the label match with the reference) of each generated impression and its mean
 *   correctness rating, model `generated`.
 * - `loops_total`, `loops_answered`, `loops_invalid`, `loops_failed`, `loops_stopped`: counts.
 * Intervals: 95 % percentile bootstrap over items (1,000 resamples, a fresh MT19937 seeded with
 * `seed` per figure), so all judgements of an item stay together.
 * Feedback reviews get `loops_*` and `decision_accepted`, `decision_corrected`, `decision_rejected` (counts).
 */
import type { ReviewRow, ReviewSource, ReviewSummaryRow } from '../run/contracts';
import { alphaOfMatrix, bootstrapInterval, coincidenceTable, spearman, sumMatrices, type AlphaLevel, type UnitValues } from './statistics';

/** Seed of every interval of a review's figures. */
export const REVIEW_SEED = 0;

/** Model order of the figures. */
export const REVIEW_MODEL_ORDER: readonly ReviewSource[] = ['fine-tuned', 'pretrained', 'reference', 'draft'];

const CRITERIA = ['correct', 'complete', 'concise'] as const;
type Criterion = (typeof CRITERIA)[number];

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

interface Figure {
  readonly dataset: string;
  readonly metric: string;
  readonly model: string;
  readonly comparator: string | null;
  readonly value: number;
  readonly interval?: [number, number];
  readonly count: number;
}

/** Rows grouped by item (`review_id`/`item_id`), the unit of every bootstrap. */
function byItem(rows: readonly ReviewRow[]): ReviewRow[][] {
  const groups = new Map<string, ReviewRow[]>();
  for (const r of rows) {
    const key = `${r.review_id}\u0000${r.item_id}`;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, [r]);
    else g.push(r);
  }
  return [...groups.values()];
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((s, v) => s + v, 0) / values.length;
}

/** A ratio Σa / Σb over per-item parts, the form of every mean and share here (cheap to resample). */
interface Part {
  readonly a: number;
  readonly b: number;
}

/** The ratio of all parts, and its interval over the parts. */
function ratioFigure(parts: readonly Part[], seed: number): { value: number; interval: [number, number] } {
  const a = Float64Array.from(parts, (p) => p.a);
  const b = Float64Array.from(parts, (p) => p.b);
  const of = (indices: ArrayLike<number>) => {
    let sa = 0;
    let sb = 0;
    for (let i = 0; i < indices.length; i += 1) {
      sa += a[indices[i]];
      sb += b[indices[i]];
    }
    return sb === 0 ? NaN : sa / sb;
  };
  return { value: of(Uint32Array.from(parts.keys())), interval: bootstrapInterval(parts.length, of, { seed }) };
}

/** A mean over the rows picked from each item, with its interval over the items that have any. */
function itemMean(
  items: readonly ReviewRow[][],
  pick: (r: ReviewRow) => number | null,
  seed: number,
): { value: number; interval: [number, number]; count: number } {
  const parts: Part[] = [];
  for (const g of items) {
    let a = 0;
    let b = 0;
    for (const r of g) {
      const v = pick(r);
      if (v === null) continue;
      a += v;
      b += 1;
    }
    if (b > 0) parts.push({ a, b });
  }
  return { ...ratioFigure(parts, seed), count: parts.reduce((n, p) => n + p.b, 0) };
}

/** Units for alpha, per item: one per impression (or one per item for preferences), one value per reader slot. */
function alphaUnitsOfItem(g: readonly ReviewRow[], value: (r: ReviewRow) => number | string | null, perItem: boolean): UnitValues[] {
  const byUnit = new Map<string, Map<string, number | string | null>>();
  for (const r of g) {
    const unit = perItem ? 'item' : (r.position ?? 'draft');
    const readers = byUnit.get(unit) ?? new Map<string, number | string | null>();
    readers.set(r.reader, value(r));
    byUnit.set(unit, readers);
  }
  return [...byUnit.values()].map((readers) => [...readers.values()]);
}

/**
 * Alpha over all items, with its interval over items: each item's coincidences are computed once
 * and a resample's alpha comes from the sum of its items' (statistics.ts, CoincidenceTable).
 */
function alphaFigure(
  dataset: string,
  metric: string,
  items: readonly ReviewRow[][],
  value: (r: ReviewRow) => number | string | null,
  level: AlphaLevel,
  perItem: boolean,
  seed: number,
): Figure {
  const unitsOfItems = items.map((g) => alphaUnitsOfItem(g, value, perItem));
  const table = coincidenceTable(unitsOfItems.flat(), level);
  const k = table.values.length;
  let next = 0;
  // Each item's coincidences, kept sparse (an item holds a few pairs of values), summed per resample.
  const itemCells = unitsOfItems.map((units) => {
    const dense = sumMatrices(table.matrices.slice(next, next + units.length), k);
    next += units.length;
    const cells: number[] = [];
    dense.forEach((v, i) => {
      if (v !== 0) cells.push(i, v);
    });
    return cells;
  });
  const alpha = (indices: ArrayLike<number>) => {
    const o = new Float64Array(k * k);
    for (let i = 0; i < indices.length; i += 1) {
      const cells = itemCells[indices[i]];
      for (let c = 0; c < cells.length; c += 2) o[cells[c]] += cells[c + 1];
    }
    return alphaOfMatrix(o, table.values, level);
  };
  const count = unitsOfItems.flat().filter((u) => u.filter((v) => v !== null).length >= 2).length;
  const everyItem = Uint32Array.from(itemCells.keys());
  return { dataset, metric, model: 'all', comparator: null, value: alpha(everyItem), interval: bootstrapInterval(itemCells.length, alpha, { seed }), count };
}

/** Per item, its generated impressions' run score and the readers' mean correctness. */
function correlationUnits(g: readonly ReviewRow[], score: (r: ReviewRow) => number | null): { x: number; y: number }[] {
  const units: { x: number; y: number }[] = [];
  for (const position of ['A', 'B'] as const) {
    const rows = g.filter((r) => r.position === position && (r.source === 'pretrained' || r.source === 'fine-tuned') && r.correct !== null);
    const x = rows.length > 0 ? score(rows[0]) : null;
    if (x === null || rows.length === 0) continue;
    units.push({ x, y: mean(rows.map((r) => r.correct as number)) });
  }
  return units;
}

function correlationFigure(dataset: string, metric: string, items: readonly ReviewRow[][], score: (r: ReviewRow) => number | null, seed: number): Figure {
  const perItem = items.map((g) => correlationUnits(g, score));
  const rho = (indices: ArrayLike<number>) => {
    let n = 0;
    for (let i = 0; i < indices.length; i += 1) n += perItem[indices[i]].length;
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    let at = 0;
    for (let i = 0; i < indices.length; i += 1) {
      for (const p of perItem[indices[i]]) {
        x[at] = p.x;
        y[at] = p.y;
        at += 1;
      }
    }
    return spearman(x, y);
  };
  return {
    dataset,
    metric,
    model: 'generated',
    comparator: null,
    value: rho(Uint32Array.from(perItem.keys())),
    interval: bootstrapInterval(perItem.length, rho, { seed }),
    count: perItem.reduce((n, u) => n + u.length, 0),
  };
}

function preferenceFigures(dataset: string, items: readonly ReviewRow[][], seed: number): Figure[] {
  const out: Figure[] = [];
  const order = (s: ReviewSource) => REVIEW_MODEL_ORDER.indexOf(s);
  const pairs = new Map<string, [ReviewSource, ReviewSource]>();
  for (const g of items) {
    for (const r of g) {
      if (r.paired_with === null) continue;
      const pair: [ReviewSource, ReviewSource] = order(r.source) < order(r.paired_with) ? [r.source, r.paired_with] : [r.paired_with, r.source];
      pairs.set(pair.join('/'), pair);
    }
  }
  for (const [first, second] of [...pairs.values()].sort((a, b) => order(a[0]) - order(b[0]) || order(a[1]) - order(b[1]))) {
    // One judgement per item and reader: the row of `first` carries the outcome from its side.
    const judgements = items.map((g) => g.filter((r) => r.source === first && r.paired_with === second)).filter((j) => j.length > 0);
    const count = judgements.reduce((n, j) => n + j.length, 0);
    const figure = (metric: string, model: string, comparator: string, outcome: ReviewRow['outcome']): Figure => {
      const parts = judgements.map((j) => ({ a: j.filter((r) => r.outcome === outcome).length, b: j.length }));
      return { dataset, metric, model, comparator, ...ratioFigure(parts, seed), count };
    };
    out.push(figure('preferred', first, second, 'preferred'), figure('preferred', second, first, 'not-preferred'), figure('equal', first, second, 'equal'));
  }
  return out;
}

function loopFigures(dataset: string, rows: readonly ReviewRow[]): Figure[] {
  const status = new Map<string, ReviewRow['status']>();
  for (const r of rows) status.set(r.loop_name, r.status);
  const count = (s: ReviewRow['status']) => [...status.values()].filter((x) => x === s).length;
  const f = (metric: string, value: number): Figure => ({ dataset, metric, model: 'all', comparator: null, value, count: value });
  return [
    f('loops_total', status.size),
    f('loops_answered', count('answered')),
    f('loops_invalid', count('invalid')),
    f('loops_failed', count('failed')),
    f('loops_stopped', count('stopped')),
  ];
}

function datasetFigures(dataset: string, rows: readonly ReviewRow[], seed: number): Figure[] {
  const answered = rows.filter((r) => r.status === 'answered');
  const figures: Figure[] = [...loopFigures(dataset, rows)];
  const evaluation = answered.filter((r) => r.kind === 'evaluation');
  const feedback = answered.filter((r) => r.kind === 'feedback');
  if (evaluation.length > 0) {
    const items = byItem(evaluation);
    figures.push(...preferenceFigures(dataset, items, seed));
    const models = REVIEW_MODEL_ORDER.filter((m) => evaluation.some((r) => r.source === m));
    for (const model of models) {
      for (const criterion of CRITERIA) {
        const m = itemMean(items, (r) => (r.source === model ? (r[criterion] as number | null) : null), seed);
        figures.push({ dataset, metric: `rating_${criterion}`, model, comparator: null, ...m });
      }
      const harm = itemMean(items, (r) => (r.source === model ? r.harm : null), seed);
      figures.push({ dataset, metric: 'harm_rate', model, comparator: null, ...harm });
    }
    for (const criterion of CRITERIA) {
      figures.push(alphaFigure(dataset, `alpha_${criterion}`, items, (r) => r[criterion as Criterion], 'ordinal', false, seed));
    }
    figures.push(alphaFigure(dataset, 'alpha_harm', items, (r) => r.harm, 'nominal', false, seed));
    figures.push(alphaFigure(dataset, 'alpha_preference', items, (r) => r.preference, 'nominal', true, seed));
    figures.push(correlationFigure(dataset, 'spearman_rouge_correct', items, (r) => r.rougelsum, seed));
    figures.push(correlationFigure(dataset, 'spearman_labels_correct', items, (r) => r.label_match, seed));
  }
  if (feedback.length > 0) {
    for (const decision of ['accepted', 'corrected', 'rejected'] as const) {
      const n = feedback.filter((r) => r.decision === decision).length;
      figures.push({ dataset, metric: `decision_${decision}`, model: 'draft', comparator: null, value: n, count: feedback.length });
    }
  }
  return figures;
}

/** The summary rows of one review (all its rows), per data set and `all`. */
export function reviewSummaryRows(runId: string, reviewId: string, rows: readonly ReviewRow[], seed = REVIEW_SEED): ReviewSummaryRow[] {
  const own = rows.filter((r) => r.review_id === reviewId);
  const datasets = [...new Set(own.map((r) => r.dataset))].sort();
  const groups =
    datasets.length > 1 ? [['all', own] as const, ...datasets.map((d) => [d, own.filter((r) => r.dataset === d)] as const)] : [['all', own] as const];
  return groups.flatMap(([dataset, subset]) =>
    datasetFigures(dataset, subset, seed).map((f) => ({
      run_id: runId,
      review_id: reviewId,
      dataset: f.dataset,
      metric: f.metric,
      model: f.model,
      comparator: f.comparator,
      value: finite(f.value),
      ci_low: f.interval === undefined ? null : finite(f.interval[0]),
      ci_high: f.interval === undefined ? null : finite(f.interval[1]),
      count: f.count,
    })),
  );
}

/** The harm flags of answered rows (each with its report), in item order. */
export function harmFlags(rows: readonly ReviewRow[]): ReviewRow[] {
  return rows
    .filter((r) => r.status === 'answered' && r.harm === 1)
    .sort((a, b) => (a.review_id + a.item_id + a.reader + (a.position ?? '')).localeCompare(b.review_id + b.item_id + b.reader + (b.position ?? '')));
}
