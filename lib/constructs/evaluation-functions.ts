import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ImpressionsConfig } from '../config';
import { DataPrefix, DataStore } from './data-store';
import { ImpressionsFunction, InvocationMode } from './impressions-function';
import { acknowledgeGrantWildcards, acknowledgeStatementWildcards } from './nag-acknowledgements';
import { sageMakerArn } from './sagemaker-tasks';
import { EVALUATION_ENV, METRIC_NAMESPACE } from '../core/evaluation/evaluation-lambda-contracts';
import { fanOutShape } from '../core/evaluation/fan-out';
import { PREDICTIONS_PREFIX, SUMMARY_PREFIX } from '../core/evaluation/keys';
import { RUN_KEY_PATTERNS } from '../core/run/run-keys';

/** Properties of {@link EvaluationFunctions}. */
export interface EvaluationFunctionsProps {
  readonly dataStore: DataStore;
  /** Key of the functions' log groups. */
  readonly logKey: kms.IKey;
  readonly config: ImpressionsConfig;
}

/**
 * The evaluation Lambdas with least-privilege grants:
 * - plan-evaluation reads `eval_data/`, writes `runs/<run id>/evaluation/` (the shard manifests);
 * - evaluate reads `eval_data/`, writes `prediction_data/predictions/`, and may call
 *   `sagemaker:InvokeEndpoint` on `<prefix>-*` endpoints only;
 * - aggregate reads `prediction_data/predictions/`, writes `prediction_data/summary/` and
 *   `runs/<run id>/run-summary.json`, and reads `<prefix>-*` training jobs (billable seconds). Its
 *   metrics (namespace `RadiologyImpressions`) are embedded metric format lines in its own log
 *   group, which it may already write: no `cloudwatch:PutMetricData`.
 * None may delete an object (writes are DataStore's put-only grant). KMS permissions come with the
 * bucket grants. `maxConcurrency` is the Distributed Map concurrency that goes with the per-Lambda
 * pool set here (lib/core/evaluation/fan-out.ts).
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
    acknowledgeGrantWildcards(
      this.planEvaluation.executionRole,
      dataStore.grantRead(this.planEvaluation, DataPrefix.EVAL_DATA),
      'Counts the records of any evaluation set of a run: files under eval_data/.',
    );
    acknowledgeGrantWildcards(
      this.planEvaluation.executionRole,
      dataStore.grantWrite(this.planEvaluation, DataPrefix.RUNS, RUN_KEY_PATTERNS.evaluation),
      'Writes the shard manifest of a run under runs/<run id>/evaluation/; the run id is known only at run time.',
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
    acknowledgeGrantWildcards(
      this.evaluate.executionRole,
      dataStore.grantRead(this.evaluate, DataPrefix.EVAL_DATA),
      'Reads the records of its shard from an evaluation set under eval_data/.',
    );
    acknowledgeGrantWildcards(
      this.evaluate.executionRole,
      dataStore.grantWrite(this.evaluate, DataPrefix.PREDICTION_DATA, keysUnder(DataPrefix.PREDICTION_DATA, PREDICTIONS_PREFIX)),
      'Writes its part file under prediction_data/predictions/run_id=<run id>/…; the run id is known only at run time.',
    );
    const invoke = new iam.PolicyStatement({
      sid: 'InvokeRunEndpoints',
      actions: ['sagemaker:InvokeEndpoint'],
      resources: [sageMakerArn(this, 'endpoint', config.resourcePrefix)],
    });
    this.evaluate.addToRolePolicy(invoke);
    acknowledgeStatementWildcards(
      this.evaluate.executionRole,
      [invoke],
      'Runs create endpoints named <prefix>-<run id>-pt/-ft; the function may invoke those names only.',
    );

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
    acknowledgeGrantWildcards(
      this.aggregate.executionRole,
      dataStore.grantRead(this.aggregate, DataPrefix.PREDICTION_DATA, keysUnder(DataPrefix.PREDICTION_DATA, PREDICTIONS_PREFIX)),
      "Reads a run's part files under prediction_data/predictions/run_id=<run id>/.",
    );
    acknowledgeGrantWildcards(
      this.aggregate.executionRole,
      dataStore.grantWrite(this.aggregate, DataPrefix.PREDICTION_DATA, keysUnder(DataPrefix.PREDICTION_DATA, SUMMARY_PREFIX)),
      "Writes a run's summary rows under prediction_data/summary/run_id=<run id>/.",
    );
    acknowledgeGrantWildcards(
      this.aggregate.executionRole,
      dataStore.grantWrite(this.aggregate, DataPrefix.RUNS, RUN_KEY_PATTERNS.runSummary),
      'Writes runs/<run id>/run-summary.json; the run id is known only at run time.',
    );
    const describeTraining = new iam.PolicyStatement({
      sid: 'ReadRunTrainingJobs',
      actions: ['sagemaker:DescribeTrainingJob'],
      resources: [sageMakerArn(this, 'training-job', config.resourcePrefix)],
    });
    this.aggregate.addToRolePolicy(describeTraining);
    acknowledgeStatementWildcards(
      this.aggregate.executionRole,
      [describeTraining],
      'Reads the billable seconds of the run training job, named <prefix>-<run id>-train; those names only.',
    );
  }
}

/** The key pattern, relative to `prefix`, of every object under `keyPrefix` (a sub-prefix of `prefix`). */
function keysUnder(prefix: DataPrefix, keyPrefix: string): string {
  if (!keyPrefix.startsWith(prefix)) throw new Error(`${keyPrefix} is not under ${prefix}`);
  return `${keyPrefix.slice(prefix.length)}*`;
}
