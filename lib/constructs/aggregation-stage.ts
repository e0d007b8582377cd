import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { TaskLikeStage } from './task-like-stage';

/** Properties of {@link AggregationStage}. */
export interface AggregationStageProps {
  /** JSONPath at which the stage writes its result. */
  readonly resultPath: string;
  /** aggregate: summary rows, run summary, metrics. */
  readonly aggregateFunction: lambda.IFunction;
}

/**
 * AGGREGATE: turns the run's prediction rows into summary rows and the run summary (means, paired
 * differences, cost estimate) and publishes the mean scores as CloudWatch metrics.
 *
 * A {@link TaskLikeStage}. The branch receives exactly:
 * ```json
 * { "plan": RunPlan, "resolved": ResolvedModel, "training": { "trainingJobName": string | null, "modelData": {…} },
 *   "evaluation": { "pretrained": <EvaluationStage output>, "fine-tuned": <EvaluationStage output> },
 *   "endpoints": [{ "model", "instanceType", "inServiceAt", "deletedAt", "kept" }, …] }
 * ```
 * (`endpoints` are the measured InService-to-deleted times of both endpoints, for the cost estimate.)
 * and calls the aggregate Lambda with `{runId, training}` (the Lambda reads the job's
 * billable seconds; endpoint hours are not passed yet, so the cost covers training only). The stage
 * writes at `resultPath` the Lambda's result: `{runId, summaryKey, runSummaryKey, partFiles, rows,
 * errors, errorReport, metricsPublished, costUsd}` (`errorReport`: errors per data set × model and
 * whether the results are trustworthy, which `impressions status` shows).
 *
 * Not done here: registering partitions for Athena and refreshing QuickSight (the analytics issue).
 */
export class AggregationStage extends TaskLikeStage {
  constructor(scope: Construct, id: string, props: AggregationStageProps) {
    super(scope, id, {
      stateName: 'Aggregate',
      parameters: {
        'plan.$': '$.plan',
        'resolved.$': '$.resolved',
        'training.$': '$.stage1.training',
        evaluation: { 'pretrained.$': '$.stage1.pretrainedEvaluation', 'fine-tuned.$': '$.fineTunedEvaluation' },
        endpoints: [
          {
            model: 'pretrained',
            'instanceType.$': '$.settings.inference.instanceType',
            'inServiceAt.$': '$.stage1.pretrainedEndpoint.inServiceAt',
            'deletedAt.$': '$.stage1.pretrainedTeardown.deletedAt',
            kept: false,
          },
          {
            model: 'fine-tuned',
            'instanceType.$': '$.settings.inference.instanceType',
            'inServiceAt.$': '$.fineTunedEndpoint.inServiceAt',
            'deletedAt.$': '$.fineTunedTeardown.deletedAt',
            'kept.$': '$.fineTunedTeardown.kept',
          },
        ],
      },
      resultKeys: ['runId', 'summaryKey', 'runSummaryKey', 'partFiles', 'rows', 'errors', 'errorReport', 'metricsPublished', 'costUsd'],
      resultPath: props.resultPath,
    });
    const aggregate = new tasks.LambdaInvoke(this, 'Aggregate', {
      stateName: 'Aggregate results',
      lambdaFunction: props.aggregateFunction,
      payloadResponseOnly: true,
      payload: sfn.TaskInput.fromObject({
        runId: sfn.JsonPath.stringAt('$.plan.runId'),
        training: sfn.JsonPath.objectAt('$.training'),
        usage: { endpoints: sfn.JsonPath.listAt('$.endpoints') },
      }),
      taskTimeout: sfn.Timeout.duration(Duration.minutes(15)),
    });
    aggregate.addRetry({
      errors: ['Lambda.Unknown', 'Lambda.ServiceException', 'Lambda.TooManyRequestsException'],
      interval: Duration.seconds(5),
      backoffRate: 2,
      maxAttempts: 3,
    });
    this.unit.branch(aggregate);
  }
}
