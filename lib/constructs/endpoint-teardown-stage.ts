import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { at, CONTEXT_PATHS, keysOf, statePath, type JsonPath } from '../core/json-path';
import { SETTLING_ENDPOINT_STATUSES } from '../core/run/cleanup-plan';
import type { CaughtError, EndpointTeardown } from '../core/run/contracts';
import type { HostingNames } from '../core/run/naming';
import { TAG_KEEP } from '../core/run/tags';
import { sageMakerCall, type CallScratch } from './sagemaker-call';
import { sageMakerArn } from './sagemaker-tasks';
import { ref, stateFields } from './state-json';
import { TaskLikeStage } from './task-like-stage';

/** Waits (seconds) before the delete attempts after a failed one; its length bounds the attempts of each delete. */
export const DELETE_RETRY_DELAYS_SECONDS = [10, 30, 60, 120, 300] as const;

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
  /** Time between two status checks of a settling or deleting endpoint. */
  readonly pollInterval: Duration;
  /** Most status checks while the endpoint settles, and again while it is deleted. */
  readonly maxPolls: number;
  /**
   * Leave an endpoint tagged `impressions:keep` (and its config and model) alone: the clean-up of a
   * failed run must not undo a `keepEndpoints` the run already carried out.
   * @default false
   */
  readonly respectKeepTag?: boolean;
}

/** Failed attempts, the wait before the next and the last error of one kind of delete. */
interface DeleteAttempts {
  readonly n: number;
  readonly delaySeconds: number;
  readonly lastError: CaughtError;
}

/** The stage's own fields beside the state it is given (inside its branch only). */
interface TeardownScratch {
  readonly teardown: {
    readonly settle: { readonly n: number };
    readonly gone: { readonly n: number };
    readonly endpointDeletes: DeleteAttempts;
    readonly configDeletes: DeleteAttempts;
    readonly modelDeletes: DeleteAttempts;
    /** When DeleteEndpoint succeeded (or, when there was nothing to delete, when the stage started). */
    readonly deleted: { readonly at: string };
    /** The fields of DescribeEndpoint the stage reads. */
    readonly endpoint: { readonly EndpointStatus: string; readonly EndpointArn: string };
    /** Whether the endpoint carries the tag `impressions:keep` (ListTags). */
    readonly tags: { readonly kept: boolean };
  };
  readonly call: CallScratch;
}

/**
 * Deletes one model's hosting in SageMaker's safe order, each resource at most once: the endpoint,
 * then (once DescribeEndpoint says it is gone) its endpoint config, then its model. A resource that
 * does not exist (never created, or already deleted) is skipped, so the stage can run after any
 * failure without knowing how far the run got.
 *
 * An endpoint that is Creating, Updating, SystemUpdating or RollingBack cannot be deleted, and
 * SageMaker asks that its config and model stay until it is gone: the stage waits for it to settle,
 * and after DeleteEndpoint waits until it is gone. A failed delete never means "gone" by its error
 * name: the stage describes the resource again; not found → next resource, still there → wait and
 * delete again.
 *
 * Longest time: settling `maxPolls × pollInterval` (90 min by default), then deleting another
 * `maxPolls × pollInterval`, plus for each of the three deletes up to
 * `DELETE_RETRY_DELAYS_SECONDS` minus its last entry (3 min 40 s) of waits between attempts, plus each call's own retries
 * (`sageMakerCallLongestSeconds()`).
 *
 * A {@link TaskLikeStage}. Input: the run state with the names at `namesPath`. Output: the input
 * with `{ "deleted": true, "kept": false, "deletedAt": <ISO time> }` at `resultPath` (or, with
 * `respectKeepTag` and a kept endpoint, `{ "deleted": false, "kept": true, … }`).
 * Errors: `EndpointStillSettling`, `EndpointStillDeleting` after `maxPolls` checks, and the last
 * error of a delete that failed `DELETE_RETRY_DELAYS_SECONDS.length` times.
 */
