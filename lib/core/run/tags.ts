/**
 * Tags put on every SageMaker resource a run creates (training job, models, endpoint configs,
 * endpoints). The janitor and the stack-deletion sweep find what to delete by these tags alone, so a
 * resource created without them is never cleaned up automatically.
 */

/** Tag key whose value is the app's resource prefix (config `resourcePrefix`, default `impressions`). */
export const TAG_APP = 'impressions:app';

/** Tag key whose value is the run id (see {@link runIdFromExecutionName}). */
export const TAG_RUN_ID = 'impressions:run-id';

/**
 * Tag key (value `true`) a run puts on an endpoint it leaves running on purpose (`keepEndpoints`).
 * The run's own clean-up, the janitor and the hourly orphan check leave such an endpoint (and its
 * config and model) alone; `impressions endpoints delete` and the stack-deletion sweep remove it.
 */
export const TAG_KEEP = 'impressions:keep';

/** One tag in the shape SageMaker's Create* calls take. */
export interface SageMakerTag {
  readonly Key: string;
  readonly Value: string;
}

/**
 * The tags of one run's resources, in SageMaker's `Tags` shape.
 * Tag values are not validated here: the prefix comes from validated config and the run id from
 * {@link runIdFromExecutionName}, both of which only contain `[a-zA-Z0-9-]`.
 */
export function runTags(resourcePrefix: string, runId: string): SageMakerTag[] {
  return [
    { Key: TAG_APP, Value: resourcePrefix },
    { Key: TAG_RUN_ID, Value: runId },
  ];
}
