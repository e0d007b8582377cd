/**
 * A SageMaker call that survives AWS as it behaves (lib/core/run/sagemaker-errors.ts): a Task state
 * with a `Retry` for transient errors that carry a specific name, and a Catch → Choice for the rest,
 * because Step Functions reports most SageMaker errors under a generic name
 * (`SageMaker.AmazonSageMakerException`, `SageMaker.SageMakerException`) whose meaning is only in
 * the Cause, which a `Retry` cannot read.
 */
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { at, type JsonPath } from '../core/json-path';
import type { CaughtError } from '../core/run/contracts';
import {
  ALREADY_EXISTS_CAUSE_PATTERN,
  GENERIC_TRANSIENT_DELAYS_SECONDS,
  GENERIC_TRANSIENT_JITTER_SECONDS,
  NAMED_TRANSIENT_RETRY,
  NOT_FOUND_CAUSE_PATTERNS,
  SAGEMAKER_GENERIC_ERRORS,
  SAGEMAKER_NOT_FOUND_ERROR,
  SAGEMAKER_TRANSIENT_ERRORS,
  TRANSIENT_CAUSE_PATTERNS,
} from '../core/run/sagemaker-errors';

/**
 * Where a call keeps its attempts and the error it caught. The calls of one stage run one after
 * another and share one scratch field; each call resets it when it starts.
 */
export interface CallScratch {
  readonly attempt: number;
  readonly delaySeconds?: number;
  readonly caught?: CaughtError;
}

/** The `Retry` of transient errors with a specific name (every SageMaker task of the run carries it). */
export const SAGEMAKER_NAMED_RETRY: sfn.RetryProps = {
  errors: [...SAGEMAKER_TRANSIENT_ERRORS],
  interval: Duration.seconds(NAMED_TRANSIENT_RETRY.intervalSeconds),
  backoffRate: NAMED_TRANSIENT_RETRY.backoffRate,
  maxAttempts: NAMED_TRANSIENT_RETRY.maxAttempts,
  maxDelay: Duration.seconds(NAMED_TRANSIENT_RETRY.maxDelaySeconds),
  jitterStrategy: sfn.JitterType.FULL,
};

/** Properties of {@link ResilientTask}. */
export interface ResilientTaskProps {
  /** The Task state (a CallAwsService or a CustomState for an optimized integration). */
  readonly task: tasks.CallAwsService | sfn.CustomState;
  /** Prefix of the helper states' names (usually the task's state name). */
  readonly label: string;
  readonly scratch: JsonPath<CallScratch>;
  /** Expose a `notFound` exit for errors that say the resource does not exist. @default false (such errors fail the call) */
  readonly handlesNotFound?: boolean;
  /**
   * Expose a `failed` exit for errors that are not retried, or no longer, with the error at
   * `scratch.caught` (`Error` and `Cause` both present). @default false (the error is raised again)
   */
  readonly handlesFailure?: boolean;
  /**
   * The task creates a resource: if a retry finds it already there ("already exist"), the first
   * attempt had succeeded, so the call is done. @default false
   */
  readonly createsResource?: boolean;
}

/**
 * One SageMaker task made resilient. Entered at `startState` (resets the scratch); leaves through
 * `endStates` (success), and, when asked for, `notFound` and `failed`.
 *
 * Decision on a caught error, in this order (the TypeScript twin is `classifyStepFunctionsError`):
 * no Cause → one is filled in; a transient name, or a generic name with a transient Cause → wait
 * `GENERIC_TRANSIENT_DELAYS_SECONDS[attempt]` plus jitter and call again, until those waits are
 * used up; `ResourceNotFoundException`, or a generic name with a not-found Cause → `notFound`; a
 * retried create that finds its resource → done; anything else → `failed` or raised again
 * unchanged. Longest time: `sageMakerCallLongestSeconds()` (lib/core/run/sagemaker-errors.ts).
 */
