import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { at, CONTEXT_PATHS, keysOf, statePath, type JsonPath } from '../core/json-path';
import { SETTLING_ENDPOINT_STATUSES } from '../core/run/cleanup-plan';
import type { CaughtError, EndpointTeardown } from '../core/run/contracts';
import type { HostingNames } from '../core/run/naming';
import { SAGEMAKER_NOT_FOUND_ERRORS, isNotFound, sageMakerArn, sageMakerCall } from './sagemaker-tasks';
import { ref, stateFields } from './state-json';
import { TaskLikeStage } from './task-like-stage';

/** Properties of {@link EndpointTeardownStage}. */
export interface EndpointTeardownStageProps {
  /** Prefix of every state name of this instance, e.g. `pretrained` or `clean-up fine-tuned`. */
  readonly label: string;
  /** The names to delete, e.g. `$.plan.names.pretrained`. */
  readonly namesPath: JsonPath<HostingNames>;
  /** Where the stage writes its result. */
  readonly resultPath: JsonPath<EndpointTeardown>;
  /** Prefix of every SageMaker name (IAM scope). */
  readonly resourcePrefix: string;
  /** Time between two status checks of a settling endpoint. */
  readonly pollInterval: Duration;
  /** Most status checks of a settling endpoint before the stage fails with `EndpointStillSettling`. */
  readonly maxPolls: number;
}

/** The stage's own field beside the state it is given (inside its branch only). */
interface TeardownScratch {
  readonly settle: {
    readonly count: number;
    /** The fields of DescribeEndpoint the stage reads. */
    readonly endpoint: { readonly EndpointStatus: string };
    /** A caught SageMaker error, checked for "not found". */
    readonly error: CaughtError;
  };
}

/**
 * Deletes one model's endpoint, endpoint config and model, in that order, each at most once.
 * An endpoint that is still Creating (or Updating, SystemUpdating, RollingBack) cannot be deleted,
 * so the stage polls DescribeEndpoint until it settles; one already Deleting is left to finish.
 * A resource that does not exist (never created, or already deleted) is skipped: the clean-up can
 * run after any failure without knowing how far the run got.
 *
 * A {@link TaskLikeStage}.
 *
 * Input: the run state with the names at `namesPath`. Output: the input with `{ "deleted": true, "kept": false, "deletedAt": <ISO time> }` at
 * `resultPath`. Errors: `EndpointStillSettling` after `maxPolls` checks (the janitor retries later),
 * and any SageMaker error other than "not found" after its retries.
 */
