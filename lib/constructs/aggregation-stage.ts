import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { AggregateEvent, AggregateResult } from '../core/evaluation/evaluation-lambda-contracts';
import { at, keysOf, statePath, type JsonPath } from '../core/json-path';
import type { AggregationBranchInput, RunState } from '../core/run/contracts';
import { lambdaTaskRetry } from './lambda-tasks';
import { lambdaPayload, ref, stateFields } from './state-json';
import { TaskLikeStage } from './task-like-stage';

/** Properties of {@link AggregationStage}. */
export interface AggregationStageProps {
  /** Where the stage writes its result. */
  readonly resultPath: JsonPath<AggregateResult>;
  /** aggregate: summary rows, run summary, metrics. */
  readonly aggregateFunction: lambda.IFunction;
}

/**
 * AGGREGATE: turns the run's prediction rows into summary rows and the run summary (means, paired
 * differences, cost estimate) and publishes the mean scores as CloudWatch metrics.
 *
 * A {@link TaskLikeStage}. It runs after both evaluations; its branch receives exactly an
 * {@link AggregationBranchInput}:
 * ```json
 * { "plan": RunPlan, "resolved": ResolvedModel, "training": FineTuningResult,
 *   "evaluation": { "pretrained": EvaluationStageResult, "fine-tuned": EvaluationStageResult },
 *   "endpoints": [{ "model", "instanceType", "inServiceAt", "deletedAt", "kept" }, …] }
 * ```
 * and calls the aggregate Lambda with an `AggregateEvent`: `{ runId, training, usage: { endpoints } }`.
 * The cost estimate covers the training job (the Lambda reads its billable seconds from
 * `training.trainingJobName`) and both endpoints (the measured InService-to-deleted times in
 * `endpoints`; an endpoint kept with `keepEndpoints`, either of the two, is costed up to aggregation). The
 * stage writes the Lambda's `AggregateResult` at `resultPath`, including `errorReport` (errors per data
 * set × model and whether the results are trustworthy, which `impressions status` shows).
 */
export class AggregationStage extends TaskLikeStage<AggregateResult> {
  constructor(scope: Construct, id: string, props: AggregationStageProps) {
    const run = statePath<RunState>();
    const instanceType = ref(at(run, 'settings.inference.instanceType'));
    super(scope, id, {
      stateName: 'Aggregate',
      parameters: stateFields<AggregationBranchInput>({
        plan: ref(at(run, 'plan')),
        resolved: ref(at(run, 'resolved')),
        training: ref(at(run, 'stage1.training')),
        evaluation: { pretrained: ref(at(run, 'stage1.pretrainedEvaluation')), 'fine-tuned': ref(at(run, 'fineTunedEvaluation')) },
        endpoints: [
          {
            model: 'pretrained',
            instanceType,
            inServiceAt: ref(at(run, 'stage1.pretrainedEndpoint.inServiceAt')),
            deletedAt: ref(at(run, 'stage1.pretrainedTeardown.deletedAt')),
            kept: ref(at(run, 'stage1.pretrainedTeardown.kept')),
          },
          {
            model: 'fine-tuned',
            instanceType,
            inServiceAt: ref(at(run, 'fineTunedEndpoint.inServiceAt')),
            deletedAt: ref(at(run, 'fineTunedTeardown.deletedAt')),
            kept: ref(at(run, 'fineTunedTeardown.kept')),
          },
        ],
      }),
      resultKeys: keysOf<AggregateResult>({
        runId: true,
        summaryKey: true,
        runSummaryKey: true,
        partFiles: true,
        rows: true,
        errors: true,
        errorReport: true,
        metricsPublished: true,
        costUsd: true,
      }),
      resultPath: props.resultPath,
    });
    const branch = statePath<AggregationBranchInput>();
    const aggregate = new tasks.LambdaInvoke(this, 'Aggregate', {
      stateName: 'Aggregate results',
      lambdaFunction: props.aggregateFunction,
      payloadResponseOnly: true,
      payload: lambdaPayload<AggregateEvent>({
        runId: ref(at(branch, 'plan.runId')),
        training: ref(at(branch, 'training')),
        usage: { endpoints: ref(at(branch, 'endpoints')) },
      }),
      taskTimeout: sfn.Timeout.duration(Duration.minutes(15)),
    });
    aggregate.addRetry(lambdaTaskRetry());
    this.unit.branch(aggregate);
  }
}
