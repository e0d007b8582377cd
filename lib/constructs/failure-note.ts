import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { at, statePath, type JsonPath } from '../core/json-path';
import type { CaughtError, CaughtRunState, RunFailure } from '../core/run/contracts';

/** Characters an intrinsic function's string literal would need escaped (Step Functions and local interpreters disagree on escaping). */
const UNSAFE_IN_LITERAL = /['{}\\]/;

/** Properties of {@link FailureNote}. */
export interface FailureNoteProps {
  /** Name of the note's states, e.g. `Deploy fine-tuned failed`. */
  readonly stateName: string;
  /**
   * The failed step and its resource. A string, or a `States.Format` template (one `{}` per entry
   * of `args`) and its arguments, e.g. `{ template: 'Deploy fine-tuned (endpoint {})', args: [namePath] }`.
   * `null`: the caught cause already says where (a Parallel branch that failed with its own note).
   */
  readonly where: string | { readonly template: string; readonly args: readonly JsonPath<string>[] } | null;
  /** Where the caught error is. @default '$.error' */
  readonly errorPath?: JsonPath<CaughtError>;
}

/**
 * Turns a caught error into the run's {@link RunFailure} at `$.failure`:
 * `{ where, error, cause: "<where> failed: <caught cause>" }`, every field present whether or not
 * Step Functions gave the error a Cause, so the run's final Fail state can read them without
 * risking `States.Runtime` (which no Catch handles). Two Pass states behind a Choice on the Cause.
 */
export class FailureNote extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[];

  constructor(scope: Construct, id: string, props: FailureNoteProps) {
    super(scope, id);
    const caught = props.errorPath ?? at(statePath<CaughtRunState>(), 'error');
    const error = at(caught, 'Error');
    const cause = at(caught, 'Cause');
    const { where } = props;
    const template = where === null ? '' : typeof where === 'string' ? where : where.template;
    if (UNSAFE_IN_LITERAL.test(template.replace(/\{\}/g, '')))
      throw new Error(`FailureNote ${id}: "${template}" must not contain ' { } or \\ besides the {} placeholders`);
    const args = where === null || typeof where === 'string' ? [] : where.args;
    const whereExpression = args.length === 0 ? `'${template}'` : `States.Format('${template}', ${args.join(', ')})`;
    const failure = at(statePath<{ failure: RunFailure }>(), 'failure');

    const note = (withCause: boolean): sfn.Pass =>
      new sfn.Pass(this, withCause ? 'WithCause' : 'WithoutCause', {
        stateName: `${props.stateName}${withCause ? '' : ' (no cause)'}`,
        parameters: {
          ...(args.length === 0 ? { where: where === null ? 'the step named in the cause' : template } : { 'where.$': whereExpression }),
          'error.$': error,
          'cause.$':
            where === null
              ? withCause
                ? cause
                : `States.Format('failed with {} (no cause given)', ${error})`
              : withCause
                ? `States.Format('{} failed: {}', ${whereExpression}, ${cause})`
                : `States.Format('{} failed with {} (no cause given)', ${whereExpression}, ${error})`,
        },
        resultPath: failure,
      });
    const withCause = note(true);
    const withoutCause = note(false);
    this.startState = new sfn.Choice(this, 'CauseGiven', { stateName: `${props.stateName}: cause given?` })
      .when(sfn.Condition.isPresent(cause), withCause)
      .otherwise(withoutCause);
    this.endStates = [withCause, withoutCause];
  }
}
