import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { JsonPath } from '../core/json-path';

/** Properties of the Parallel state of a {@link TaskLikeStage} whose result has type `R`. */
export interface TaskLikeStageProps<R> {
  /** Name of the Parallel state. */
  readonly stateName: string;
  /**
   * Input of the branch, when it should see less than the run state.
   * @default - the state's whole input
   */
  readonly parameters?: Record<string, unknown>;
  /** Every key of `R`, in the order the result lists them (build it with `keysOf<R>(…)`, which checks it is complete). */
  readonly resultKeys: readonly (keyof R & string)[];
  /** Where the stage writes its result. */
  readonly resultPath: JsonPath<R>;
}

/**
 * A workflow fragment that behaves like one task: a single Parallel state (`unit`) with a single
 * branch, so one `addCatch` or `addRetry` on `unit` covers every state inside, and the branch's
 * `resultKeys` (the fields of its result type `R`) are all it adds to the state. The subclass
 * builds its branch, which must end with the fields of `R`, and passes the branch's first state to
 * `this.unit.branch(...)`. It cannot hold more than one branch: a stage whose branches run side by
 * side (the clean-up) builds its own Parallel.
 */
export abstract class TaskLikeStage<R> extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[];
  /** The single Parallel state of the stage (catches and retries go here). */
  public readonly unit: sfn.Parallel;

  protected constructor(scope: Construct, id: string, props: TaskLikeStageProps<R>) {
    super(scope, id);
    this.unit = new sfn.Parallel(this, 'Unit', {
      stateName: props.stateName,
      parameters: props.parameters,
      resultSelector: Object.fromEntries(props.resultKeys.map((key) => [`${key}.$`, `$[0].${key}`])),
      resultPath: props.resultPath,
    });
    this.startState = this.unit;
    this.endStates = [this.unit];
  }
}
