/**
 * A review's items (`reviews/<id>/items.jsonl`), its description (`reviews/<id>/review.json`) and
 * what a reader's task receives (the human loop input). The item keeps which model wrote which
 * impression; the loop input never does, so nothing the reader's browser receives can unblind them.
 */
import type { ReviewKind, ReviewSource } from '../run/contracts';
import { assertReviewId, itemId, READER_SLOTS, REVIEW_TEAMS, type ReviewTeam } from './keys';

/** One impression of an item, with its hidden source and its automatic scores from the run. */
export interface ReviewImpression {
  /** `A` or `B` for evaluation items (the order the reader sees), null for a feedback draft. */
  readonly position: 'A' | 'B' | null;
  readonly source: ReviewSource;
  /** Patient text. */
  readonly text: string;
  /** ROUGE-Lsum F against the reference (null for the reference itself and for drafts). */
  readonly rougelsum: number | null;
  /** Share of the 14 observations whose presence agrees with the reference's labels (null for the reference and drafts). */
  readonly label_match: number | null;
}

/** One item of a review: a report and the impressions the readers judge. */
export interface ReviewItem {
  readonly review_id: string;
  readonly kind: ReviewKind;
  /** 0-based position in the review (also in the loop names). */
  readonly index: number;
  /** The run whose rows the item comes from (evaluation) or whose model wrote the draft (feedback). */
  readonly run_id: string;
  readonly dataset: string;
  readonly study_id: string;
  readonly stratum: string | null;
  readonly findings: string;
  readonly background: string;
  /** Two impressions (evaluation, positions A then B) or one draft (feedback). */
  readonly impressions: readonly ReviewImpression[];
}

/** `reviews/<id>/review.json`: what the review is, written by `impressions review start|drafts`. */
export interface ReviewDescription {
  readonly reviewId: string;
  readonly kind: ReviewKind;
  readonly runId: string;
  readonly createdAt: string;
  /** When the review closes (ISO-8601 UTC): unanswered loops are stopped then. */
  readonly deadline: string;
  /** The teams each item goes to (one human loop per item and team). */
  readonly teams: readonly ReviewTeam[];
  readonly items: number;
  /** items × teams. */
  readonly loops: number;
  /** How the items were chosen (evaluation), with the seed; or where the drafts came from (feedback). */
  readonly selection: Readonly<Record<string, unknown>>;
}

/** The human loop input of an evaluation item: what the worker template renders. No source, no scores. */
export interface EvaluationTaskInput {
  readonly kind: 'evaluation';
  readonly review: string;
  readonly item: string;
  readonly findings: string;
  readonly background: string;
  readonly impressionA: string;
  readonly impressionB: string;
}

/** The human loop input of a feedback item. */
export interface FeedbackTaskInput {
  readonly kind: 'feedback';
  readonly review: string;
  readonly item: string;
  readonly findings: string;
  readonly background: string;
  readonly draft: string;
}

/** What a worker's task receives (`task.input` in the worker template). */
export type TaskInput = EvaluationTaskInput | FeedbackTaskInput;

/**
 * The loop input of `item`: texts in the order the reader must see them, and nothing that tells
 * which model wrote what. @throws Error when the item does not have the impressions of its kind.
 */
export function taskInput(item: ReviewItem): TaskInput {
  const common = { review: item.review_id, item: itemId(item.index), findings: item.findings, background: item.background };
  if (item.kind === 'evaluation') {
    const [a, b] = item.impressions;
    if (item.impressions.length !== 2 || a.position !== 'A' || b.position !== 'B') {
      throw new Error(`review ${item.review_id} item ${itemId(item.index)}: an evaluation item needs impressions A then B`);
    }
    return { kind: 'evaluation', ...common, impressionA: a.text, impressionB: b.text };
  }
  if (item.impressions.length !== 1 || item.impressions[0].source !== 'draft') {
    throw new Error(`review ${item.review_id} item ${itemId(item.index)}: a feedback item needs exactly one draft`);
  }
  return { kind: 'feedback', ...common, draft: item.impressions[0].text };
}

/** The teams of a review: the first `readers` reader slots (evaluation) or the feedback team. */
export function reviewTeams(kind: ReviewKind, readers: number): ReviewTeam[] {
  if (kind === 'feedback') return ['feedback'];
  if (!Number.isInteger(readers) || readers < 1 || readers > READER_SLOTS.length) {
    throw new Error(`readers must be a whole number from 1 to ${READER_SLOTS.length}, got ${readers}`);
  }
  return READER_SLOTS.slice(0, readers);
}

const SOURCES: readonly ReviewSource[] = ['pretrained', 'fine-tuned', 'reference', 'draft'];

