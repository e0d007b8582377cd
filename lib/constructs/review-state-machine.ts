import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ReviewTeam } from '../core/review/keys';
import { REVIEW_ENV } from '../core/review/review-lambda-contracts';
import { DataPrefix, DataStore } from './data-store';
import { ImpressionsFunction, InvocationMode } from './impressions-function';
import { acknowledgeGrantWildcards, acknowledgeWildcardResources } from './nag-acknowledgements';

/** Properties of {@link ReviewStateMachine}. */
export interface ReviewStateMachineProps {
  readonly dataStore: DataStore;
  /** Name of the state machine: the functions that end its wait are granted by this name (a reference would be circular). */
  readonly stateMachineName: string;
  /** Flow definition ARN of each team (the loops' flow definitions; the rule listens to these only). */
  readonly flowDefinitionArns: Readonly<Record<ReviewTeam, string>>;
  /** Base names of the flow definitions (their ARNs end in `<base>-<hash>`), for the IAM scope. */
  readonly flowDefinitionBaseNames: readonly string[];
  /**
   * The AnalyticsStack's publish function, invoked with `{ runId }` once the review's figures are written.
   * @default - the review ends after its summary (rows in S3, not registered for Athena)
   */
  readonly publishFunction?: lambda.IFunction;
  /**
   * Longest review, the deadline included.
   * @default Duration.days(11) (the flow definitions keep tasks at most 10 days)
   */
  readonly timeout?: Duration;
}

const LAMBDA_RETRY_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.Unknown',
];
/** A2I and S3 errors a later attempt can fix (thrown by the handlers as the SDK names them). */
const TRANSIENT_ERRORS = ['ThrottlingException', 'InternalServerException', 'ServiceUnavailable', 'SlowDown', 'InternalError'];

/**
 * The review (README "Radiologist review"), a Standard state machine of its own (not the run's):
 *
 * Start human loops (repeated until all are started) → Wait for answers (a `waitForTaskToken` task
 * whose timeout is the review's deadline) → Close (for every loop without rows: ask A2I, stop it if
 * it still runs, write its rows; repeated until done) → Summarize → Publish → succeed.
 * Answers arrive as A2I's "SageMaker A2I HumanLoop Status Change" events
 * (https://docs.aws.amazon.com/sagemaker/latest/dg/a2i-cloudwatch-events.html, delivered at least
 * once) on an EventBridge rule limited to this app's flow definitions; its target writes each loop's
 * rows and ends the wait with the last one. Nothing polls: the wait ends with the last answer or
 * at the deadline, and what was answered by then is summarized. A failure while starting loops
 * still closes the review (stopping what was started) and then fails the execution with the error.
 *
 * Execution input: `{ "reviewId", "runId" }` (written with the review by `impressions review
 * start|drafts`). Logs: level ALL without execution data; X-Ray on.
 */
