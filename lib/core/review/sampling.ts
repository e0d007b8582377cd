/**
 * Which dev-set reports an evaluation review shows, and in which blinded pairs.
 *
 * Per data set, among the reports both models scored (no error, a non-empty reference), a
 * stratified sample of `perDataset` reports, each report in one stratum only, filled in this order:
 * 1. `label-disagreement` (30 %): the two models' CheXpert-style labels disagree on at least one
 *    observation (present = positive or uncertain) — where a reader's verdict matters most;
 * 2. `lowest-rouge` (20 %): the fine-tuned model's lowest ROUGE-Lsum F;
 * 3. `highest-rouge` (20 %): its highest;
 * 4. `random-audit` (the rest, at least 30 %): uniform among the reports left, so the review also
 *    measures the typical report. A stratum with too few candidates passes its shortfall here.
 * Each item then shows two of {pretrained, fine-tuned, reference}: the three pairs in turn over a
 * shuffled order, and A/B by a coin flip per item. The items of all data sets are shuffled together,
 * so a reader never meets the strata in blocks. Every draw comes from one MT19937 seeded with `seed`,
 * so the same rows and seed give the same review.
 */
import { decodeRowLabels } from '../labels/row-labels';
import { OBSERVATIONS } from '../labels/observations';
import { isPresent } from '../labels/agreement';
import { drawIndices, Mt19937, type RandomSource } from '../rouge/random';
import type { PredictionRow, ReviewSource } from '../run/contracts';
import type { ReviewImpression, ReviewItem } from './items';

/** The strata, in filling order. */
export const STRATA = ['label-disagreement', 'lowest-rouge', 'highest-rouge', 'random-audit'] as const;
export type Stratum = (typeof STRATA)[number];

/** Default share of each stratum (the audit takes what the others leave). */
export const DEFAULT_SHARES: Readonly<Record<Exclude<Stratum, 'random-audit'>, number>> = {
  'label-disagreement': 0.3,
  'lowest-rouge': 0.2,
  'highest-rouge': 0.2,
};

/** The pairs shown, in turn. */
export const PAIRS: readonly (readonly [ReviewSource, ReviewSource])[] = [
  ['fine-tuned', 'pretrained'],
  ['fine-tuned', 'reference'],
  ['pretrained', 'reference'],
];

/** Options of {@link sampleReviewItems}. */
export interface SamplingOptions {
  readonly reviewId: string;
  readonly runId: string;
  /** Reports per data set (1–1000). */
  readonly perDataset: number;
  /** Seed of the MT19937 (integer in [0, 2^32)). */
  readonly seed: number;
}

/** What was drawn from one data set, stated in the review's description and the CLI's output. */
export interface DatasetSampling {
  readonly dataset: string;
  /** Reports both models scored. */
  readonly eligible: number;
  /** Per stratum: reports that qualified, how many were wanted and how many were taken. */
  readonly strata: Readonly<Record<Stratum, { readonly candidates: number; readonly wanted: number; readonly taken: number }>>;
  /** Items per pair, e.g. `fine-tuned/pretrained`. */
  readonly pairs: Readonly<Record<string, number>>;
}

/** The sample and how it was drawn. */
export interface Sampling {
  readonly items: ReviewItem[];
  readonly seed: number;
  readonly perDataset: number;
  readonly shares: typeof DEFAULT_SHARES;
  readonly datasets: readonly DatasetSampling[];
}

/** A uniform integer in [0, n) drawn as numpy's legacy randint. */
function randomInt(rng: RandomSource, n: number): number {
  const one = new Uint32Array(1);
  drawIndices(rng, n, one);
  return one[0];
}

