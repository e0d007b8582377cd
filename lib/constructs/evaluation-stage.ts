import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { EVALUATION_ERROR_NAMES } from '../core/evaluation/lambda-contracts';
import { TaskLikeStage } from './task-like-stage';

/** Properties of {@link EvaluationStage}. */
export interface EvaluationStageProps {
  /** Which model the endpoint hosts: `pretrained` or `fine-tuned` (the `model` of result rows). */
  readonly model: 'pretrained' | 'fine-tuned';
  /** JSONPath of the deployment result (`{endpointName, …}`), e.g. `$.pretrainedEndpoint`. */
  readonly endpointPath: string;
  /** JSONPath at which the stage writes its result. */
  readonly resultPath: string;
  /** plan-evaluation: writes the shard manifest. */
  readonly planFunction: lambda.IFunction;
  /** evaluate: scores one shard. */
  readonly evaluateFunction: lambda.IFunction;
  /** The data bucket holding the shard manifest. */
  readonly bucket: s3.IBucket;
  /** Evaluate Lambdas at once against the endpoint (see lib/core/evaluation/fan-out.ts). */
  readonly maxConcurrency: number;
}

/**
 * EVALUATE: scores one deployed model on every evaluation set.
 *
 * A {@link TaskLikeStage}, so the caller attaches a single Catch and a
 * failure anywhere inside leads to the clean-up. The branch receives exactly:
 * ```json
 * { "plan": RunPlan, "resolved": ResolvedModel, "endpointName": "impressions-<run>-pt", "model": "pretrained" }
 * ```
 * Branch: plan-evaluation (Lambda: counts the records, writes `runs/<id>/evaluation/<model>/shards.jsonl`,
 * with the baselines' shards when the model is `pretrained`) → a Distributed Map reading that
 * manifest (S3 JSONL item reader), `maxConcurrency` evaluate Lambdas at once, tolerated failure 0,
 * each item one evaluate invocation (retried on Lambda errors and on `EndpointUnavailableError`) →
 * the result. The map's own results are discarded: the rows are in S3, the counts in the plan.
 * The stage writes at `resultPath`:
 * ```json
 * { "model": "pretrained", "status": "evaluated", "endpointName": "…", "manifestKey": "runs/…/shards.jsonl",
 *   "shardCount": 100, "recordCount": 4000 }
 * ```
 * Called from the RunStateMachine: in the pretrained branch of the first Parallel (after
 * "Deploy pretrained", before "Delete pretrained") and after "Deploy fine-tuned".
 */
export class EvaluationStage extends TaskLikeStage {
  /** The Distributed Map over the shards. */
  public readonly map: sfn.DistributedMap;

  constructor(scope: Construct, id: string, props: EvaluationStageProps) {
    super(scope, id, {
      stateName: `Evaluate ${props.model}`,
      parameters: {
        'plan.$': '$.plan',
        'resolved.$': '$.resolved',
        'endpointName.$': `${props.endpointPath}.endpointName`,
        model: props.model,
      },
      resultKeys: ['model', 'status', 'endpointName', 'manifestKey', 'shardCount', 'recordCount'],
      resultPath: props.resultPath,
    });
    if (!Number.isInteger(props.maxConcurrency) || props.maxConcurrency < 1) {
      throw new Error(`EvaluationStage ${id}: maxConcurrency must be a whole number ≥ 1, got ${props.maxConcurrency}`);
    }

    const plan = new tasks.LambdaInvoke(this, 'Plan', {
      stateName: `${props.model}: plan shards`,
      lambdaFunction: props.planFunction,
      payloadResponseOnly: true,
      payload: sfn.TaskInput.fromObject({
        plan: sfn.JsonPath.objectAt('$.plan'),
        resolved: sfn.JsonPath.objectAt('$.resolved'),
        endpointName: sfn.JsonPath.stringAt('$.endpointName'),
        model: sfn.JsonPath.stringAt('$.model'),
      }),
      resultSelector: { 'manifestKey.$': '$.manifestKey', 'shardCount.$': '$.shardCount', 'recordCount.$': '$.recordCount' },
      resultPath: '$.shards',
    });

    const evaluate = new tasks.LambdaInvoke(this, 'Evaluate', {
      stateName: `${props.model}: evaluate shard`,
      lambdaFunction: props.evaluateFunction,
      payloadResponseOnly: true,
      taskTimeout: sfn.Timeout.duration(Duration.minutes(15)),
    });
    evaluate.addRetry({
      errors: [EVALUATION_ERROR_NAMES.endpointUnavailable],
      interval: Duration.seconds(30),
      backoffRate: 2,
      maxAttempts: 4,
      jitterStrategy: sfn.JitterType.FULL,
    });
    evaluate.addRetry({
      errors: ['Lambda.Unknown', 'Lambda.ServiceException', 'Lambda.TooManyRequestsException', 'States.Timeout'],
      interval: Duration.seconds(5),
      backoffRate: 2,
      maxAttempts: 3,
      jitterStrategy: sfn.JitterType.FULL,
    });

    this.map = new sfn.DistributedMap(this, 'Shards', {
      stateName: `${props.model}: evaluate shards`,
      itemReader: new sfn.S3JsonLItemReader({ bucket: props.bucket, key: sfn.JsonPath.stringAt('$.shards.manifestKey') }),
      maxConcurrency: props.maxConcurrency,
      toleratedFailurePercentage: 0,
      resultPath: sfn.JsonPath.DISCARD,
    });
    this.map.itemProcessor(evaluate);

    const done = new sfn.Pass(this, 'Done', {
      stateName: `${props.model}: evaluated`,
      parameters: {
        'model.$': '$.model',
        status: 'evaluated',
        'endpointName.$': '$.endpointName',
        'manifestKey.$': '$.shards.manifestKey',
        'shardCount.$': '$.shards.shardCount',
        'recordCount.$': '$.shards.recordCount',
      },
    });
    this.unit.branch(plan.next(this.map).next(done));
  }
}
