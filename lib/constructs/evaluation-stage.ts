import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { EVALUATION_ERROR_NAMES, type PlanEvaluationEvent, type PlanEvaluationResult } from '../core/evaluation/evaluation-lambda-contracts';
import { at, keysOf, statePath, type JsonPath } from '../core/json-path';
import type { EndpointDeployment, EvaluationBranchInput, EvaluationStageResult, HostedModel, RunSetup } from '../core/run/contracts';
import { lambdaTaskRetry } from './lambda-tasks';
import { lambdaPayload, ref, stateFields } from './state-json';
import { TaskLikeStage } from './task-like-stage';

/** Properties of {@link EvaluationStage}. */
export interface EvaluationStageProps {
  /** Which model the endpoint hosts: `pretrained` or `fine-tuned` (the `model` of result rows). */
  readonly model: HostedModel;
  /** The deployment result, e.g. `$.pretrainedEndpoint`. */
  readonly endpointPath: JsonPath<EndpointDeployment>;
  /** Where the stage writes its result. */
  readonly resultPath: JsonPath<EvaluationStageResult>;
  /** plan-evaluation: writes the shard manifest. */
  readonly planFunction: lambda.IFunction;
  /** evaluate: scores one shard. */
  readonly evaluateFunction: lambda.IFunction;
  /**
   * The data bucket holding the shard manifest. The state machine's role must be granted the
   * manifests (RUN_KEY_PATTERNS.shardManifests); the stage's item reader grants nothing.
   */
  readonly bucket: s3.IBucket;
  /** Evaluate Lambdas at once against the endpoint (see lib/core/evaluation/fan-out.ts). */
  readonly maxConcurrency: number;
}

/** The branch's state: its input and the shard plan. */
interface EvaluationBranchState extends EvaluationBranchInput {
  readonly shards: Pick<PlanEvaluationResult, 'manifestKey' | 'shardCount' | 'recordCount'>;
}

/**
 * EVALUATE: scores one deployed model on every evaluation set.
 *
 * A {@link TaskLikeStage}, so the caller attaches a single Catch and a
 * failure anywhere inside leads to the clean-up. The branch receives exactly an
 * {@link EvaluationBranchInput}:
 * ```json
 * { "plan": RunPlan, "resolved": ResolvedModel, "endpointName": "impressions-<run>-pt", "model": "pretrained" }
 * ```
 * Branch: plan-evaluation (Lambda: counts the records, writes `runs/<id>/evaluation/<model>/shards.jsonl`,
 * with the baselines' shards when the model is `pretrained`) → a Distributed Map reading that
 * manifest (S3 JSONL item reader), `maxConcurrency` evaluate Lambdas at once, tolerated failure 0,
 * each item one evaluate invocation (retried on Lambda errors and on `EndpointUnavailableError`) →
 * the result. The map's own results are discarded: the rows are in S3, the counts in the plan.
 * The stage writes at `resultPath` an {@link EvaluationStageResult}:
 * ```json
 * { "model": "pretrained", "status": "evaluated", "endpointName": "…", "manifestKey": "runs/…/shards.jsonl",
 *   "shardCount": 100, "recordCount": 4000 }
 * ```
 * Called from the RunStateMachine: in the pretrained branch of the first Parallel (after
 * "Deploy pretrained", before "Delete pretrained") and after "Deploy fine-tuned".
 */
export class EvaluationStage extends TaskLikeStage<EvaluationStageResult> {
  /** The Distributed Map over the shards. */
  public readonly map: sfn.DistributedMap;

  constructor(scope: Construct, id: string, props: EvaluationStageProps) {
    const run = statePath<RunSetup>();
    super(scope, id, {
      stateName: `Evaluate ${props.model}`,
      parameters: stateFields<EvaluationBranchInput>({
        plan: ref(at(run, 'plan')),
        resolved: ref(at(run, 'resolved')),
        endpointName: ref(at(props.endpointPath, 'endpointName')),
        model: props.model,
      }),
      resultKeys: keysOf<EvaluationStageResult>({ model: true, status: true, endpointName: true, manifestKey: true, shardCount: true, recordCount: true }),
      resultPath: props.resultPath,
    });
    const branch = statePath<EvaluationBranchState>();
    const planned = statePath<PlanEvaluationResult>();
    if (!Number.isInteger(props.maxConcurrency) || props.maxConcurrency < 1) {
      throw new Error(`EvaluationStage ${id}: maxConcurrency must be a whole number ≥ 1, got ${props.maxConcurrency}`);
    }

    const plan = new tasks.LambdaInvoke(this, 'Plan', {
      stateName: `${props.model}: plan shards`,
      lambdaFunction: props.planFunction,
      payloadResponseOnly: true,
      payload: lambdaPayload<PlanEvaluationEvent>({
        plan: ref(at(branch, 'plan')),
        resolved: ref(at(branch, 'resolved')),
        endpointName: ref(at(branch, 'endpointName')),
        model: ref(at(branch, 'model')),
      }),
      resultSelector: stateFields<EvaluationBranchState['shards']>({
        manifestKey: ref(at(planned, 'manifestKey')),
        shardCount: ref(at(planned, 'shardCount')),
        recordCount: ref(at(planned, 'recordCount')),
      }),
      resultPath: at(branch, 'shards'),
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
    // The task has a timeout (15 minutes): a shard that ran into it is retried (it overwrites its own part file).
    evaluate.addRetry(lambdaTaskRetry({ orTimeout: true }));

    this.map = new sfn.DistributedMap(this, 'Shards', {
      stateName: `${props.model}: evaluate shards`,
      itemReader: new ShardManifestReader(props.bucket, sfn.JsonPath.stringAt(at(branch, 'shards.manifestKey'))),
      maxConcurrency: props.maxConcurrency,
      toleratedFailurePercentage: 0,
      resultPath: sfn.JsonPath.DISCARD,
    });
    this.map.itemProcessor(evaluate);

    const done = new sfn.Pass(this, 'Done', {
      stateName: `${props.model}: evaluated`,
      parameters: stateFields<EvaluationStageResult>({
        model: ref(at(branch, 'model')),
        status: 'evaluated',
        endpointName: ref(at(branch, 'endpointName')),
        manifestKey: ref(at(branch, 'shards.manifestKey')),
        shardCount: ref(at(branch, 'shards.shardCount')),
        recordCount: ref(at(branch, 'shards.recordCount')),
      }),
    });
    this.unit.branch(plan.next(this.map).next(done));
  }
}

/**
 * The Distributed Map's S3 JSON Lines item reader, without the grant CDK's reader adds. The key is a
 * JSONPath, so `S3JsonLItemReader` grants `s3:GetObject` on every object of the bucket (train_data/,
 * eval_data/, prediction_data/: all patient text); the RunStateMachine grants its role the shard
 * manifests only, through the DataStore. Renders exactly what `S3JsonLItemReader` renders.
 */
export class ShardManifestReader implements sfn.IItemReader {
  public readonly bucket: s3.IBucket;
  public readonly resource: string;
  private readonly reader: sfn.S3JsonLItemReader;

  constructor(bucket: s3.IBucket, key: string) {
    this.reader = new sfn.S3JsonLItemReader({ bucket, key });
    this.bucket = bucket;
    this.resource = this.reader.resource;
  }

  public render(queryLanguage?: sfn.QueryLanguage): unknown {
    return this.reader.render(queryLanguage);
  }

  /** None: the state machine's role holds the narrow grant. */
  public providePolicyStatements(): iam.PolicyStatement[] {
    return [];
  }

  public validateItemReader(): string[] {
    return this.reader.validateItemReader();
  }
}
