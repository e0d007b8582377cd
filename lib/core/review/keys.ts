/**
 * Names and S3 keys of radiologist reviews (README "Radiologist review"). A review's work area is
 * `reviews/<review id>/` (its description, its items, the state machine's wait token, A2I's output
 * documents); its rows and figures, the only things the review writes for others to read, go under
 * `prediction_data/reviews/`. Loop names are a pure function of review, item and reader, so a
 * retried start never creates a second loop for the same task.
 */
import { assertRunId } from '../evaluation/keys';
import type { ReviewKind } from '../run/contracts';

/** Work area of every review in the data bucket. */
export const REVIEWS_PREFIX = 'reviews/';
/** Where A2I writes its output documents (the flow definitions' S3OutputPath). */
export const A2I_OUTPUT_PREFIX = `${REVIEWS_PREFIX}a2i-output/`;
/** Key prefix of the review tables (`reviews` rows and `review_summary`). */
export const REVIEW_RESULTS_PREFIX = 'prediction_data/reviews/';

/** Reader slots of an evaluation review: each is its own work team, so two slots are always two people. */
export const READER_SLOTS = ['reader-1', 'reader-2', 'reader-3'] as const;
/** Most readers of an evaluation review (one work team and flow definition per slot). */
export const MAX_READERS = READER_SLOTS.length;
/** The work team of feedback reviews. */
export const FEEDBACK_TEAM = 'feedback';
/** A reader slot or the feedback team. */
export type ReviewTeam = (typeof READER_SLOTS)[number] | typeof FEEDBACK_TEAM;
/** Every team, evaluation slots first. */
export const REVIEW_TEAMS: readonly ReviewTeam[] = [...READER_SLOTS, FEEDBACK_TEAM];

/** Short code of a team in loop names. */
const TEAM_CODES: Record<ReviewTeam, string> = { 'reader-1': 'r1', 'reader-2': 'r2', 'reader-3': 'r3', feedback: 'fb' };

const REVIEW_ID = /^(ev|fb)-\d{8}-\d{6}-[0-9a-f]{4}$/;
const LOOP_NAME = /^((?:ev|fb)-\d{8}-\d{6}-[0-9a-f]{4})-(\d{4})-(r1|r2|r3|fb)$/;

/** True when `id` is a review id (`ev-20260101-120000-1a2b` or `fb-…`). */
export function isValidReviewId(id: unknown): id is string {
  return typeof id === 'string' && REVIEW_ID.test(id);
}

/** Throws unless `id` is a review id. */
export function assertReviewId(id: string): void {
  if (!isValidReviewId(id)) throw new Error(`review id ${JSON.stringify(id)} is not valid: ev-<yyyymmdd>-<hhmmss>-<4 hex> or fb-…`);
}

/**
 * A new review id: kind, UTC time to the second and 4 hex digits of `random` (a value in [0, 1)).
 * Human loop names are unique per account and region for good, so ids never repeat a time alone.
 */
export function newReviewId(kind: ReviewKind, now: Date, random: number): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const suffix = Math.floor(random * 0x10000)
    .toString(16)
    .padStart(4, '0');
  return `${kind === 'evaluation' ? 'ev' : 'fb'}-${stamp}-${suffix}`;
}

/** The kind a review id stands for. */
export function reviewKindOf(reviewId: string): ReviewKind {
  assertReviewId(reviewId);
  return reviewId.startsWith('ev-') ? 'evaluation' : 'feedback';
}

/** `reviews/<id>/`. */
export function reviewPrefix(reviewId: string): string {
  assertReviewId(reviewId);
  return `${REVIEWS_PREFIX}${reviewId}/`;
}

/** `reviews/<id>/review.json`: the review's description ({@link ReviewDescription}). */
export function reviewDescriptionKey(reviewId: string): string {
  return `${reviewPrefix(reviewId)}review.json`;
}

/** `reviews/<id>/items.jsonl`: the items with their hidden assignment. */
export function reviewItemsKey(reviewId: string): string {
  return `${reviewPrefix(reviewId)}items.jsonl`;
}

