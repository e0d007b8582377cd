/**
 * The CloudWatch log groups SageMaker writes a run's container output to. SageMaker names them
 * itself; the app creates (endpoints) or adopts (training jobs) them first so they are encrypted
 * with the data key and expire (README "Security model"). Container output can hold report text:
 * a stack trace quoting a malformed record, a library printing a sample.
 */

/** The one log group of every training job of the account and region (one stream per job). */
export const TRAINING_JOBS_LOG_GROUP = '/aws/sagemaker/TrainingJobs';

/** Prefix of the per-endpoint log groups: `/aws/sagemaker/Endpoints/<endpoint name>`. */
export const ENDPOINT_LOG_GROUP_PREFIX = '/aws/sagemaker/Endpoints/';

/** The log group of endpoint `endpointName`. */
export function endpointLogGroup(endpointName: string): string {
  return `${ENDPOINT_LOG_GROUP_PREFIX}${endpointName}`;
}

/** Days SageMaker's container logs are kept (a CloudWatch Logs retention value). */
export const SAGEMAKER_LOG_RETENTION_DAYS = 90;
