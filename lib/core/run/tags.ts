/**
 * Tags put on every SageMaker resource a run creates (training job, models, endpoint configs,
 * endpoints). The janitor and the stack-deletion sweep find what to delete by these tags alone, so a
 * resource created without them is never cleaned up automatically.
 */

/** Tag key whose value is the app's resource prefix (config `resourcePrefix`, default `impressions`). */
export const TAG_APP = 'impressions:app';

/** Tag key whose value is the run id (see {@link runIdFromExecutionName}). */
export const TAG_RUN_ID = 'impressions:run-id';

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
