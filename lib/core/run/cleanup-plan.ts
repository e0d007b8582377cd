/**
 * Pure parts of run clean-up: which tagged resources belong to whom, what each is called, and in
 * which order they go. The janitor, the orphan check, the stack-deletion sweep and
 * `impressions endpoints delete` share them (lib/aws/sagemaker-cleanup.ts does the calls).
 */
import { runResourceNames, sameSageMakerName } from './naming';
import { isSdkNotFound } from './sagemaker-errors';
import { TAG_APP, TAG_KEEP, TAG_RUN_ID } from './tags';

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
  /** The run that created it; absent for a resource tagged with the app but no run id. */
  readonly runId?: string;
  /** Tagged `impressions:keep` (an endpoint left running on purpose with `keepEndpoints`). */
  readonly kept: boolean;
  /** Not in the tagging API's answer: one of a run's own endpoint names, looked up because the tagging index lags. */
  readonly unlisted?: true;
}

/**
 * Which of the app's tagged resources a clean-up looks at: one run's (both tags), every one (the
 * app tag, with or without a run id), or those with the app tag and no run id.
 */
export type CleanupScope = { readonly runId: string } | 'app' | 'unassigned';

/** A resource as the tagging API lists it. */
export interface TagMapping {
  readonly ResourceARN?: string;
  readonly Tags?: readonly { readonly Key?: string; readonly Value?: string }[];
}

const ARN = /^arn:[a-z-]+:sagemaker:[a-z0-9-]+:\d{12}:(training-job|endpoint|endpoint-config|model)\/(.+)$/;

/**
 * Keeps the mappings tagged with this app's prefix that are in `scope`, and turns them into
 * resources. Tags are checked again here, so a tagging API that ignored a filter could still not
 * make clean-up touch another app's resources, nor an untagged one. ARNs carry names in lower case;
 * the real name is recovered from the run id tag through {@link runResourceNames}, else the ARN's
 * name is used.
 */
export function toTaggedResources(mappings: readonly TagMapping[], prefix: string, scope: CleanupScope): TaggedResource[] {
  const result: TaggedResource[] = [];
  for (const m of mappings) {
    const tags = new Map((m.Tags ?? []).map((t) => [t.Key, t.Value]));
    const tagRunId = tags.get(TAG_RUN_ID);
    if (tags.get(TAG_APP) !== prefix) continue;
    if (scope === 'unassigned' && tagRunId !== undefined) continue;
    if (typeof scope === 'object' && tagRunId !== scope.runId) continue;
    const match = ARN.exec(m.ResourceARN ?? '');
    if (match === null) continue;
    const kind = match[1] as CleanupKind;
    const name = tagRunId === undefined ? match[2] : realName(kind, match[2], prefix, tagRunId);
    result.push({ kind, name, arn: m.ResourceARN!, ...(tagRunId === undefined ? {} : { runId: tagRunId }), kept: tags.has(TAG_KEEP) });
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

/**
 * Execution statuses the janitor's EventBridge rule sends to it. ABORTED and TIMED_OUT runs never
 * reached their clean-up; a FAILED run did, and the janitor acts on it only when its error is
 * `CleanupIncomplete` (it describes the execution: the status-change event carries no error).
 */
export const JANITOR_STATUSES = ['ABORTED', 'TIMED_OUT', 'FAILED'] as const;

/** Endpoint statuses in which DeleteEndpoint is refused: wait for them to settle (the janitor, the sweep and the run's teardown). */
export const SETTLING_ENDPOINT_STATUSES: ReadonlySet<string> = new Set(['Creating', 'Updating', 'SystemUpdating', 'RollingBack']);

/** Training job statuses that still hold instances. */
export const RUNNING_TRAINING_STATUSES: ReadonlySet<string> = new Set(['InProgress', 'Stopping']);

/**
 * Whether a JavaScript SDK v3 SageMaker error means "no such resource" (see `isSdkNotFound`,
 * lib/core/run/sagemaker-errors.ts). The CLI (`impressions status`, `impressions endpoints`), the
 * clean-up pass (janitor, sweep, orphan check) and the quota check all use this rule, most through {@link unlessGone}.
 */
export function isNotFound(error: unknown): boolean {
  return isSdkNotFound(error);
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
