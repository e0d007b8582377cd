import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ImpressionsConfig } from '../config';
import { DataPrefix, DataStore } from './data-store';
import { ImpressionsFunction, InvocationMode } from './impressions-function';
import { acknowledgeGrantActionWildcards, acknowledgeWildcardResources } from './nag-acknowledgements';
import { sageMakerArn } from './sagemaker-tasks';
import { EVALUATION_ENV, METRIC_NAMESPACE } from '../core/evaluation/evaluation-lambda-contracts';
import { fanOutShape } from '../core/evaluation/fan-out';

/** Properties of {@link EvaluationFunctions}. */
export interface EvaluationFunctionsProps {
  readonly dataStore: DataStore;
  /** Key of the functions' log groups. */
  readonly logKey: kms.IKey;
  readonly config: ImpressionsConfig;
}

/**
 * The evaluation Lambdas with least-privilege grants:
 * - plan-evaluation reads `eval_data/`, writes `runs/` (the shard manifests);
 * - evaluate reads `eval_data/`, writes `prediction_data/predictions/`, and may call
 *   `sagemaker:InvokeEndpoint` on `<prefix>-*` endpoints only;
 * - aggregate reads `prediction_data/predictions/`, writes `prediction_data/summary/` and `runs/`,
 *   and reads `<prefix>-*` training jobs (billable seconds). Its metrics (namespace
 *   `RadiologyImpressions`) are embedded metric format lines in its own log group, which it may
 *   already write: no `cloudwatch:PutMetricData`.
 * KMS permissions come with the bucket grants. `maxConcurrency` is the Distributed Map
 * concurrency that goes with the per-Lambda pool set here (lib/core/evaluation/fan-out.ts).
 */
export class EvaluationFunctions extends Construct {
  public readonly planEvaluation: ImpressionsFunction;
  public readonly evaluate: ImpressionsFunction;
  public readonly aggregate: ImpressionsFunction;
  /** Evaluate Lambdas at once per endpoint. */
  public readonly maxConcurrency: number;

  constructor(scope: Construct, id: string, props: EvaluationFunctionsProps) {
    super(scope, id);
    const { dataStore, config } = props;
    const bucket = dataStore.bucket;
    const bucketEnv = { [EVALUATION_ENV.dataBucket]: bucket.bucketName };
    const shape = fanOutShape(config.evalConcurrencyPerEndpoint);
    this.maxConcurrency = shape.maxConcurrency;

    this.planEvaluation = new ImpressionsFunction(this, 'PlanEvaluation', {
      handlerDir: 'plan-evaluation',
      description: 'Counts the evaluation records and writes the shard manifest of one model',
      logKey: props.logKey,
      invocation: InvocationMode.SYNCHRONOUS,
      timeout: Duration.minutes(2),
      environment: { ...bucketEnv, [EVALUATION_ENV.shardSize]: String(config.evalShardSize) },
    });
    dataStore.grantRead(this.planEvaluation, DataPrefix.EVAL_DATA);
    dataStore.grantWrite(this.planEvaluation, DataPrefix.RUNS);
    acknowledgeGrantActionWildcards(this.planEvaluation.executionRole, 'read of eval_data/, write of runs/');
    acknowledgeWildcardResources(
      this.planEvaluation.executionRole,
      bucket,
      ['/eval_data/*', '/runs/*'],
      'Reads any evaluation set of a run and writes its shard manifest under runs/<run id>/; limited to those prefixes.',
    );

    this.evaluate = new ImpressionsFunction(this, 'Evaluate', {
      handlerDir: 'evaluate',
      description: 'Scores one shard of reports against an endpoint (or a baseline) and writes its part file',
      logKey: props.logKey,
      invocation: InvocationMode.SYNCHRONOUS,
      timeout: Duration.minutes(15),
      memorySize: 1024,
      // Enough for both endpoints' maps at once (pretrained overlaps nothing else but baselines).
      reservedConcurrentExecutions: Math.max(2, shape.maxConcurrency * 2),
      environment: {
        ...bucketEnv,
        [EVALUATION_ENV.promptTemplate]: config.promptTemplate,
        [EVALUATION_ENV.maxNewTokens]: String(config.maxNewTokens),
        [EVALUATION_ENV.numBeams]: String(config.numBeams),
        [EVALUATION_ENV.requestsPerLambda]: String(shape.requestsPerLambda),
      },
    });
    dataStore.grantRead(this.evaluate, DataPrefix.EVAL_DATA);
    bucket.grantWrite(this.evaluate, 'prediction_data/predictions/*');
    this.evaluate.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'InvokeRunEndpoints',
        actions: ['sagemaker:InvokeEndpoint'],
        resources: [sageMakerArn(this, 'endpoint', config.resourcePrefix)],
      }),
    );
    acknowledgeGrantActionWildcards(this.evaluate.executionRole, 'read of eval_data/, write of prediction_data/predictions/');
    acknowledgeWildcardResources(
      this.evaluate.executionRole,
      bucket,
      ['/eval_data/*', '/prediction_data/predictions/*'],
      'Reads the evaluation sets and writes part files under prediction_data/predictions/run_id=<id>/; limited to those prefixes.',
    );
    Validations.of(this.evaluate.executionRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:endpoint/${config.resourcePrefix}-*]`,
      reason: 'Runs create endpoints named <prefix>-<run id>-pt/-ft; the function may invoke those names only.',
    });

    this.aggregate = new ImpressionsFunction(this, 'Aggregate', {
      handlerDir: 'aggregate',
      description: "Aggregates a run's prediction rows into summary rows, the run summary and metrics",
      logKey: props.logKey,
      invocation: InvocationMode.SYNCHRONOUS,
      timeout: Duration.minutes(15),
      memorySize: 2048,
      environment: {
        ...bucketEnv,
        [EVALUATION_ENV.hourlyPrices]: JSON.stringify(config.hourlyPrices),
        [EVALUATION_ENV.metricNamespace]: METRIC_NAMESPACE,
      },
    });
    bucket.grantRead(this.aggregate, 'prediction_data/predictions/*');
    bucket.grantWrite(this.aggregate, 'prediction_data/summary/*');
    dataStore.grantWrite(this.aggregate, DataPrefix.RUNS);
    this.aggregate.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadRunTrainingJobs',
        actions: ['sagemaker:DescribeTrainingJob'],
        resources: [sageMakerArn(this, 'training-job', config.resourcePrefix)],
      }),
    );
    acknowledgeGrantActionWildcards(this.aggregate.executionRole, 'read of prediction_data/predictions/, write of prediction_data/summary/ and runs/');
    acknowledgeWildcardResources(
      this.aggregate.executionRole,
      bucket,
      ['/prediction_data/predictions/*', '/prediction_data/summary/*', '/runs/*'],
      "Reads a run's part files and writes its summary and run summary; limited to those prefixes.",
    );
    Validations.of(this.aggregate.executionRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:training-job/${config.resourcePrefix}-*]`,
      reason: 'Reads the billable seconds of the run training job, named <prefix>-<run id>; those names only.',
    });
  }
}
