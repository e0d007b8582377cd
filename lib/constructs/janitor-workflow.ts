import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { at, statePath } from '../core/json-path';
import type { CaughtError } from '../core/run/contracts';
import type { JanitorPassEvent, JanitorPassResult, JanitorWorkflowInput } from '../core/run/run-lambda-contracts';
import { lambdaTaskRetry } from './lambda-tasks';
import { lambdaPayload, ref } from './state-json';

/** Time between two janitor passes, unless the props say otherwise. */
export const DEFAULT_JANITOR_PASS_INTERVAL = Duration.minutes(5);

/** Properties of {@link JanitorWorkflow}. */
export interface JanitorWorkflowProps {
  /** The janitor Lambda: one clean-up pass (lambda/janitor). */
  readonly janitor: lambda.IFunction;
  /** Where a janitor that gives up (or fails) says so. */
  readonly topic: sns.ITopic;
  /** Key of the state machine's log group. */
  readonly logKey: kms.IKey;
  /**
   * How long the janitor keeps coming back for resources that are still there (an endpoint can stay
   * Creating for an hour or more, and only then be deleted).
   * @default Duration.hours(4)
   */
  readonly maxWait?: Duration;
  /**
   * Time between two passes.
   * @default Duration.minutes(5)
   */
  readonly passInterval?: Duration;
}

/** The janitor's state. */
interface JanitorState extends JanitorPassEvent {
  readonly last: JanitorPassResult;
  readonly error: CaughtError;
  readonly notice: { readonly message: string };
}

/**
 * The janitor: a small Standard state machine, started by EventBridge for every ABORTED, TIMED_OUT
 * or FAILED run, that calls the janitor Lambda for a clean-up pass, then waits `passInterval` and
 * calls it again, until nothing is left (or the run needs nothing, e.g. it cleaned up after itself)
 * or `maxWait` has passed. Waiting in Step Functions costs nothing while the endpoints settle, each
 * janitor run is visible as an execution, and its end is explicit: when it gives up, it publishes
 * to the alarm topic which resources are left and how to delete them, then fails (`JanitorGaveUp`),
 * which its alarm reports too. A Lambda that keeps failing ends the same way (`JanitorFailed`).
 *
 * Chosen over re-queuing through SQS delays (at most 15 minutes each, a hand-kept attempt count in
 * the message, a poison message ending in the queue's DLQ unseen) because the loop, its bound and
 * its give-up are all in one definition that tests execute.
 *
 * Longest time: `maxWait` plus, per pass, the Lambda's time and its retries on its last pass (a
 * failing pass: at most 5 retries, 30 s doubling, 15.5 min; Lambda's own errors: the Lambda-task
 * retry of lib/constructs/lambda-tasks.ts, about 2 min).
 *
 * Input: a {@link JanitorWorkflowInput}, `{ "execution": { "arn", "name", "status" } }`.
 */