function fail(where: string, message: string): never {
  throw new Error(`${where}: ${message}`);
}

function str(o: Record<string, unknown>, field: string, where: string): string {
  const v = o[field];
  if (typeof v !== 'string') fail(where, `field ${field} must be a string`);
  return v;
}

function numOrNull(o: Record<string, unknown>, field: string, where: string): number | null {
  const v = o[field];
  if (v === null || v === undefined) return null;
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(where, `field ${field} must be a number or null`);
  return v;
}

/**
 * Reads `items.jsonl` back, checking every field: the ingestion trusts the hidden assignment it
 * finds here. Errors name `where`, the line and the field, never a text.
 */
export function parseReviewItems(text: string, where: string): ReviewItem[] {
  const items: ReviewItem[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const at = `${where} line ${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      fail(at, 'not valid JSON');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(at, 'not a JSON object');
    const o = value as Record<string, unknown>;
    const reviewId = str(o, 'review_id', at);
    assertReviewId(reviewId);
    const kind = str(o, 'kind', at);
    if (kind !== 'evaluation' && kind !== 'feedback') fail(at, 'field kind must be evaluation or feedback');
    if (typeof o.index !== 'number' || !Number.isInteger(o.index) || o.index !== items.length) fail(at, `field index must be ${items.length}`);
    const stratum = o.stratum === null ? null : str(o, 'stratum', at);
    if (!Array.isArray(o.impressions)) fail(at, 'field impressions must be an array');
    const impressions = (o.impressions as unknown[]).map((imp, k): ReviewImpression => {
      const w = `${at} impressions[${k}]`;
      if (typeof imp !== 'object' || imp === null) fail(w, 'not an object');
      const p = imp as Record<string, unknown>;
      if (p.position !== 'A' && p.position !== 'B' && p.position !== null) fail(w, 'field position must be A, B or null');
      const source = str(p, 'source', w);
      if (!SOURCES.includes(source as ReviewSource)) fail(w, `field source must be one of ${SOURCES.join(', ')}`);
      return {
        position: p.position as 'A' | 'B' | null,
        source: source as ReviewSource,
        text: str(p, 'text', w),
        rougelsum: numOrNull(p, 'rougelsum', w),
        label_match: numOrNull(p, 'label_match', w),
      };
    });
    const item: ReviewItem = {
      review_id: reviewId,
      kind,
      index: o.index,
      run_id: str(o, 'run_id', at),
      dataset: str(o, 'dataset', at),
      study_id: str(o, 'study_id', at),
      stratum,
      findings: str(o, 'findings', at),
      background: str(o, 'background', at),
      impressions,
    };
    try {
      taskInput(item);
    } catch (error) {
      fail(at, (error as Error).message);
    }
    items.push(item);
  });
  return items;
}

/** One JSON line per item, in index order. */
export function formatReviewItems(items: readonly ReviewItem[]): string {
  return items.map((item) => JSON.stringify(item)).join('\n') + (items.length > 0 ? '\n' : '');
}

/** Checks a parsed `review.json`. @throws Error naming `where` and the field. */
export function parseReviewDescription(text: string, where: string): ReviewDescription {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    fail(where, 'not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(where, 'not a JSON object');
  const o = value as Record<string, unknown>;
  const reviewId = str(o, 'reviewId', where);
  assertReviewId(reviewId);
  const kind = str(o, 'kind', where);
  if (kind !== 'evaluation' && kind !== 'feedback') fail(where, 'field kind must be evaluation or feedback');
  const deadline = str(o, 'deadline', where);
  if (Number.isNaN(Date.parse(deadline))) fail(where, 'field deadline must be an ISO-8601 time');
  if (!Array.isArray(o.teams) || o.teams.length === 0 || !o.teams.every((t) => REVIEW_TEAMS.includes(t as ReviewTeam))) {
    fail(where, `field teams must be a non-empty list of ${REVIEW_TEAMS.join(', ')}`);
  }
  for (const field of ['items', 'loops'] as const) {
    if (typeof o[field] !== 'number' || !Number.isInteger(o[field]) || (o[field] as number) < 1) fail(where, `field ${field} must be a whole number ≥ 1`);
  }
  if ((o.loops as number) !== (o.items as number) * (o.teams as unknown[]).length) fail(where, 'field loops must be items × teams');
  return {
    reviewId,
    kind,
    runId: str(o, 'runId', where),
    createdAt: str(o, 'createdAt', where),
    deadline,
    teams: o.teams as ReviewTeam[],
    items: o.items as number,
    loops: o.loops as number,
    selection: (typeof o.selection === 'object' && o.selection !== null ? o.selection : {}) as Record<string, unknown>,
  };
}