export class ResilientTask extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[];
  public readonly task: tasks.CallAwsService | sfn.CustomState;
  /** Where "the resource does not exist" goes (when `handlesNotFound`). */
  public readonly notFound?: sfn.Pass;
  /** Where an error that is not retried goes (when `handlesFailure`); the error is at `scratch.caught`. */
  public readonly failed?: sfn.Pass;

  constructor(scope: Construct, id: string, props: ResilientTaskProps) {
    super(scope, id);
    const { label, scratch, task } = props;
    this.task = task;
    const caught = at(scratch, 'caught');
    const error = at(caught, 'Error');
    const cause = at(caught, 'Cause');
    const attempt = at(scratch, 'attempt');

    const start = new sfn.Pass(this, 'Start', { stateName: `${label} [start]`, result: sfn.Result.fromObject({ attempt: 0 }), resultPath: scratch });
    start.next(task);
    task.addRetry(SAGEMAKER_NAMED_RETRY);
    const classify = new sfn.Choice(this, 'Classify', { stateName: `${label} [error?]` });
    task.addCatch(classify, { errors: ['States.ALL'], resultPath: caught });

    const fillCause = new sfn.Pass(this, 'FillCause', {
      stateName: `${label} [no cause]`,
      parameters: { 'Error.$': error, Cause: 'SageMaker reported no cause' },
      resultPath: caught,
    });
    fillCause.next(classify);
    const delays = GENERIC_TRANSIENT_DELAYS_SECONDS.join(', ');
    const count = new sfn.Pass(this, 'Count', {
      stateName: `${label} [back off]`,
      parameters: {
        'attempt.$': `States.MathAdd(${attempt}, 1)`,
        'delaySeconds.$': `States.MathAdd(States.ArrayGetItem(States.Array(${delays}), ${attempt}), States.MathRandom(0, ${GENERIC_TRANSIENT_JITTER_SECONDS}))`,
        'caught.$': caught,
      },
      resultPath: scratch,
    });
    count.next(new sfn.Wait(this, 'Wait', { stateName: `${label} [wait]`, time: sfn.WaitTime.secondsPath(at(scratch, 'delaySeconds')) })).next(task);

    const failTarget: sfn.IChainable = props.handlesFailure
      ? (this.failed = new sfn.Pass(this, 'Failed', { stateName: `${label} [not retried]` }))
      : new sfn.Fail(this, 'Raise', { stateName: `${label} [raise]`, errorPath: error, causePath: cause });
    if (props.handlesNotFound) this.notFound = new sfn.Pass(this, 'NotFound', { stateName: `${label} [not found]` });

    const oneOf = (values: readonly string[]): sfn.Condition => sfn.Condition.or(...values.map((v) => sfn.Condition.stringEquals(error, v)));
    const causeMatches = (patterns: readonly string[]): sfn.Condition => sfn.Condition.or(...patterns.map((p) => sfn.Condition.stringMatches(cause, p)));
    const generic = oneOf(SAGEMAKER_GENERIC_ERRORS);
    const transient = sfn.Condition.or(oneOf(SAGEMAKER_TRANSIENT_ERRORS), sfn.Condition.and(generic, causeMatches(TRANSIENT_CAUSE_PATTERNS)));
    const exhausted = sfn.Condition.numberGreaterThanEquals(attempt, GENERIC_TRANSIENT_DELAYS_SECONDS.length);

    // Rules are tested in order, so every rule after the first may read the Cause.
    classify.when(sfn.Condition.not(sfn.Condition.isPresent(cause)), fillCause);
    classify.when(sfn.Condition.and(transient, exhausted), failTarget);
    classify.when(transient, count);
    if (this.notFound !== undefined) {
      classify.when(
        sfn.Condition.or(sfn.Condition.stringEquals(error, SAGEMAKER_NOT_FOUND_ERROR), sfn.Condition.and(generic, causeMatches(NOT_FOUND_CAUSE_PATTERNS))),
        this.notFound,
      );
    }
    const ends: sfn.INextable[] = [task];
    if (props.createsResource) {
      const alreadyThere = new sfn.Pass(this, 'AlreadyThere', { stateName: `${label} [created by an earlier attempt]` });
      classify.when(
        sfn.Condition.and(sfn.Condition.numberGreaterThan(attempt, 0), generic, sfn.Condition.stringMatches(cause, ALREADY_EXISTS_CAUSE_PATTERN)),
        alreadyThere,
      );
      ends.push(alreadyThere);
    }
    classify.otherwise(failTarget);

    this.startState = start;
    this.endStates = ends;
  }
}

/** Properties of {@link sageMakerCall}. */
export interface SageMakerCallProps extends Omit<ResilientTaskProps, 'task' | 'label'> {
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

/** A resilient SageMaker AWS SDK call (`arn:aws:states:::aws-sdk:sagemaker:<action>`). */
export function sageMakerCall(scope: Construct, stateName: string, props: SageMakerCallProps): ResilientTask {
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
  return new ResilientTask(scope, `${stateName}Resilience`, { ...props, task, label: stateName });
}