/** Fisher–Yates with {@link randomInt}. */
function shuffle<T>(rng: RandomSource, values: readonly T[]): T[] {
  const out = [...values];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = randomInt(rng, i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Presence (positive or uncertain) of each observation in stored labels, or undefined when there are none. */
function presence(stored: string | null, where: string): boolean[] | undefined {
  if (stored === null) return undefined;
  const labels = decodeRowLabels(stored, where);
  return OBSERVATIONS.map((o) => isPresent(labels[o]));
}

/** Share of the 14 observations on which the two label sets agree on presence; null without labels. */
export function labelMatch(generated: string | null, reference: string | null, where: string): number | null {
  const g = presence(generated, `${where} generated_labels`);
  const r = presence(reference, `${where} reference_labels`);
  if (g === undefined || r === undefined) return null;
  return g.filter((p, k) => p === r[k]).length / OBSERVATIONS.length;
}

interface Candidate {
  readonly dataset: string;
  readonly studyId: string;
  readonly pretrained: PredictionRow;
  readonly fineTuned: PredictionRow;
  readonly disagree: boolean;
}

function candidates(rows: readonly PredictionRow[], dataset: string): Candidate[] {
  const byModel = (model: string) => {
    const map = new Map<string, PredictionRow>();
    for (const r of rows) {
      if (r.dataset === dataset && r.model === model && r.error === null && r.generated !== null && r.reference.trim() !== '' && !map.has(r.study_id)) {
        map.set(r.study_id, r);
      }
    }
    return map;
  };
  const pt = byModel('pretrained');
  const ft = byModel('fine-tuned');
  const out: Candidate[] = [];
  for (const [studyId, fineTuned] of ft) {
    const pretrained = pt.get(studyId);
    if (pretrained === undefined) continue;
    const where = `run ${fineTuned.run_id} ${dataset} study ${studyId}`;
    const a = presence(pretrained.generated_labels, `${where} pretrained generated_labels`);
    const b = presence(fineTuned.generated_labels, `${where} fine-tuned generated_labels`);
    const disagree = a !== undefined && b !== undefined && a.some((p, k) => p !== b[k]);
    out.push({ dataset, studyId, pretrained, fineTuned, disagree });
  }
  // Study order, so the draws do not depend on the order of the part files.
  return out.sort((x, y) => (x.studyId < y.studyId ? -1 : x.studyId > y.studyId ? 1 : 0));
}

function byRouge(a: Candidate, b: Candidate): number {
  const d = (a.fineTuned.rougelsum ?? 0) - (b.fineTuned.rougelsum ?? 0);
  return d !== 0 ? d : a.studyId < b.studyId ? -1 : a.studyId > b.studyId ? 1 : 0;
}

function impression(position: 'A' | 'B', source: ReviewSource, c: Candidate): ReviewImpression {
  if (source === 'reference') return { position, source, text: c.fineTuned.reference, rougelsum: null, label_match: null };
  const row = source === 'fine-tuned' ? c.fineTuned : c.pretrained;
  return {
    position,
    source,
    text: row.generated as string,
    rougelsum: row.rougelsum,
    label_match: labelMatch(row.generated_labels, row.reference_labels, `run ${row.run_id} ${row.dataset} study ${row.study_id} ${source}`),
  };
}

/**
 * Draws the review's items from a run's prediction rows (see the module comment).
 * @throws Error when no data set has a report both models scored, or on bad options.
 */
export function sampleReviewItems(rows: readonly PredictionRow[], options: SamplingOptions): Sampling {
  const { perDataset, seed } = options;
  if (!Number.isInteger(perDataset) || perDataset < 1 || perDataset > 1000)
    throw new Error(`per-dataset must be a whole number from 1 to 1000, got ${perDataset}`);
  const rng = new Mt19937(seed);
  const datasets = [...new Set(rows.map((r) => r.dataset))].sort();
  const chosen: { c: Candidate; stratum: Stratum }[] = [];
  const report: DatasetSampling[] = [];
  for (const dataset of datasets) {
    const pool = candidates(rows, dataset);
    if (pool.length === 0) continue;
    const n = Math.min(perDataset, pool.length);
    const wanted: Record<Stratum, number> = {
      'label-disagreement': Math.floor(n * DEFAULT_SHARES['label-disagreement']),
      'lowest-rouge': Math.floor(n * DEFAULT_SHARES['lowest-rouge']),
      'highest-rouge': Math.floor(n * DEFAULT_SHARES['highest-rouge']),
      'random-audit': 0,
    };
    wanted['random-audit'] = n - wanted['label-disagreement'] - wanted['lowest-rouge'] - wanted['highest-rouge'];
    const taken = new Set<string>();
    const stats = {} as Record<Stratum, { candidates: number; wanted: number; taken: number }>;
    const take = (stratum: Stratum, list: Candidate[], count: number) => {
      const picked = list.filter((c) => !taken.has(c.studyId)).slice(0, count);
      for (const c of picked) {
        taken.add(c.studyId);
        chosen.push({ c, stratum });
      }
      return picked.length;
    };
    const disagreeing = pool.filter((c) => c.disagree);
    const t1 = take('label-disagreement', shuffle(rng, disagreeing), wanted['label-disagreement']);
    stats['label-disagreement'] = { candidates: disagreeing.length, wanted: wanted['label-disagreement'], taken: t1 };
    const ascending = [...pool].sort(byRouge);
    const t2 = take('lowest-rouge', ascending, wanted['lowest-rouge']);
    stats['lowest-rouge'] = { candidates: pool.length, wanted: wanted['lowest-rouge'], taken: t2 };
    const t3 = take('highest-rouge', [...ascending].reverse(), wanted['highest-rouge']);
    stats['highest-rouge'] = { candidates: pool.length, wanted: wanted['highest-rouge'], taken: t3 };
    const audit = n - t1 - t2 - t3;
    const rest = pool.filter((c) => !taken.has(c.studyId));
    const t4 = take('random-audit', shuffle(rng, rest), audit);
    stats['random-audit'] = { candidates: rest.length, wanted: audit, taken: t4 };
    report.push({ dataset, eligible: pool.length, strata: stats, pairs: {} });
  }
  if (chosen.length === 0) throw new Error(`run ${options.runId}: no report was scored by both the pretrained and the fine-tuned model`);

  // Pairs in turn over a shuffled order of each data set's items, A/B by a coin flip.
  const pairOf = new Map<Candidate, readonly [ReviewSource, ReviewSource]>();
  for (const entry of report) {
    const own = shuffle(
      rng,
      chosen.filter((x) => x.c.dataset === entry.dataset),
    );
    const counts: Record<string, number> = {};
    own.forEach((x, k) => {
      const pair = PAIRS[k % PAIRS.length];
      const flipped = randomInt(rng, 2) === 1;
      pairOf.set(x.c, flipped ? [pair[1], pair[0]] : pair);
      const name = `${pair[0]}/${pair[1]}`;
      counts[name] = (counts[name] ?? 0) + 1;
    });
    (entry as { pairs: Record<string, number> }).pairs = counts;
  }
  const items: ReviewItem[] = shuffle(rng, chosen).map(({ c, stratum }, index) => {
    const [a, b] = pairOf.get(c)!;
    return {
      review_id: options.reviewId,
      kind: 'evaluation',
      index,
      run_id: options.runId,
      dataset: c.dataset,
      study_id: c.studyId,
      stratum,
      findings: c.fineTuned.findings,
      background: c.fineTuned.background,
      impressions: [impression('A', a, c), impression('B', b, c)],
    };
  });
  return { items, seed, perDataset, shares: DEFAULT_SHARES, datasets: report };
}

/** The sampling as lines for the terminal (counts and the seed; no text). */
export function describeSampling(s: Sampling): string[] {
  const lines = [
    `Stratified sample, seed ${s.seed} (MT19937), up to ${s.perDataset} reports per data set: label disagreement between the models ${Math.round(
      s.shares['label-disagreement'] * 100,
    )} %, lowest fine-tuned ROUGE-Lsum ${Math.round(s.shares['lowest-rouge'] * 100)} %, highest ${Math.round(s.shares['highest-rouge'] * 100)} %, random audit the rest.`,
  ];
  for (const d of s.datasets) {
    const strata = STRATA.map((k) => `${k} ${d.strata[k].taken}/${d.strata[k].wanted} (of ${d.strata[k].candidates})`).join(', ');
    const pairs = Object.entries(d.pairs)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    lines.push(`  ${d.dataset}: ${d.eligible} eligible; ${strata}; pairs: ${pairs}`);
  }
  return lines;
}
