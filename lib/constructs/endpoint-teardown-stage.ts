import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { SETTLING_ENDPOINT_STATUSES } from '../core/run/cleanup-plan';
import { SAGEMAKER_NOT_FOUND_ERRORS, isNotFound, sageMakerArn, sageMakerCall } from './sagemaker-tasks';
import { TaskLikeStage } from './task-like-stage';

/** Properties of {@link EndpointTeardownStage}. */
export interface EndpointTeardownStageProps {
  /** Prefix of every state name of this instance, e.g. `pretrained` or `clean-up fine-tuned`. */
  readonly label: string;
  /** JSONPath of the names to delete (`{model, endpointConfig, endpoint}`), e.g. `$.plan.names.pretrained`. */
  readonly namesPath: string;
  /** JSONPath at which the stage writes `{ "deleted": true }`. */
  readonly resultPath: string;
  /** Prefix of every SageMaker name (IAM scope). */
  readonly resourcePrefix: string;
  /** Time between two status checks of a settling endpoint. */
  readonly pollInterval: Duration;
  /** Most status checks of a settling endpoint before the stage fails with `EndpointStillSettling`. */
  readonly maxPolls: number;
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
export class EndpointTeardownStage extends TaskLikeStage {
  constructor(scope: Construct, id: string, props: EndpointTeardownStageProps) {
    super(scope, id, { stateName: `Delete ${props.label}`, resultKeys: ['deleted', 'kept', 'deletedAt'], resultPath: props.resultPath });
    const { label, namesPath, resourcePrefix } = props;

    const start = new sfn.Pass(this, 'Start', { stateName: `${label}: start teardown`, result: sfn.Result.fromObject({ count: 0 }), resultPath: '$.settle' });
    const describe = sageMakerCall(this, `${label}: check endpoint`, {
      action: 'describeEndpoint',
      iamAction: 'sagemaker:DescribeEndpoint',
      iamResources: [sageMakerArn(this, 'endpoint', resourcePrefix)],
      parameters: { 'EndpointName.$': `${namesPath}.endpoint` },
      resultSelector: { 'EndpointStatus.$': '$.EndpointStatus' },
      resultPath: '$.settle.endpoint',
    });
    const wait = new sfn.Wait(this, 'Wait', { stateName: `${label}: wait for endpoint to settle`, time: sfn.WaitTime.duration(props.pollInterval) });
    const count = new sfn.Pass(this, 'Count', {
      stateName: `${label}: count settle checks`,
      parameters: { 'count.$': 'States.MathAdd($.settle.count, 1)' },
      resultPath: '$.settle',
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
      parameters: { 'EndpointName.$': `${namesPath}.endpoint` },
    });
    const deleteConfig = sageMakerCall(this, `${label}: delete endpoint config`, {
      action: 'deleteEndpointConfig',
      iamAction: 'sagemaker:DeleteEndpointConfig',
      iamResources: [sageMakerArn(this, 'endpoint-config', resourcePrefix)],
      parameters: { 'EndpointConfigName.$': `${namesPath}.endpointConfig` },
    });
    const deleteModel = sageMakerCall(this, `${label}: delete model`, {
      action: 'deleteModel',
      iamAction: 'sagemaker:DeleteModel',
      iamResources: [sageMakerArn(this, 'model', resourcePrefix)],
      parameters: { 'ModelName.$': `${namesPath}.model` },
    });
    // The end of the endpoint's billed time in the cost estimate.
    const done = new sfn.Pass(this, 'Done', {
      stateName: `${label}: torn down`,
      parameters: { deleted: true, kept: false, 'deletedAt.$': '$$.State.EnteredTime' },
    });

    // A caught error is re-raised unchanged unless it says the resource does not exist.
    const tolerateNotFound = (task: sfn.TaskStateBase, next: sfn.IChainable, what: string): void => {
      const reraise = new sfn.Fail(this, `Reraise${what}`, {
        stateName: `${label}: ${what} failed`,
        errorPath: '$.settle.error.Error',
        causePath: '$.settle.error.Cause',
      });
      task.addCatch(new sfn.Choice(this, `Gone${what}`, { stateName: `${label}: ${what} gone?` }).when(isNotFound('$.settle.error'), next).otherwise(reraise), {
        errors: SAGEMAKER_NOT_FOUND_ERRORS,
        resultPath: '$.settle.error',
      });
    };
    tolerateNotFound(describe, deleteConfig, 'check endpoint');
    tolerateNotFound(deleteEndpoint, deleteConfig, 'delete endpoint');
    tolerateNotFound(deleteConfig, deleteModel, 'delete endpoint config');
    tolerateNotFound(deleteModel, done, 'delete model');

    start.next(describe).next(
      new sfn.Choice(this, 'Status', { stateName: `${label}: endpoint settled?` })
        .when(
          sfn.Condition.or(...[...SETTLING_ENDPOINT_STATUSES].map((s) => sfn.Condition.stringEquals('$.settle.endpoint.EndpointStatus', s))),
          new sfn.Choice(this, 'Patience', { stateName: `${label}: keep waiting?` })
            .when(sfn.Condition.numberGreaterThanEquals('$.settle.count', props.maxPolls), stillSettling)
            .otherwise(wait),
        )
        .when(sfn.Condition.stringEquals('$.settle.endpoint.EndpointStatus', 'Deleting'), deleteConfig)
        .otherwise(deleteEndpoint),
    );
    wait.next(count).next(describe);
    deleteEndpoint.next(deleteConfig).next(deleteModel).next(done);

    this.unit.branch(start);
  }
}
