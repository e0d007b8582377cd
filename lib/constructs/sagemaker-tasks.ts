/**
 * Small building blocks shared by the run's workflow fragments: SageMaker SDK calls with the
 * project's retry policy, the ARNs of the run's SageMaker resources, tags and error names.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { at, statePath, type JsonPath } from '../core/json-path';
import { NOT_FOUND_MESSAGES } from '../core/run/cleanup-plan';
import type { CaughtError, RunSetup } from '../core/run/contracts';
import { TAG_APP, TAG_RUN_ID } from '../core/run/tags';

/** Kinds of SageMaker resources a run creates. */
export type SageMakerResourceType = 'training-job' | 'model' | 'endpoint-config' | 'endpoint';

/** ARN pattern of every resource of `type` whose name starts with `<prefix>-` (SageMaker lower-cases names in ARNs). */
export function sageMakerArn(scope: Construct, type: SageMakerResourceType, prefix: string): string {
  return Stack.of(scope).formatArn({ service: 'sagemaker', resource: type, resourceName: `${prefix}-*` });
}

/**
 * Errors Step Functions reports for a throttled SageMaker call: the AWS SDK integration names it
 * after the service (`SageMaker.ThrottlingException`), the optimized integration does not.
 */
export const SAGEMAKER_THROTTLING_ERRORS = ['SageMaker.ThrottlingException', 'ThrottlingException'];

/**
 * Errors a SageMaker SDK call raises for a missing resource. SageMaker reports most of them as a
 * generic ValidationException ("Could not find …"), which the AWS SDK integration surfaces as
 * `SageMaker.SageMakerException`; the message is checked before a catch treats it as "gone".
 */
export const SAGEMAKER_NOT_FOUND_ERRORS = ['SageMaker.SageMakerException', 'SageMaker.ValidationException', 'SageMaker.ResourceNotFoundException'];

/** Message patterns (Step Functions `StringMatches`) of a missing SageMaker resource. */
export const NOT_FOUND_CAUSE_PATTERNS = NOT_FOUND_MESSAGES.map((message) => `*${message}*`);

/** Back-off applied to every SageMaker call on throttling. */
export const SAGEMAKER_RETRY: sfn.RetryProps = {
  errors: SAGEMAKER_THROTTLING_ERRORS,
  interval: Duration.seconds(5),
  backoffRate: 2,
  maxAttempts: 6,
  maxDelay: Duration.minutes(2),
  jitterStrategy: sfn.JitterType.FULL,
};

/** Tags every SageMaker resource of a run carries (read by the janitor and the sweep); the state must hold the run's `plan`. */
export function runTags(resourcePrefix: string): { Key: string; Value?: string; 'Value.$'?: string }[] {
  return [
    { Key: TAG_APP, Value: resourcePrefix },
    { Key: TAG_RUN_ID, 'Value.$': at(statePath<Pick<RunSetup, 'plan'>>(), 'plan.runId') },
  ];
}

/** Properties of {@link sageMakerCall}. */
export interface SageMakerCallProps {
  /** API action in SDK camel case, e.g. `describeEndpoint`. */
  readonly action: string;
  /** The IAM action, e.g. `sagemaker:DescribeEndpoint`. */
  readonly iamAction: string;
  readonly parameters: Record<string, unknown>;
  readonly iamResources: string[];
  /** `'$'` replaces the state with the (selected) result. @default - the result is discarded */
  readonly resultPath?: string;
  readonly resultSelector?: Record<string, unknown>;
  readonly comment?: string;
  readonly additionalIamStatements?: iam.PolicyStatement[];
}

/** A SageMaker AWS SDK call (`arn:aws:states:::aws-sdk:sagemaker:<action>`) with the throttling retry. */
export function sageMakerCall(scope: Construct, stateName: string, props: SageMakerCallProps): tasks.CallAwsService {
  const task = new tasks.CallAwsService(scope, stateName, {
    service: 'sagemaker',
    action: props.action,
    iamAction: props.iamAction,
    parameters: props.parameters,
    iamResources: props.iamResources,
    // '$' is the default ResultPath and is left unrendered.
    resultPath: props.resultPath === '$' ? undefined : (props.resultPath ?? sfn.JsonPath.DISCARD),
    resultSelector: props.resultSelector,
    comment: props.comment,
    additionalIamStatements: props.additionalIamStatements,
  });
  task.addRetry(SAGEMAKER_RETRY);
  return task;
}

/** A Choice condition true when the caught error at `errorPath` says the resource does not exist. */
export function isNotFound(errorPath: JsonPath<CaughtError>): sfn.Condition {
  return sfn.Condition.or(...NOT_FOUND_CAUSE_PATTERNS.map((pattern) => sfn.Condition.stringMatches(at(errorPath, 'Cause'), pattern)));
}