export class EndpointTeardownStage extends TaskLikeStage<EndpointTeardown> {
  constructor(scope: Construct, id: string, props: EndpointTeardownStageProps) {
    super(scope, id, {
      stateName: `Delete ${props.label}`,
      resultKeys: keysOf<EndpointTeardown>({ deleted: true, kept: true, deletedAt: true }),
      resultPath: props.resultPath,
    });
    const { label, namesPath, resourcePrefix } = props;
    const settle = at(statePath<TeardownScratch>(), 'settle');
    const endpointStatus = at(settle, 'endpoint.EndpointStatus');

    const start = new sfn.Pass(this, 'Start', { stateName: `${label}: start teardown`, result: sfn.Result.fromObject({ count: 0 }), resultPath: settle });
    const describe = sageMakerCall(this, `${label}: check endpoint`, {
      action: 'describeEndpoint',
      iamAction: 'sagemaker:DescribeEndpoint',
      iamResources: [sageMakerArn(this, 'endpoint', resourcePrefix)],
      parameters: { 'EndpointName.$': at(namesPath, 'endpoint') },
      resultSelector: { 'EndpointStatus.$': '$.EndpointStatus' },
      resultPath: at(settle, 'endpoint'),
    });
    const wait = new sfn.Wait(this, 'Wait', { stateName: `${label}: wait for endpoint to settle`, time: sfn.WaitTime.duration(props.pollInterval) });
    const count = new sfn.Pass(this, 'Count', {
      stateName: `${label}: count settle checks`,
      parameters: { 'count.$': `States.MathAdd(${at(settle, 'count')}, 1)` },
      resultPath: settle,
    });
    const stillSettling = new sfn.Fail(this, 'StillSettling', {
      stateName: `${label}: endpoint still settling`,
      error: 'EndpointStillSettling',
      cause: `The ${label} endpoint did not leave Creating/Updating after ${props.maxPolls} checks; the janitor deletes it later.`,
    });

    const deleteEndpoint = sageMakerCall(this, `${label}: delete endpoint`, {
      action: 'deleteEndpoint',
      iamAction: 'sagemaker:DeleteEndpoint',
      iamResources: [sageMakerArn(this, 'endpoint', resourcePrefix)],
      parameters: { 'EndpointName.$': at(namesPath, 'endpoint') },
    });
    const deleteConfig = sageMakerCall(this, `${label}: delete endpoint config`, {
      action: 'deleteEndpointConfig',
      iamAction: 'sagemaker:DeleteEndpointConfig',
      iamResources: [sageMakerArn(this, 'endpoint-config', resourcePrefix)],
      parameters: { 'EndpointConfigName.$': at(namesPath, 'endpointConfig') },
    });
    const deleteModel = sageMakerCall(this, `${label}: delete model`, {
      action: 'deleteModel',
      iamAction: 'sagemaker:DeleteModel',
      iamResources: [sageMakerArn(this, 'model', resourcePrefix)],
      parameters: { 'ModelName.$': at(namesPath, 'model') },
    });
    // The end of the endpoint's billed time in the cost estimate.
    const done = new sfn.Pass(this, 'Done', {
      stateName: `${label}: torn down`,
      parameters: stateFields<EndpointTeardown>({ deleted: true, kept: false, deletedAt: ref(CONTEXT_PATHS.stateEnteredTime) }),
    });

    // A caught error is re-raised unchanged unless it says the resource does not exist.
    const tolerateNotFound = (task: sfn.TaskStateBase, next: sfn.IChainable, what: string): void => {
      const reraise = new sfn.Fail(this, `Reraise${what}`, {
        stateName: `${label}: ${what} failed`,
        errorPath: at(settle, 'error.Error'),
        causePath: at(settle, 'error.Cause'),
      });
      task.addCatch(
        new sfn.Choice(this, `Gone${what}`, { stateName: `${label}: ${what} gone?` }).when(isNotFound(at(settle, 'error')), next).otherwise(reraise),
        { errors: SAGEMAKER_NOT_FOUND_ERRORS, resultPath: at(settle, 'error') },
      );
    };
    tolerateNotFound(describe, deleteConfig, 'check endpoint');
    tolerateNotFound(deleteEndpoint, deleteConfig, 'delete endpoint');
    tolerateNotFound(deleteConfig, deleteModel, 'delete endpoint config');
    tolerateNotFound(deleteModel, done, 'delete model');

    start.next(describe).next(
      new sfn.Choice(this, 'Status', { stateName: `${label}: endpoint settled?` })
        .when(
          sfn.Condition.or(...[...SETTLING_ENDPOINT_STATUSES].map((s) => sfn.Condition.stringEquals(endpointStatus, s))),
          new sfn.Choice(this, 'Patience', { stateName: `${label}: keep waiting?` })
            .when(sfn.Condition.numberGreaterThanEquals(at(settle, 'count'), props.maxPolls), stillSettling)
            .otherwise(wait),
        )
        .when(sfn.Condition.stringEquals(endpointStatus, 'Deleting'), deleteConfig)
        .otherwise(deleteEndpoint),
    );
    wait.next(count).next(describe);
    deleteEndpoint.next(deleteConfig).next(deleteModel).next(done);

    this.unit.branch(start);
  }
}
