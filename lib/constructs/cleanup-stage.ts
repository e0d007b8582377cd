import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { at, statePath } from '../core/json-path';
import type { CaughtError, EndpointTeardown, FailedRunState } from '../core/run/contracts';
import { EndpointTeardownStage } from './endpoint-teardown-stage';
import { sageMakerArn, sageMakerCall } from './sagemaker-tasks';

/** Properties of {@link CleanupStage}. */
export interface CleanupStageProps {
  /** Prefix of every SageMaker name (IAM scope). */
  readonly resourcePrefix: string;
  /** Time between two status checks of an endpoint that is still Creating. */
  readonly pollInterval: Duration;
  /** Most status checks per endpoint before the clean-up leaves it to the janitor. */
  readonly maxPolls: number;
}

/** The state inside the clean-up: the failed run's state and what each branch records. */
interface CleanupState extends FailedRunState {
  /** A teardown branch's result (or, when it could not finish, `{ deleted: false, error }`). */
  readonly teardown: EndpointTeardown;
  /** The error a teardown branch caught. */
  readonly teardownError: CaughtError;
  /** The error of a StopTrainingJob that found nothing to stop. */
  readonly stopError: CaughtError;
  /** What the three branches did. */
  readonly cleanup: unknown;
  /** The clean-up's own failure (a bug, never an AWS error). */
  readonly cleanupError: CaughtError;
}

/**
 * The failure path of a run: deletes everything the run may have created, then fails the run with
 * the error that brought it here.
 *
 * In parallel and independently (one branch failing does not stop the others): tears down the
 * pretrained and the fine-tuned hosting (waiting for a Creating endpoint to settle, skipping what
 * does not exist; see {@link EndpointTeardownStage}) and stops the training job unless training was
 * skipped (an error, e.g. the job already ended, is ignored). A branch that cannot finish records
 * its error under `$.cleanup` and leaves the rest to the janitor, which the FAILED execution
 * triggers.
 *
 * Input: the run state with `$.plan` (names, skipTraining) and the caught error at `$.error`
 * (`{ "Error", "Cause" }`). Output: none; the execution fails with `$.error.Error` and
 * `$.error.Cause`.
 */
export class CleanupStage extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[] = [];

  constructor(scope: Construct, id: string, props: CleanupStageProps) {
    super(scope, id);
    const state = statePath<CleanupState>();
    const teardown = (label: string, namesKey: 'pretrained' | 'fineTuned'): sfn.IChainable => {
      const stage = new EndpointTeardownStage(this, `Teardown${namesKey}`, {
        label: `clean-up ${label}`,
        namesPath: at(state, `plan.names.${namesKey}`),
        resultPath: at(state, 'teardown'),
        resourcePrefix: props.resourcePrefix,
        pollInterval: props.pollInterval,
        maxPolls: props.maxPolls,
      });
      stage.unit.addCatch(
        new sfn.Pass(this, `Incomplete${namesKey}`, {
          stateName: `clean-up ${label}: left to the janitor`,
          parameters: { deleted: false, 'error.$': at(state, 'teardownError.Error') },
          resultPath: at(state, 'teardown'),
        }),
        { resultPath: at(state, 'teardownError') },
      );
      return stage;
    };

    const stopTraining = sageMakerCall(this, 'clean-up training: stop job', {
      action: 'stopTrainingJob',
      iamAction: 'sagemaker:StopTrainingJob',
      iamResources: [sageMakerArn(this, 'training-job', props.resourcePrefix)],
      parameters: { 'TrainingJobName.$': at(state, 'plan.names.trainingJob') },
      resultSelector: { stopped: true },
      resultPath: '$',
    });
    stopTraining.addCatch(new sfn.Pass(this, 'NothingToStop', { stateName: 'clean-up training: nothing to stop', parameters: { stopped: false } }), {
      resultPath: at(state, 'stopError'),
    });
    const training = new sfn.Choice(this, 'TrainingSkipped', { stateName: 'clean-up training: skipped?' })
      .when(
        sfn.Condition.booleanEquals(at(state, 'plan.skipTraining'), true),
        new sfn.Pass(this, 'NoTraining', { stateName: 'clean-up training: none', parameters: { stopped: false } }),
      )
      .otherwise(stopTraining);

    const all = new sfn.Parallel(this, 'Resources', {
      stateName: 'Clean up',
      comment: 'Each branch catches its own errors, so one stuck endpoint never stops the rest of the clean-up.',
      resultSelector: { 'pretrained.$': '$[0].teardown', 'fineTuned.$': '$[1].teardown', 'training.$': '$[2]' },
      resultPath: at(state, 'cleanup'),
    });
    all.branch(teardown('pretrained', 'pretrained'), teardown('fine-tuned', 'fineTuned'), training);
    // Should the Parallel itself fail (a bug, never an AWS error), the run still fails with its own error.
    const fail = new sfn.Fail(this, 'Fail', { stateName: 'Run failed', errorPath: at(state, 'error.Error'), causePath: at(state, 'error.Cause') });
    all.addCatch(fail, { resultPath: at(state, 'cleanupError') });
    all.next(fail);
    this.startState = all;
  }
}