export class ReviewStateMachine extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  /** The EventBridge rule on the flow definitions' loop status changes. */
  public readonly rule: events.Rule;
  /** Where undeliverable loop events go (encrypted, 14 days). */
  public readonly deadLetterQueue: sqs.Queue;
  public readonly functions: {
    readonly startLoops: ImpressionsFunction;
    readonly storeWaitToken: ImpressionsFunction;
    readonly onLoopEvent: ImpressionsFunction;
    readonly closeReview: ImpressionsFunction;
    readonly summarizeReview: ImpressionsFunction;
  };

  constructor(scope: Construct, id: string, props: ReviewStateMachineProps) {
    super(scope, id);
    const { dataStore } = props;
    const key = dataStore.key;
    const stack = Stack.of(this);
    const environment = {
      [REVIEW_ENV.dataBucket]: dataStore.bucket.bucketName,
      [REVIEW_ENV.flowDefinitions]: stack.toJsonString(props.flowDefinitionArns),
    };
    const fn = (
      fid: string,
      handlerName: string,
      description: string,
      timeout: Duration,
      extra: Partial<{ invocation: InvocationMode; deadLetterQueue: sqs.IQueue; concurrency: number }> = {},
    ) =>
      new ImpressionsFunction(this, fid, {
        handlerDir: 'review',
        handlerName,
        description,
        logKey: key,
        invocation: extra.invocation ?? InvocationMode.SYNCHRONOUS,
        deadLetterQueue: extra.deadLetterQueue,
        reservedConcurrentExecutions: extra.concurrency,
        timeout,
        environment,
      });

    this.deadLetterQueue = new sqs.Queue(this, 'LoopEventsDlq', { encryptionMasterKey: key, enforceSSL: true, retentionPeriod: Duration.days(14) });

    const startLoops = fn('StartLoops', 'startLoops', 'Starts the A2I human loops of a review (one per item and reader team)', Duration.minutes(5));
    const storeWaitToken = fn(
      'StoreWaitToken',
      'storeWaitTokenHandler',
      "Stores a review's wait token; ends the wait when all loops already have rows",
      Duration.seconds(30),
    );
    const onLoopEvent = fn(
      'OnLoopEvent',
      'onLoopEvent',
      'Writes the rows of a finished A2I human loop and ends the review wait with the last one',
      Duration.minutes(2),
      {
        invocation: InvocationMode.ASYNCHRONOUS,
        deadLetterQueue: this.deadLetterQueue,
      },
    );
    const closeReview = fn('CloseReview', 'closeReview', 'Stops unanswered human loops of a review and writes what became of each', Duration.minutes(5));
    const summarizeReview = fn('SummarizeReview', 'summarizeReview', "Computes a review's figures from its rows", Duration.minutes(5));
    this.functions = { startLoops, storeWaitToken, onLoopEvent, closeReview, summarizeReview };

    // Grants: each function only what it does (read grants include listing the bucket's keys, which name runs, reviews and loops only).
    const work = "A review's description, items, wait token and A2I output documents, named by review id and loop.";
    const results = 'Review rows and figures, one file per human loop and review, named by run, review and loop.';
    const grant = (f: ImpressionsFunction, g: iam.Grant, reason: string): void => acknowledgeGrantWildcards(f.executionRole, g, reason);
    for (const f of [startLoops, storeWaitToken, onLoopEvent, closeReview, summarizeReview]) grant(f, dataStore.grantRead(f, DataPrefix.REVIEWS), work);
    grant(storeWaitToken, dataStore.grantWrite(storeWaitToken, DataPrefix.REVIEWS), work);
    grant(closeReview, dataStore.grantWrite(closeReview, DataPrefix.REVIEWS), work);
    for (const f of [onLoopEvent, closeReview, summarizeReview]) grant(f, dataStore.grantWrite(f, DataPrefix.REVIEW_RESULTS), results);
    for (const f of [onLoopEvent, summarizeReview]) grant(f, dataStore.grantRead(f, DataPrefix.REVIEW_RESULTS), results);
    const loopArn = stack.formatArn({ service: 'sagemaker', resource: 'human-loop', resourceName: '*' });
    const flowArns = props.flowDefinitionBaseNames.map((base) =>
      stack.formatArn({ service: 'sagemaker', resource: 'flow-definition', resourceName: `${base}-*` }),
    );
    startLoops.addToRolePolicy(new iam.PolicyStatement({ sid: 'StartReviewLoops', actions: ['sagemaker:StartHumanLoop'], resources: [...flowArns, loopArn] }));
    startLoops.addToRolePolicy(new iam.PolicyStatement({ sid: 'CheckExistingLoops', actions: ['sagemaker:DescribeHumanLoop'], resources: [loopArn] }));
    closeReview.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'CloseReviewLoops', actions: ['sagemaker:DescribeHumanLoop', 'sagemaker:StopHumanLoop'], resources: [loopArn] }),
    );

    const logGroup = new logs.LogGroup(this, 'Logs', { encryptionKey: key, retention: logs.RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY });
    const lambdaTask = (tid: string, f: lambda.IFunction, payload: Record<string, unknown>, resultPath: string) => {
      const t = new tasks.LambdaInvoke(this, tid, {
        lambdaFunction: f,
        payloadResponseOnly: true,
        payload: sfn.TaskInput.fromObject(payload),
        resultPath,
        taskTimeout: sfn.Timeout.duration(Duration.minutes(6)),
      });
      t.addRetry({ errors: [...LAMBDA_RETRY_ERRORS, ...TRANSIENT_ERRORS], interval: Duration.seconds(5), backoffRate: 2, maxAttempts: 4 });
      return t;
    };
    const ids = { 'reviewId.$': '$.reviewId', 'runId.$': '$.runId' };

    const prepare = new sfn.Pass(this, 'Prepare', {
      comment: 'Keep only the review and run ids of the input.',
      parameters: { ...ids, start: { next: 0 } },
    });
    const start = lambdaTask('Start human loops', startLoops, { ...ids, 'next.$': '$.start.next' }, '$.start');
    const failed = new sfn.Pass(this, 'Starting failed', {
      comment: 'Close the review anyway: stop the loops that were started, keep what is there.',
      parameters: { ...ids, 'failure.$': '$.failure', close: { next: 0, reason: 'error' } },
    });
    start.addCatch(failed, { resultPath: '$.failure' });

    // The wait's timeout is the review's deadline (startLoops returns the seconds left until it). It sits
    // at $.Payload.waitSeconds of the state input and of the task's Parameters alike, so the path
    // resolves whether an interpreter reads TimeoutSecondsPath before or after Parameters.
    const setDeadline = new sfn.Pass(this, 'Set the deadline', {
      parameters: { ...ids, 'start.$': '$.start', Payload: { 'waitSeconds.$': '$.start.waitSeconds' } },
    });
    const wait = new tasks.LambdaInvoke(this, 'Wait for answers', {
      lambdaFunction: storeWaitToken,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({ ...ids, token: sfn.JsonPath.taskToken, 'waitSeconds.$': '$.Payload.waitSeconds' }),
      taskTimeout: sfn.Timeout.at('$.Payload.waitSeconds'),
      resultPath: '$.wait',
    });
    wait.addRetry({ errors: LAMBDA_RETRY_ERRORS, interval: Duration.seconds(5), backoffRate: 2, maxAttempts: 3 });
    const answered = new sfn.Pass(this, 'All answered', {
      parameters: { ...ids, 'start.$': '$.start', 'wait.$': '$.wait', close: { next: 0, reason: 'answered' } },
    });
    const deadline = new sfn.Pass(this, 'Deadline passed', {
      parameters: { ...ids, 'start.$': '$.start', 'timeout.$': '$.timeout', close: { next: 0, reason: 'deadline' } },
    });
    wait.addCatch(deadline, { errors: ['States.Timeout'], resultPath: '$.timeout' });
    const waitFailed = new sfn.Pass(this, 'Wait failed', {
      parameters: { ...ids, 'failure.$': '$.failure', close: { next: 0, reason: 'error' } },
    });
    wait.addCatch(waitFailed, { resultPath: '$.failure' });

    const close = lambdaTask('Close review', closeReview, { ...ids, 'next.$': '$.close.next', 'reason.$': '$.close.reason' }, '$.close');
    const summarize = lambdaTask('Summarize review', summarizeReview, ids, '$.summary');
    const succeed = new sfn.Succeed(this, 'Review done');
    const fail = new sfn.Fail(this, 'Review failed', { errorPath: '$.failure.Error', causePath: '$.failure.Cause' });
    const outcome = new sfn.Choice(this, 'Did starting fail?').when(sfn.Condition.isPresent('$.failure'), fail).otherwise(succeed);

    let afterSummary: sfn.IChainable = outcome;
    if (props.publishFunction !== undefined) {
      const publish = new tasks.LambdaInvoke(this, 'Publish review', {
        lambdaFunction: props.publishFunction,
        payloadResponseOnly: true,
        payload: sfn.TaskInput.fromObject({ 'runId.$': '$.runId' }),
        resultPath: '$.publication',
        taskTimeout: sfn.Timeout.duration(Duration.minutes(5)),
      });
      publish.addRetry({ errors: LAMBDA_RETRY_ERRORS, interval: Duration.seconds(5), backoffRate: 2, maxAttempts: 3 });
      const notPublished = new sfn.Pass(this, 'Review not published', {
        comment: 'The rows and figures are in S3; only their registration for Athena/QuickSight failed. Recorded, not fatal.',
        parameters: { status: 'failed', 'error.$': '$.publication.Error', 'cause.$': '$.publication.Cause' },
        resultPath: '$.publication',
      });
      publish.addCatch(notPublished, { resultPath: '$.publication' });
      publish.next(outcome);
      notPublished.next(outcome);
      afterSummary = publish;
    }

    const closeLoop = new sfn.Choice(this, 'All loops closed?').when(sfn.Condition.isNull('$.close.next'), summarize).otherwise(close);
    close.next(closeLoop);
    summarize.next(afterSummary);
    for (const p of [answered, deadline, failed, waitFailed]) p.next(close);
    wait.next(answered);
    setDeadline.next(wait);
    const startLoop = new sfn.Choice(this, 'All loops started?').when(sfn.Condition.isNull('$.start.next'), setDeadline).otherwise(start);
    start.next(startLoop);
    const definition = prepare.next(start);

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      comment: 'radiology-impressions review: start A2I human loops, wait for the answers until the deadline, close, summarize, publish.',
      timeout: props.timeout ?? Duration.days(11),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    // The last loop event (or the wait task itself) ends the wait: SendTaskSuccess on this state machine only.
    const machineArn = stack.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: props.stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    for (const f of [onLoopEvent, storeWaitToken]) {
      f.addToRolePolicy(new iam.PolicyStatement({ sid: 'EndReviewWait', actions: ['states:SendTaskSuccess'], resources: [machineArn] }));
    }

    this.rule = new events.Rule(this, 'LoopStatusChanges', {
      description: "A2I human loops of this app's review flow definitions reached Completed, Failed or Stopped",
      eventPattern: {
        source: ['aws.sagemaker'],
        detailType: ['SageMaker A2I HumanLoop Status Change'],
        detail: { flowDefinitionArn: Object.values(props.flowDefinitionArns), humanLoopStatus: ['Completed', 'Failed', 'Stopped'] },
      },
    });
    this.rule.addTarget(new targets.LambdaFunction(onLoopEvent, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(24) }));

    this.acknowledge(props);
  }

  private acknowledge(props: ReviewStateMachineProps): void {
    const role = this.stateMachine.role;
    acknowledgeWildcardResources(
      role,
      [
        this.functions.startLoops,
        this.functions.storeWaitToken,
        this.functions.closeReview,
        this.functions.summarizeReview,
        ...(props.publishFunction === undefined ? [] : [props.publishFunction]),
      ].map((f) => `${f.functionArn}:*`),
      'LambdaInvoke grants the function and its versions/aliases (":*"); nothing else.',
    );
    Validations.of(role).acknowledge(
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'X-Ray and CloudWatch Logs delivery support no resource-level permission.' },
      { id: 'HIPAA.Security-IAMNoInlinePolicy', reason: 'Built from the task grants of this state machine; it lives and dies with the role.' },
    );
    const loopResource = 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:human-loop/*]';
    Validations.of(this.functions.startLoops.executionRole).acknowledge(
      {
        id: loopResource,
        reason: 'Human loops are named by review at run time (<review id>-<item>-<team>); A2I authorises StartHumanLoop on the loop and the flow definition.',
      },
      ...props.flowDefinitionBaseNames.map((base) => ({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:flow-definition/${base}-*]`,
        reason: "This app's review flow definitions (named <base>-<settings hash>), nothing else.",
      })),
    );
    Validations.of(this.functions.closeReview.executionRole).acknowledge({
      id: loopResource,
      reason: 'Human loops are named by review at run time; describe and stop only.',
    });
  }
}
