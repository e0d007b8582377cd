import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** Properties of {@link EvaluationStage}. */
export interface EvaluationStageProps {
  /** Which model the endpoint hosts: `pretrained` or `fine-tuned` (the `model` of result rows). */
  readonly model: 'pretrained' | 'fine-tuned';
  /** JSONPath of the deployment result (`{endpointName, …}`), e.g. `$.pretrainedEndpoint`. */
  readonly endpointPath: string;
  /** JSONPath at which the stage writes its result. */
  readonly resultPath: string;
}

/**
 * EVALUATE: scores one deployed model on every evaluation set.
 *
 * A task-like unit (one Parallel state, one branch), so the caller attaches a single Catch and a
 * failure anywhere inside leads to the clean-up. The branch receives exactly:
 * ```json
 * { "plan": RunPlan, "resolved": ResolvedModel, "endpointName": "impressions-<run>-pt", "model": "pretrained" }
 * ```
 * and the stage writes at `resultPath`:
 * ```json
 * { "model": "pretrained", "status": "not-implemented", "endpointName": "impressions-<run>-pt" }
 * ```
 * PLACEHOLDER: today the branch is a single Pass that records `status: "not-implemented"`; it reads
 * no record and invokes no endpoint. The evaluation issue replaces the branch with a Distributed
 * Map of evaluation Lambdas over shards of `plan.evalData` (same input; output adds counts and the
 * part-file keys) without changing this contract or the callers.
 *
 * Called from the RunStateMachine: in the pretrained branch of the first Parallel (after
 * "Deploy pretrained", before "Delete pretrained") and after "Deploy fine-tuned".
 */
export class EvaluationStage extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[];
  /** The Parallel state wrapping the evaluation (catch and retry here). */
  public readonly unit: sfn.Parallel;

  constructor(scope: Construct, id: string, props: EvaluationStageProps) {
    super(scope, id);
    this.unit = new sfn.Parallel(this, 'Unit', {
      stateName: `Evaluate ${props.model}`,
      parameters: {
        'plan.$': '$.plan',
        'resolved.$': '$.resolved',
        'endpointName.$': `${props.endpointPath}.endpointName`,
        model: props.model,
      },
      resultSelector: { 'model.$': '$[0].model', 'status.$': '$[0].status', 'endpointName.$': '$[0].endpointName' },
      resultPath: props.resultPath,
    });
    this.unit.branch(new sfn.Pass(this, 'Placeholder', {
      stateName: `${props.model}: evaluation placeholder`,
      comment: 'Placeholder until the evaluation fan-out lands: records that no evaluation ran.',
      parameters: { 'model.$': '$.model', status: 'not-implemented', 'endpointName.$': '$.endpointName' },
    }));
    this.startState = this.unit;
    this.endStates = [this.unit];
  }
}
