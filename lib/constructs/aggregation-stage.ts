import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** Properties of {@link AggregationStage}. */
export interface AggregationStageProps {
  /** JSONPath at which the stage writes its result. */
  readonly resultPath: string;
}

/**
 * AGGREGATE: turns the run's prediction rows into summary and baseline rows, estimates the cost,
 * makes the results visible to Athena and QuickSight, and notifies.
 *
 * A task-like unit (one Parallel state, one branch). The branch receives exactly:
 * ```json
 * { "plan": RunPlan, "resolved": ResolvedModel, "training": { "trainingJobName": string | null, "modelData": {…} },
 *   "evaluation": { "pretrained": <EvaluationStage output>, "fine-tuned": <EvaluationStage output> } }
 * ```
 * and the stage writes at `resultPath`:
 * ```json
 * { "status": "not-implemented", "runId": "<run id>" }
 * ```
 * PLACEHOLDER: today the branch is a single Pass; it writes no summary row. The evaluation issue
 * replaces it (summary Lambda, partition registration, QuickSight refresh) behind the same contract.
 *
 * Called once, from the RunStateMachine, after the fine-tuned endpoint is deleted (or kept) and
 * before the run succeeds.
 */
export class AggregationStage extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[];
  /** The Parallel state wrapping the aggregation (catch and retry here). */
  public readonly unit: sfn.Parallel;

  constructor(scope: Construct, id: string, props: AggregationStageProps) {
    super(scope, id);
    this.unit = new sfn.Parallel(this, 'Unit', {
      stateName: 'Aggregate',
      parameters: {
        'plan.$': '$.plan',
        'resolved.$': '$.resolved',
        'training.$': '$.stage1.training',
        evaluation: { 'pretrained.$': '$.stage1.pretrainedEvaluation', 'fine-tuned.$': '$.fineTunedEvaluation' },
      },
      resultSelector: { 'status.$': '$[0].status', 'runId.$': '$[0].runId' },
      resultPath: props.resultPath,
    });
    this.unit.branch(new sfn.Pass(this, 'Placeholder', {
      stateName: 'aggregation placeholder',
      comment: 'Placeholder until the aggregation lands: records that no summary was written.',
      parameters: { status: 'not-implemented', 'runId.$': '$.plan.runId' },
    }));
    this.startState = this.unit;
    this.endStates = [this.unit];
  }
}
