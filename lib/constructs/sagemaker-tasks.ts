/**
 * Small building blocks shared by the run's workflow fragments: the ARNs of the run's SageMaker
 * resources and their tags. How a SageMaker call is made and retried is in sagemaker-call.ts.
 */
import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { at, statePath } from '../core/json-path';
import type { RunSetup } from '../core/run/contracts';
import { TAG_APP, TAG_RUN_ID } from '../core/run/tags';

/** Kinds of SageMaker resources a run creates. */
export type SageMakerResourceType = 'training-job' | 'model' | 'endpoint-config' | 'endpoint';

/** ARN pattern of every resource of `type` whose name starts with `<prefix>-` (SageMaker lower-cases names in ARNs). */
export function sageMakerArn(scope: Construct, type: SageMakerResourceType, prefix: string): string {
  return Stack.of(scope).formatArn({ service: 'sagemaker', resource: type, resourceName: `${prefix}-*` });
}

/** Tags every SageMaker resource of a run carries (read by the janitor and the sweep); the state must hold the run's `plan`. */
export function runTags(resourcePrefix: string): { Key: string; Value?: string; 'Value.$'?: string }[] {
  return [
    { Key: TAG_APP, Value: resourcePrefix },
    { Key: TAG_RUN_ID, 'Value.$': at(statePath<Pick<RunSetup, 'plan'>>(), 'plan.runId') },
  ];
}