export class JanitorWorkflow extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly logGroup: logs.LogGroup;
  /** Passes before the janitor gives up. */
  public readonly maxPasses: number;

  constructor(scope: Construct, id: string, props: JanitorWorkflowProps) {
    super(scope, id);
    const maxWait = props.maxWait ?? Duration.hours(4);
    const interval = props.passInterval ?? DEFAULT_JANITOR_PASS_INTERVAL;
    this.maxPasses = Math.ceil(maxWait.toSeconds() / interval.toSeconds()) + 1;
    const state = statePath<JanitorState>();
    const input = statePath<JanitorWorkflowInput>();

    const start = new sfn.Pass(this, 'Start', {
      stateName: 'Janitor: start',
      parameters: { 'execution.$': at(input, 'execution'), pass: 0 },
    });
    const pass = new tasks.LambdaInvoke(this, 'Pass', {
      stateName: 'Janitor: clean-up pass',
      lambdaFunction: props.janitor,
      payloadResponseOnly: true,
      payload: lambdaPayload<JanitorPassEvent>({ execution: ref(at(state, 'execution')), pass: ref(at(state, 'pass')) }),
      resultPath: at(state, 'last'),
      taskTimeout: sfn.Timeout.duration(Duration.minutes(5)),
    });
    // Lambda's own failures: the run's one Lambda-task policy, after the retrier LambdaInvoke adds for its service errors.
    pass.addRetry(lambdaTaskRetry());
    // A pass that fails otherwise (SageMaker still throttling after the SDK's retries, a tagging API outage) is repeated later.
    pass.addRetry({ errors: ['States.ALL'], interval: Duration.seconds(30), backoffRate: 2, maxAttempts: 5, jitterStrategy: sfn.JitterType.FULL });

    const publish = (id: string, subject: string): tasks.SnsPublish =>
      new tasks.SnsPublish(this, id, {
        stateName: `Janitor: notify (${subject})`,
        topic: props.topic,
        subject: `radiology-impressions: the janitor ${subject}`,
        message: sfn.TaskInput.fromJsonPathAt(at(state, 'notice.message')),
        resultPath: sfn.JsonPath.DISCARD,
      });
    const hours = maxWait.toHumanString();
    const runId = at(state, 'last.runId');
    const gaveUp = new sfn.Pass(this, 'GaveUp', {
      stateName: 'Janitor: gave up',
      parameters: {
        'message.$': `States.Format('The janitor gave up on run {} after ${this.maxPasses} passes over ${hours}: {} resource(s) are still there: {}. Delete them with: npx impressions endpoints delete --run {} (the hourly orphan check keeps trying too).', ${runId}, States.ArrayLength(${at(state, 'last.remaining')}), States.JsonToString(${at(state, 'last.remaining')}), ${runId})`,
      },
      resultPath: at(state, 'notice'),
    })
      .next(publish('NotifyGaveUp', 'gave up'))
      .next(new sfn.Fail(this, 'GiveUp', { stateName: 'Janitor gave up', error: 'JanitorGaveUp', causePath: at(state, 'notice.message') }));

    const failedMessage = (withCause: boolean): sfn.Pass =>
      new sfn.Pass(this, withCause ? 'Failed' : 'FailedWithoutCause', {
        stateName: withCause ? 'Janitor: failed' : 'Janitor: failed (no cause)',
        parameters: {
          'message.$': withCause
            ? `States.Format('The janitor failed on execution {}: {}: {}. Delete what the run left with: npx impressions endpoints delete --run <run id> (the hourly orphan check keeps trying too).', ${at(state, 'execution.name')}, ${at(state, 'error.Error')}, ${at(state, 'error.Cause')})`
            : `States.Format('The janitor failed on execution {}: {}. Delete what the run left with: npx impressions endpoints delete --run <run id> (the hourly orphan check keeps trying too).', ${at(state, 'execution.name')}, ${at(state, 'error.Error')})`,
        },
        resultPath: at(state, 'notice'),
      });
    const notifyFailed = publish('NotifyFailed', 'failed').next(
      new sfn.Fail(this, 'Fail', { stateName: 'Janitor failed', error: 'JanitorFailed', causePath: at(state, 'notice.message') }),
    );
    pass.addCatch(
      new sfn.Choice(this, 'FailureCause', { stateName: 'Janitor: failure cause given?' })
        .when(sfn.Condition.isPresent(at(state, 'error.Cause')), failedMessage(true).next(notifyFailed))
        .otherwise(failedMessage(false).next(notifyFailed)),
      { resultPath: at(state, 'error') },
    );

    const nextPass = new sfn.Pass(this, 'Next', {
      stateName: 'Janitor: next pass',
      parameters: { 'execution.$': at(state, 'execution'), 'pass.$': `States.MathAdd(${at(state, 'pass')}, 1)` },
    });
    nextPass.next(new sfn.Wait(this, 'Wait', { stateName: 'Janitor: wait', time: sfn.WaitTime.duration(interval) })).next(pass);
    start.next(pass).next(
      new sfn.Choice(this, 'Done', { stateName: 'Janitor: done?' })
        .when(sfn.Condition.booleanEquals(at(state, 'last.done'), true), new sfn.Succeed(this, 'Succeeded', { stateName: 'Janitor: nothing left' }))
        .when(sfn.Condition.numberGreaterThanEquals(at(state, 'pass'), this.maxPasses - 1), gaveUp)
        .otherwise(nextPass),
    );

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.logKey,
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      definitionBody: sfn.DefinitionBody.fromChainable(start),
      comment: 'radiology-impressions janitor: clean-up passes over what an aborted, timed-out or unfinished run left, until nothing is left.',
      timeout: maxWait.plus(Duration.hours(1)),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    // SnsPublish grants sns:Publish only; the topic is encrypted, so publishing needs its key too.
    props.topic.grantPublish(this.stateMachine);
    Validations.of(this.stateMachine.role).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(props.janitor.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
        reason: 'LambdaInvoke grants the janitor function and its versions/aliases (":*"); nothing else.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray (PutTraceSegments, GetSamplingRules…) and CloudWatch Logs delivery (CreateLogDelivery, …) support no resource-level permission.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason:
          "Expanded by the topic's publish grant: publishing to the KMS-encrypted alarm topic needs the data key's GenerateDataKey variants; the resource is that key only.",
      },
      {
        id: 'HIPAA.Security-IAMNoInlinePolicy',
        reason: 'Built from the task grants (the janitor function, the alarm topic and its key); it lives and dies with the role.',
      },
    );
  }
}
