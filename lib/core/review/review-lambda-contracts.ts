/**
 * Event and result shapes of the review state machine's Lambdas and of the review custom resources,
 * the environment variables they read, and the error names a `Catch` can match. The ReviewStack
 * builds the state machine from these; lambda/review and lambda/review-resources implement them.
 */
import { parseEvent, type EventReader } from '../event-reader';
import { isValidReviewId, type ReviewTeam } from './keys';

/** Environment of the review Lambdas. */
export const REVIEW_ENV = {
  /** The data bucket. */
  dataBucket: 'DATA_BUCKET',
  /** JSON object: team → flow definition ARN. */
  flowDefinitions: 'FLOW_DEFINITION_ARNS',
} as const;

/** `Error.name` of the errors the review Lambdas throw on purpose. */
export const REVIEW_ERROR_NAMES = {
  /** The review's description or items are missing or malformed: nothing can be started. Do not retry. */
  invalidReview: 'InvalidReviewError',
} as const;

/** Execution input of the review state machine (written by `impressions review start|drafts`). */
export interface ReviewExecutionInput {
  readonly reviewId: string;
  readonly runId: string;
}

/** Event of `startLoops`: start the loops from position `next` (0 first) of items × teams. */
export interface StartLoopsEvent extends ReviewExecutionInput {
  readonly next: number;
}

/** Result of `startLoops`. */
export interface StartLoopsResult extends ReviewExecutionInput {
  /** Position to continue from, or null when every loop is started. */
  readonly next: number | null;
  readonly loops: number;
  /** Loops started by this call. */
  readonly started: number;
  /** Loops that already existed (a repeated call). */
  readonly existing: number;
  /** Seconds from now to the review's deadline (at least 1): the wait's timeout. */
  readonly waitSeconds: number;
}

/** Event of `storeWaitToken` (a `lambda:invoke.waitForTaskToken` task). */
export interface WaitEvent extends ReviewExecutionInput {
  readonly token: string;
}

/** What the wait's SendTaskSuccess carries. */
export interface WaitOutcome {
  readonly reason: 'answered';
  readonly loops: number;
  readonly finished: number;
}

/** Event of `closeReview`: stop and collect every loop without rows from position `next`. */
export interface CloseEvent extends ReviewExecutionInput {
  readonly next: number;
  /** Why the review closes: every loop finished, the deadline passed, or starting failed. */
  readonly reason: 'answered' | 'deadline' | 'error';
}

/** Result of `closeReview`. */
export interface CloseResult extends ReviewExecutionInput {
  readonly next: number | null;
  readonly reason: CloseEvent['reason'];
  /** Loops that already had rows. */
  readonly final: number;
  /** Loops whose outcome this call wrote (answered, failed or stopped). */
  readonly collected: number;
  /** Loops this call stopped. */
  readonly stopped: number;
}

/** Event of `summarizeReview`. */
export type SummarizeEvent = ReviewExecutionInput;

/** Result of `summarizeReview` (counts only). */
export interface SummarizeResult extends ReviewExecutionInput {
  readonly summaryKey: string;
  readonly rows: number;
  readonly loops: number;
  readonly answered: number;
  readonly figures: number;
}

// ---------------------------------------------------------------------------------------------
// Parsers of the events above (each throws InvalidEventError naming every bad field)

/** The reasons a review closes, as {@link CloseEvent} names them. */
const CLOSE_REASONS: readonly CloseEvent['reason'][] = ['answered', 'deadline', 'error'];

function readExecutionInput(r: EventReader): ReviewExecutionInput {
  return { reviewId: r.string('reviewId', isValidReviewId, 'a review id (ev-<yyyymmdd>-<hhmmss>-<4 hex> or fb-…)'), runId: r.string('runId') };
}

/** Parses the event of `startLoops`. */
export function parseStartLoopsEvent(event: unknown): StartLoopsEvent {
  return parseEvent('review startLoops', event, (r) => ({ ...readExecutionInput(r), next: r.number('next', { integer: true, min: 0 }) }));
}

/** Parses the event of `storeWaitToken`. */
export function parseWaitEvent(event: unknown): WaitEvent {
  return parseEvent('review storeWaitToken', event, (r) => ({ ...readExecutionInput(r), token: r.string('token', (t) => t !== '', 'the task token') }));
}

/** Parses the event of `closeReview`. */
export function parseCloseEvent(event: unknown): CloseEvent {
  return parseEvent('review closeReview', event, (r) => ({
    ...readExecutionInput(r),
    next: r.number('next', { integer: true, min: 0 }),
    reason: r.oneOf('reason', CLOSE_REASONS),
  }));
}

/** Parses the event of `summarizeReview`. */
export function parseSummarizeEvent(event: unknown): SummarizeEvent {
  return parseEvent('review summarizeReview', event, readExecutionInput);
}

/** Flow definition ARNs by team, as the Lambdas read them from {@link REVIEW_ENV.flowDefinitions}. */
export type FlowDefinitionArns = Partial<Record<ReviewTeam, string>>;

/** Custom resource types of the review stack (lambda/review-resources). */
export const REVIEW_RESOURCE_TYPES = {
  workforce: 'Custom::ReviewWorkforce',
  humanTaskUi: 'Custom::ReviewHumanTaskUi',
  flowDefinition: 'Custom::ReviewFlowDefinition',
} as const;

/** Properties of `Custom::ReviewWorkforce` (CloudFormation passes every value as a string). */
export interface WorkforceProperties {
  readonly WorkforceName: string;
  readonly UserPoolId: string;
  readonly ClientId: string;
  /** Up to 10 CIDRs readers may work from; empty: anywhere. */
  readonly Cidrs: readonly string[];
}

/** Properties of `Custom::ReviewHumanTaskUi`. */
export interface HumanTaskUiProperties {
  /** Base name: the resource is named `<base>-<hash of the template>` (UIs are immutable, so a new template is a new UI). */
  readonly HumanTaskUiName: string;
  readonly Template: string;
}

/** Properties of `Custom::ReviewFlowDefinition`. */
export interface FlowDefinitionProperties {
  /** Base name: the resource is named `<base>-<hash of the other properties>` (flow definitions are immutable). */
  readonly FlowDefinitionName: string;
  readonly WorkteamArn: string;
  readonly HumanTaskUiArn: string;
  readonly RoleArn: string;
  readonly OutputPath: string;
  readonly KmsKeyArn: string;
  readonly TaskTitle: string;
  readonly TaskDescription: string;
  readonly TaskAvailabilitySeconds: string;
  readonly TaskTimeLimitSeconds: string;
}
