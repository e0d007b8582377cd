/**
 * Pure parts of run clean-up: which tagged resources belong to whom, what each is called, and in
 * which order they go. The janitor and the stack-deletion sweep share them.
 */
import { runResourceNames, sameSageMakerName } from './naming';
import { TAG_APP, TAG_RUN_ID } from './tags';

/** SageMaker resource kinds a run creates, in deletion order. */
export const CLEANUP_KINDS = ['training-job', 'endpoint', 'endpoint-config', 'model'] as const;

/** One of {@link CLEANUP_KINDS}. */
export type CleanupKind = (typeof CLEANUP_KINDS)[number];

/** `ResourceTypeFilters` for the Resource Groups Tagging API. */
export const CLEANUP_RESOURCE_TYPE_FILTERS = CLEANUP_KINDS.map((k) => `sagemaker:${k}`);

/** A tagged SageMaker resource to clean up. */
export interface TaggedResource {
  readonly kind: CleanupKind;
  /** The name to call SageMaker with (case restored from the run's names where possible). */
  readonly name: string;
  readonly arn: string;
  readonly runId: string;
}

/** A resource as the tagging API lists it. */
export interface TagMapping {
  readonly ResourceARN?: string;
  readonly Tags?: readonly { readonly Key?: string; readonly Value?: string }[];
}

const ARN = /^arn:[a-z-]+:sagemaker:[a-z0-9-]+:\d{12}:(training-job|endpoint|endpoint-config|model)\/(.+)$/;

/**
 * Keeps the mappings tagged with this app's prefix (and run id, when given) and turns them into
 * resources. Tags are checked again here, so a tagging API that ignored a filter could still not
 * make clean-up touch another app's resources. ARNs carry names in lower case; the real name is
 * recovered from the run id tag through {@link runResourceNames}, else the ARN's name is used.
 */
export function toTaggedResources(mappings: readonly TagMapping[], prefix: string, runId?: string): TaggedResource[] {
  const result: TaggedResource[] = [];
  for (const m of mappings) {
    const tags = new Map((m.Tags ?? []).map((t) => [t.Key, t.Value]));
    const tagRunId = tags.get(TAG_RUN_ID);
    if (tags.get(TAG_APP) !== prefix || tagRunId === undefined || (runId !== undefined && tagRunId !== runId)) continue;
    const match = ARN.exec(m.ResourceARN ?? '');
    if (match === null) continue;
    const kind = match[1] as CleanupKind;
    result.push({ kind, name: realName(kind, match[2], prefix, tagRunId), arn: m.ResourceARN!, runId: tagRunId });
  }
  return result.sort((a, b) => CLEANUP_KINDS.indexOf(a.kind) - CLEANUP_KINDS.indexOf(b.kind));
}

function realName(kind: CleanupKind, arnName: string, prefix: string, runId: string): string {
  let names;
  try {
    names = runResourceNames(prefix, runId);
  } catch {
    return arnName;
  }
  const candidates =
    kind === 'training-job'
      ? [names.trainingJob]
      : kind === 'endpoint'
        ? [names.pretrained.endpoint, names.fineTuned.endpoint]
        : kind === 'endpoint-config'
          ? [names.pretrained.endpointConfig, names.fineTuned.endpointConfig]
          : [names.pretrained.model, names.fineTuned.model];
  return candidates.find((c) => sameSageMakerName(c, arnName)) ?? arnName;
}

/** Execution statuses after which the janitor deletes what the run left (its EventBridge rule and its own check). */
export const JANITOR_STATUSES = ['ABORTED', 'TIMED_OUT', 'FAILED'] as const;

/** Endpoint statuses in which DeleteEndpoint is refused: wait for them to settle (the janitor, the sweep and the run's teardown). */
export const SETTLING_ENDPOINT_STATUSES: ReadonlySet<string> = new Set(['Creating', 'Updating', 'SystemUpdating', 'RollingBack']);

/** Training job statuses that still hold instances. */
export const RUNNING_TRAINING_STATUSES: ReadonlySet<string> = new Set(['InProgress', 'Stopping']);

/**
 * What SageMaker says in the message of an error about a resource that does not exist (it reports
 * most of them as a generic ValidationException). The one list: {@link isNotFound} reads SDK errors
 * with it, the state machine's "gone?" choices match caught errors' causes with it
 * (lib/constructs/sagemaker-tasks.ts).
 */
export const NOT_FOUND_MESSAGES = ['Could not find', 'not found', 'does not exist'] as const;

const NOT_FOUND_MESSAGE = new RegExp(NOT_FOUND_MESSAGES.join('|'), 'i');

/**
 * Whether a SageMaker SDK error means "no such resource": `ResourceNotFound` (training jobs) or a
 * `ValidationException` whose message says so ({@link NOT_FOUND_MESSAGES}: endpoints, configs, models).
 * The CLI (`impressions status`), the janitor, the sweep and the quota check all use this rule.
 */
export function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  if (e?.name === 'ResourceNotFound') return true;
  return e?.name === 'ValidationException' && NOT_FOUND_MESSAGE.test(e.message ?? '');
}

/** `fn()`'s result, or `undefined` when it fails because the resource does not exist ({@link isNotFound}); other errors propagate. */
export async function unlessGone<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
