import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { at, statePath } from '../core/json-path';
import type { CaughtError, EndpointTeardown, FailedRunState } from '../core/run/contracts';
import { RUN_ERROR_NAMES } from '../core/run/run-lambda-contracts';
import { DELETE_RETRY_DELAYS_SECONDS, EndpointTeardownStage } from './endpoint-teardown-stage';
import { sageMakerCall, type CallScratch } from './sagemaker-call';
import { sageMakerArn } from './sagemaker-tasks';

/** Properties of {@link CleanupStage}. */
export interface CleanupStageProps {
  /** Prefix of every SageMaker name (IAM scope). */
  readonly resourcePrefix: string;
  /** Time between two status checks of an endpoint that is settling or being deleted. */
  readonly pollInterval: Duration;
  /** Most status checks per endpoint while it settles, and again while it is deleted. */
  readonly maxPolls: number;
}

/** What one branch of the clean-up reports. */
export interface CleanupBranchResult {
  /** Everything of this branch is gone (or kept on purpose, or was never created). */
  readonly complete: boolean;
}

/** The state inside the clean-up. */
interface CleanupState extends FailedRunState {
  /** A teardown branch's result. */
  readonly teardown: EndpointTeardown;
  /** The error a branch caught. */
  readonly branchError: CaughtError;
  readonly call: CallScratch;
  readonly stop: { readonly n: number; readonly job: { readonly status: string } };
  /** What the three branches did. */
  readonly cleanup: { readonly pretrained: CleanupBranchResult; readonly fineTuned: CleanupBranchResult; readonly training: CleanupBranchResult };
  /** The clean-up's own failure (a bug, never an AWS error). */
  readonly cleanupError: CaughtError;
  readonly incomplete: { readonly cause: string };
}

/**
 * The failure path of a run: deletes everything the run created, then fails the run with the error
 * that brought it here (`$.failure`, a {@link RunFailure}: the error's name as Error, and a Cause
 * that names the failed step and resource).
 *
 * In parallel and independently (one branch failing does not stop the others): tears down the
 * pretrained and the fine-tuned hosting in the safe order, leaving an endpoint the run kept on
 * purpose (tag `impressions:keep`) alone (see {@link EndpointTeardownStage}), and stops the
 * training job unless training was skipped. A StopTrainingJob that fails is checked with
 * DescribeTrainingJob: not found or no longer InProgress is fine, InProgress is stopped again after
 * a back-off.
 *
 * When a branch cannot finish (an endpoint still Creating after `maxPolls` checks, a delete refused
 * every time), the run fails with `CleanupIncomplete` instead, and its Cause names the original
 * error and cause: that error name is how the janitor knows this FAILED run needs it (it describes
 * the execution; it also acts on the errors no Catch handles, `States.Runtime` and
 * `States.DataLimitExceeded`). Every other FAILED run cleaned up after itself, and the janitor
 * leaves it alone.
 *
 * Longest time: the longer of the two teardowns (see {@link EndpointTeardownStage}: by default 3 h
 * of status checks plus the delete retries) and the stop's retries.
 *
 * Input: a {@link FailedRunState}. Output: none; the execution fails.
 */
