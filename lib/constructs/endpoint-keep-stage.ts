import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { at, CONTEXT_PATHS, keysOf, statePath, type JsonPath } from '../core/json-path';
import type { EndpointDeployment, EndpointTeardown } from '../core/run/contracts';
import { TAG_KEEP } from '../core/run/tags';
import { sageMakerCall, type CallScratch } from './sagemaker-call';
import { sageMakerArn } from './sagemaker-tasks';
import { ref, stateFields } from './state-json';
import { TaskLikeStage } from './task-like-stage';

/** Properties of {@link EndpointKeepStage}. */
export interface EndpointKeepStageProps {
  /** Prefix of the state names, e.g. `pretrained`. */
  readonly label: string;
  /** The deployment whose endpoint is kept. */
  readonly endpointPath: JsonPath<EndpointDeployment>;
  readonly resultPath: JsonPath<EndpointTeardown>;
  /** Prefix of every SageMaker name (IAM scope). */
  readonly resourcePrefix: string;
}

/**
 * `keepEndpoints`: instead of deleting an evaluated endpoint, tags it `impressions:keep=true`
 * (AddTags). The tag is what makes the keep last: the run's clean-up after a later failure, the
 * janitor and the hourly orphan check all leave a kept endpoint, its config and its model alone;
 * `impressions endpoints delete --run <id>` or the stack-deletion sweep remove them.
 *
 * A {@link TaskLikeStage}. Output at `resultPath`: `{ "deleted": false, "kept": true, "deletedAt":
 * <ISO time> }` (the cost estimate counts the endpoint up to then and says it is still billing).
 */
export class EndpointKeepStage extends TaskLikeStage<EndpointTeardown> {
  constructor(scope: Construct, id: string, props: EndpointKeepStageProps) {
    super(scope, id, {
      stateName: `Keep ${props.label}`,
      resultKeys: keysOf<EndpointTeardown>({ deleted: true, kept: true, deletedAt: true }),
      resultPath: props.resultPath,
    });
    const scratch = at(statePath<{ readonly call: CallScratch }>(), 'call');
    const tag = sageMakerCall(this, `${props.label}: tag endpoint as kept`, {
      action: 'addTags',
      iamAction: 'sagemaker:AddTags',
      iamResources: [sageMakerArn(this, 'endpoint', props.resourcePrefix)],
      parameters: { 'ResourceArn.$': at(props.endpointPath, 'endpointArn'), Tags: [{ Key: TAG_KEEP, Value: 'true' }] },
      scratch,
    });
    tag.next(
      new sfn.Pass(this, 'Kept', {
        stateName: `${props.label}: endpoint kept`,
        comment: 'The endpoint stays up (keepEndpoints): its cost is counted until now and goes on until it is deleted.',
        parameters: stateFields<EndpointTeardown>({ deleted: false, kept: true, deletedAt: ref(CONTEXT_PATHS.stateEnteredTime) }),
      }),
    );
    this.unit.branch(tag);
  }
}