export class EndpointTeardownStage extends TaskLikeStage<EndpointTeardown> {
  constructor(scope: Construct, id: string, props: EndpointTeardownStageProps) {
    super(scope, id, {
      stateName: `Delete ${props.label}`,
      resultKeys: keysOf<EndpointTeardown>({ deleted: true, kept: true, deletedAt: true }),
      resultPath: props.resultPath,
    });
    const { label, namesPath, resourcePrefix } = props;
    const state = statePath<TeardownScratch>();
    const teardown = at(state, 'teardown');
    const scratch = at(state, 'call');
    const endpointStatus = at(teardown, 'endpoint.EndpointStatus');
    const arn = (type: Parameters<typeof sageMakerArn>[1]): string[] => [sageMakerArn(this, type, resourcePrefix)];
    const maxAttempts = DELETE_RETRY_DELAYS_SECONDS.length;
    const noAttempts = { n: 0, delaySeconds: 0 };

    const start = new sfn.Pass(this, 'Start', {
      stateName: `${label}: start teardown`,
      parameters: {
        settle: { n: 0 },
        gone: { n: 0 },
        endpointDeletes: noAttempts,
        configDeletes: noAttempts,
        modelDeletes: noAttempts,
        deleted: { 'at.$': CONTEXT_PATHS.stateEnteredTime },
      },
      resultPath: teardown,
    });
    const checkEndpoint = sageMakerCall(this, `${label}: check endpoint`, {
      action: 'describeEndpoint',
      iamAction: 'sagemaker:DescribeEndpoint',
      iamResources: arn('endpoint'),
      parameters: { 'EndpointName.$': at(namesPath, 'endpoint') },
      resultSelector: { 'EndpointStatus.$': '$.EndpointStatus', 'EndpointArn.$': '$.EndpointArn' },
      resultPath: at(teardown, 'endpoint'),
      scratch,
      handlesNotFound: true,
    });
    const waitThenCheck = (what: string): sfn.IChainable =>
      new sfn.Wait(this, `Wait${what}`, { stateName: `${label}: wait for endpoint ${what}`, time: sfn.WaitTime.duration(props.pollInterval) }).next(
        checkEndpoint,
      );
    const counter = (field: 'settle' | 'gone', what: string): sfn.IChainable =>
      new sfn.Pass(this, `Count${what}`, {
        stateName: `${label}: count ${what} checks`,
        parameters: { 'n.$': `States.MathAdd(${at(teardown, `${field}.n`)}, 1)` },
        resultPath: at(teardown, field),
      }).next(waitThenCheck(what));
    const patience = (field: 'settle' | 'gone', what: string, error: string, stillIn: string): sfn.Choice =>
      new sfn.Choice(this, `Patience${what}`, { stateName: `${label}: keep waiting for endpoint ${what}?` })
        .when(
          sfn.Condition.numberGreaterThanEquals(at(teardown, `${field}.n`), props.maxPolls),
          new sfn.Fail(this, `Still${what}`, {
            stateName: `${label}: endpoint still ${stillIn}`,
            error,
            cause: `The ${label} endpoint was still ${stillIn} after ${props.maxPolls} checks ${props.pollInterval.toHumanString()} apart.`,
          }),
        )
        .otherwise(counter(field, what));

    /** A delete whose failure is checked by describing the resource (`check`): gone → `next`, still there → back off and delete again. */
    const remember = (resource: 'endpoint' | 'config' | 'model'): sfn.Pass => {
      const field = `${resource}Deletes` as const;
      const n = at(teardown, `${field}.n`);
      return new sfn.Pass(this, `Remember${resource}`, {
        stateName: `${label}: ${resource} delete failed`,
        parameters: {
          'n.$': `States.MathAdd(${n}, 1)`,
          'delaySeconds.$': `States.ArrayGetItem(States.Array(${DELETE_RETRY_DELAYS_SECONDS.join(', ')}), ${n})`,
          'lastError.$': at(scratch, 'caught'),
        },
        resultPath: at(teardown, field),
      });
    };
    const giveUp = (resource: string, field: 'endpointDeletes' | 'configDeletes' | 'modelDeletes'): sfn.Fail =>
      new sfn.Fail(this, `GiveUp${resource}`, {
        stateName: `${label}: ${resource} not deleted`,
        errorPath: at(teardown, `${field}.lastError.Error`),
        causePath: at(teardown, `${field}.lastError.Cause`),
      });
    const backOff = (resource: string, field: 'endpointDeletes' | 'configDeletes' | 'modelDeletes'): sfn.Wait =>
      new sfn.Wait(this, `BackOff${resource}`, {
        stateName: `${label}: wait before deleting the ${resource} again`,
        time: sfn.WaitTime.secondsPath(at(teardown, `${field}.delaySeconds`)),
      });

    // Endpoint.
    const deleteEndpoint = sageMakerCall(this, `${label}: delete endpoint`, {
      action: 'deleteEndpoint',
      iamAction: 'sagemaker:DeleteEndpoint',
      iamResources: arn('endpoint'),
      parameters: { 'EndpointName.$': at(namesPath, 'endpoint') },
      scratch,
      handlesFailure: true,
    });
    deleteEndpoint.next(
      new sfn.Pass(this, 'EndpointDeleted', {
        stateName: `${label}: endpoint deleting`,
        // The end of the endpoint's billed time in the cost estimate.
        parameters: { 'at.$': CONTEXT_PATHS.stateEnteredTime },
        resultPath: at(teardown, 'deleted'),
      }).next(checkEndpoint),
    );
    // After a failed delete, describe again: gone → config; settling or deleting → wait; else back off and delete again.
    deleteEndpoint.failed!.next(remember('endpoint')).next(checkEndpoint);
    const endpointDeletes = at(teardown, 'endpointDeletes.n');
    const mayDeleteEndpoint = new sfn.Choice(this, 'MayDeleteEndpoint', { stateName: `${label}: delete the endpoint (again)?` })
      .when(sfn.Condition.numberGreaterThanEquals(endpointDeletes, maxAttempts), giveUp('endpoint', 'endpointDeletes'))
      .when(sfn.Condition.numberGreaterThan(endpointDeletes, 0), backOff('endpoint', 'endpointDeletes').next(deleteEndpoint))
      .otherwise(deleteEndpoint);

    // Endpoint config.
    const deleteConfig = sageMakerCall(this, `${label}: delete endpoint config`, {
      action: 'deleteEndpointConfig',
      iamAction: 'sagemaker:DeleteEndpointConfig',
      iamResources: arn('endpoint-config'),
      parameters: { 'EndpointConfigName.$': at(namesPath, 'endpointConfig') },
      scratch,
      handlesFailure: true,
    });
    const checkConfig = sageMakerCall(this, `${label}: check endpoint config`, {
      action: 'describeEndpointConfig',
      iamAction: 'sagemaker:DescribeEndpointConfig',
      iamResources: arn('endpoint-config'),
      parameters: { 'EndpointConfigName.$': at(namesPath, 'endpointConfig') },
      scratch,
      handlesNotFound: true,
    });
    deleteConfig.failed!.next(remember('config')).next(checkConfig);
    checkConfig.next(
      new sfn.Choice(this, 'MayDeleteConfig', { stateName: `${label}: delete the endpoint config again?` })
        .when(sfn.Condition.numberGreaterThanEquals(at(teardown, 'configDeletes.n'), maxAttempts), giveUp('endpoint config', 'configDeletes'))
        .otherwise(backOff('endpoint config', 'configDeletes').next(deleteConfig)),
    );

    // Model.
    const deleteModel = sageMakerCall(this, `${label}: delete model`, {
      action: 'deleteModel',
      iamAction: 'sagemaker:DeleteModel',
      iamResources: arn('model'),
      parameters: { 'ModelName.$': at(namesPath, 'model') },
      scratch,
      handlesFailure: true,
    });
    const checkModel = sageMakerCall(this, `${label}: check model`, {
      action: 'describeModel',
      iamAction: 'sagemaker:DescribeModel',
      iamResources: arn('model'),
      parameters: { 'ModelName.$': at(namesPath, 'model') },
      scratch,
      handlesNotFound: true,
    });
    deleteModel.failed!.next(remember('model')).next(checkModel);
    checkModel.next(
      new sfn.Choice(this, 'MayDeleteModel', { stateName: `${label}: delete the model again?` })
        .when(sfn.Condition.numberGreaterThanEquals(at(teardown, 'modelDeletes.n'), maxAttempts), giveUp('model', 'modelDeletes'))
        .otherwise(backOff('model', 'modelDeletes').next(deleteModel)),
    );

    const done = new sfn.Pass(this, 'Done', {
      stateName: `${label}: torn down`,
      parameters: stateFields<EndpointTeardown>({ deleted: true, kept: false, deletedAt: ref(at(teardown, 'deleted.at')) }),
    });

    // An endpoint SageMaker will not delete now, or that is being deleted.
    let deletable: sfn.IChainable = mayDeleteEndpoint;
    if (props.respectKeepTag === true) {
      const listTags = sageMakerCall(this, `${label}: kept on purpose?`, {
        action: 'listTags',
        iamAction: 'sagemaker:ListTags',
        iamResources: arn('endpoint'),
        parameters: { 'ResourceArn.$': at(teardown, 'endpoint.EndpointArn') },
        // A projection, not a filter: `[*]` always yields an array (the endpoint carries at least the run's two tags).
        resultSelector: { 'kept.$': `States.ArrayContains($.Tags[*].Key, '${TAG_KEEP}')` },
        resultPath: at(teardown, 'tags'),
        scratch,
        handlesNotFound: true,
      });
      listTags.notFound!.next(checkEndpoint);
      listTags.next(
        new sfn.Choice(this, 'Kept', { stateName: `${label}: endpoint kept?` })
          .when(
            sfn.Condition.booleanEquals(at(teardown, 'tags.kept'), true),
            new sfn.Pass(this, 'KeptEndpoint', {
              stateName: `${label}: endpoint kept (keepEndpoints)`,
              comment: 'The run kept this endpoint on purpose before it failed; a later failure does not undo that.',
              parameters: stateFields<EndpointTeardown>({ deleted: false, kept: true, deletedAt: ref(CONTEXT_PATHS.stateEnteredTime) }),
            }),
          )
          .otherwise(mayDeleteEndpoint),
      );
      deletable = listTags;
    }

    start.next(checkEndpoint).next(
      new sfn.Choice(this, 'Status', { stateName: `${label}: endpoint settled?` })
        .when(
          sfn.Condition.or(...[...SETTLING_ENDPOINT_STATUSES].map((s) => sfn.Condition.stringEquals(endpointStatus, s))),
          patience('settle', 'settle', 'EndpointStillSettling', 'Creating or Updating'),
        )
        .when(sfn.Condition.stringEquals(endpointStatus, 'Deleting'), patience('gone', 'gone', 'EndpointStillDeleting', 'Deleting'))
        .otherwise(deletable),
    );
    checkEndpoint.notFound!.next(deleteConfig);
    deleteConfig.next(deleteModel);
    checkConfig.notFound!.next(deleteModel);
    deleteModel.next(done);
    checkModel.notFound!.next(done);

    this.unit.branch(start);
  }
}