export class CleanupStage extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[] = [];

  constructor(scope: Construct, id: string, props: CleanupStageProps) {
    super(scope, id);
    const state = statePath<CleanupState>();
    const branchResult = (name: string, complete: boolean): sfn.Pass =>
      new sfn.Pass(this, name.replace(/[^A-Za-z]/g, ''), {
        stateName: name,
        // The branch's whole output (default ResultPath).
        parameters: { complete },
      });

    const teardown = (label: string, namesKey: 'pretrained' | 'fineTuned'): sfn.IChainable => {
      const stage = new EndpointTeardownStage(this, `Teardown${namesKey}`, {
        label: `clean-up ${label}`,
        namesPath: at(state, `plan.names.${namesKey}`),
        resultPath: at(state, 'teardown'),
        resourcePrefix: props.resourcePrefix,
        pollInterval: props.pollInterval,
        maxPolls: props.maxPolls,
        respectKeepTag: true,
      });
      stage.unit.addCatch(branchResult(`clean-up ${label}: left to the janitor`, false), { resultPath: at(state, 'branchError') });
      stage.next(branchResult(`clean-up ${label}: done`, true));
      return stage;
    };

    const scratch = at(state, 'call');
    const trainingJob = at(state, 'plan.names.trainingJob');
    const jobArn = [sageMakerArn(this, 'training-job', props.resourcePrefix)];
    const stopped = branchResult('clean-up training: nothing left running', true);
    const stop = sageMakerCall(this, 'clean-up training: stop job', {
      action: 'stopTrainingJob',
      iamAction: 'sagemaker:StopTrainingJob',
      iamResources: jobArn,
      parameters: { 'TrainingJobName.$': trainingJob },
      scratch,
      handlesNotFound: true,
      handlesFailure: true,
    });
    stop.next(stopped);
    stop.notFound!.next(stopped);
    // A refused stop is checked: the job may have ended (or been stopped by Step Functions when its branch was cancelled).
    const check = sageMakerCall(this, 'clean-up training: check job', {
      action: 'describeTrainingJob',
      iamAction: 'sagemaker:DescribeTrainingJob',
      iamResources: jobArn,
      parameters: { 'TrainingJobName.$': trainingJob },
      resultSelector: { 'status.$': '$.TrainingJobStatus' },
      resultPath: at(state, 'stop.job'),
      scratch,
      handlesNotFound: true,
    });
    check.notFound!.next(stopped);
    const incomplete = branchResult('clean-up training: left to the janitor', false);
    const stopAttempts = at(state, 'stop.n');
    const initStop = new sfn.Pass(this, 'StopAttempts', {
      stateName: 'clean-up training: start',
      result: sfn.Result.fromObject({ n: 0 }),
      resultPath: at(state, 'stop'),
    });
    initStop.next(stop);
    stop.failed!.next(check);
    check.next(
      new sfn.Choice(this, 'StillRunning', { stateName: 'clean-up training: still running?' })
        .when(
          sfn.Condition.stringEquals(at(state, 'stop.job.status'), 'InProgress'),
          new sfn.Choice(this, 'StopAgain', { stateName: 'clean-up training: stop again?' })
            .when(sfn.Condition.numberGreaterThanEquals(stopAttempts, DELETE_RETRY_DELAYS_SECONDS.length), incomplete)
            .otherwise(
              new sfn.Pass(this, 'CountStops', {
                stateName: 'clean-up training: count stops',
                parameters: { 'n.$': `States.MathAdd(${stopAttempts}, 1)` },
                resultPath: at(state, 'stop'),
              })
                .next(
                  new sfn.Wait(this, 'WaitStop', {
                    stateName: 'clean-up training: wait before stopping again',
                    time: sfn.WaitTime.duration(props.pollInterval),
                  }),
                )
                .next(stop),
            ),
        )
        .otherwise(stopped),
    );
    const training = new sfn.Choice(this, 'TrainingSkipped', { stateName: 'clean-up training: skipped?' })
      .when(sfn.Condition.booleanEquals(at(state, 'plan.skipTraining'), true), branchResult('clean-up training: none', true))
      .otherwise(initStop);

    const all = new sfn.Parallel(this, 'Resources', {
      stateName: 'Clean up',
      comment: 'Each branch catches its own errors, so one stuck endpoint never stops the rest of the clean-up.',
      resultSelector: { 'pretrained.$': '$[0]', 'fineTuned.$': '$[1]', 'training.$': '$[2]' },
      resultPath: at(state, 'cleanup'),
    });
    // The training branch has no Catch of its own: wrap it so any error there is "left to the janitor" too.
    const trainingUnit = new sfn.Parallel(this, 'TrainingUnit', { stateName: 'clean-up training', outputPath: '$[0]' });
    trainingUnit.branch(training);
    trainingUnit.addCatch(branchResult('clean-up training: failed', false), { resultPath: at(state, 'branchError') });
    all.branch(teardown('pretrained', 'pretrained'), teardown('fine-tuned', 'fineTuned'), trainingUnit);

    const failure = at(state, 'failure');
    const failed = new sfn.Fail(this, 'Fail', { stateName: 'Run failed', errorPath: at(failure, 'error'), causePath: at(failure, 'cause') });
    const leftToJanitor = new sfn.Pass(this, 'Incomplete', {
      stateName: 'Clean-up incomplete',
      parameters: {
        'cause.$': `States.Format('{} The clean-up could not delete everything ({}); the janitor deletes the rest.', ${at(failure, 'cause')}, ${at(failure, 'error')})`,
      },
      resultPath: at(state, 'incomplete'),
    }).next(
      new sfn.Fail(this, 'FailIncomplete', {
        stateName: 'Run failed, clean-up incomplete',
        error: RUN_ERROR_NAMES.cleanupIncomplete,
        causePath: at(state, 'incomplete.cause'),
      }),
    );
    // Should the Parallel itself fail (a bug, never an AWS error), the janitor is called in.
    all.addCatch(leftToJanitor, { resultPath: at(state, 'cleanupError') });
    const cleanup = at(state, 'cleanup');
    all.next(
      new sfn.Choice(this, 'Complete', { stateName: 'Clean-up complete?' })
        .when(
          sfn.Condition.and(
            ...(['pretrained', 'fineTuned', 'training'] as const).map((branch) => sfn.Condition.booleanEquals(at(cleanup, `${branch}.complete`), true)),
          ),
          failed,
        )
        .otherwise(leftToJanitor),
    );
    this.startState = all;
  }
}