/** `reviews/<id>/wait-token.json`: the task token of the state machine's wait, and when it was stored. */
export function waitTokenKey(reviewId: string): string {
  return `${reviewPrefix(reviewId)}wait-token.json`;
}

/** `reviews/<id>/closed.json`: written when the review's wait ended (all answered, or the deadline). */
export function closedMarkerKey(reviewId: string): string {
  return `${reviewPrefix(reviewId)}closed.json`;
}

/** `prediction_data/reviews/run_id=<run>/review_id=<id>/`. */
export function reviewResultsPrefix(runId: string, reviewId: string): string {
  assertRunId(runId);
  assertReviewId(reviewId);
  return `${REVIEW_RESULTS_PREFIX}run_id=${runId}/review_id=${reviewId}/`;
}

/** Where the rows of one loop go: `…/rows/<loop>.jsonl` (a loop's rows are rewritten whole, never appended). */
export function reviewRowsKey(runId: string, reviewId: string, loopName: string): string {
  parseLoopName(loopName);
  return `${reviewResultsPrefix(runId, reviewId)}rows/${loopName}.jsonl`;
}

/** The prefix of a review's row files. */
export function reviewRowsPrefix(runId: string, reviewId: string): string {
  return `${reviewResultsPrefix(runId, reviewId)}rows/`;
}

/** `…/summary/summary.jsonl`. */
export function reviewSummaryKey(runId: string, reviewId: string): string {
  return `${reviewResultsPrefix(runId, reviewId)}summary/summary.jsonl`;
}

/** The human loop of item `index` (0-based) for `team`: `<review id>-<nnnn>-<r1|r2|r3|fb>`, at most 28 characters. */
export function loopName(reviewId: string, index: number, team: ReviewTeam): string {
  assertReviewId(reviewId);
  if (!Number.isInteger(index) || index < 0 || index > 9999) throw new Error(`item index ${index} must be a whole number from 0 to 9999`);
  return `${reviewId}-${String(index).padStart(4, '0')}-${TEAM_CODES[team]}`;
}

/** Review, item index and team of a loop name. @throws Error when it is not one of this app's loop names. */
export function parseLoopName(name: string): { reviewId: string; index: number; team: ReviewTeam } {
  const m = LOOP_NAME.exec(name);
  if (m === null) throw new Error(`human loop ${JSON.stringify(name)} is not a loop of this app (<review id>-<nnnn>-<r1|r2|r3|fb>)`);
  const team = (Object.keys(TEAM_CODES) as ReviewTeam[]).find((t) => TEAM_CODES[t] === m[3])!;
  return { reviewId: m[1], index: Number(m[2]), team };
}

/** The item id shown in rows: the zero-padded index. */
export function itemId(index: number): string {
  return String(index).padStart(4, '0');
}

/** Physical names of the review resources, derived from the resource prefix (shared by the stack and the CLI). */
export interface ReviewNames {
  /** The private workforce (one per account and region). */
  readonly workforce: string;
  /** Work team and Cognito group of each team. */
  readonly workteam: (team: ReviewTeam) => string;
  /** Flow definition of each team. */
  readonly flowDefinition: (team: ReviewTeam) => string;
  /** Human task UI of each kind. */
  readonly humanTaskUi: (kind: ReviewKind) => string;
  /** The review state machine (named, so its task-response grant needs no reference to it). */
  readonly stateMachine: string;
}

/** Names of the review resources for a resource prefix (validated by lib/config.ts: lower-case letters, digits, hyphens). */
export function reviewNames(resourcePrefix: string): ReviewNames {
  return {
    workforce: `${resourcePrefix}-readers`,
    workteam: (team) => `${resourcePrefix}-${team}`,
    flowDefinition: (team) => `${resourcePrefix}-review-${team}`,
    humanTaskUi: (kind) => `${resourcePrefix}-${kind}-review`,
    stateMachine: `${resourcePrefix}-review`,
  };
}
