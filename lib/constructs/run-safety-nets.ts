import { CustomResource, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { JANITOR_STATUSES } from '../core/run/cleanup-plan';
import { CLEANUP_ENV, ORPHAN_CHECK_ENV, SAFETY_NET_METRICS, type JanitorWorkflowInput } from '../core/run/run-lambda-contracts';
import { DataStore } from './data-store';
import { ImpressionsFunction, InvocationMode } from './impressions-function';
import { JanitorWorkflow } from './janitor-workflow';
import { acknowledgeGrantWildcards, acknowledgeStatementWildcards, acknowledgeWildcardResources } from './nag-acknowledgements';
import { sageMakerArn } from './sagemaker-tasks';
import { TAG_APP } from '../core/run/tags';

/** Properties of {@link RunSafetyNets}. */
export interface RunSafetyNetsProps {
  /** The run state machine whose runs are cleaned up after. */
  readonly stateMachine: sfn.IStateMachine;
  /** Key of the logs and the dead-letter queue. */
  readonly dataStore: DataStore;
  /** Prefix of every SageMaker name; only resources tagged `impressions:app`=<prefix> are deleted. Also names the two rules. */
  readonly resourcePrefix: string;
  /** Where the janitor says it gave up (the alarm topic). */
  readonly alarmTopic: sns.ITopic;
  /**
   * How long the janitor keeps coming back for a run's resources (Creating endpoints must settle first).
   * @default Duration.hours(4)
   */
  readonly janitorMaxWait?: Duration;
  /**
   * Time between the orphan check's runs.
   * @default Duration.hours(1)
   */
  readonly orphanCheckInterval?: Duration;
  /**
   * Longest time the stack deletion waits for the sweep (endpoints still Creating must settle first).
   * @default Duration.hours(1)
   */
  readonly sweepTimeout?: Duration;
}

/** Names of the two EventBridge rules (physical names: the data key's policy names them before they exist). */
export function safetyNetRuleNames(resourcePrefix: string): { readonly runEnded: string; readonly orphanCheck: string } {
  return { runEnded: `${resourcePrefix}-run-ended`, orphanCheck: `${resourcePrefix}-orphan-check` };
}

/**
 * The clean-up nets behind the run's own clean-up (which handles every failure its Catch sees):
 * - the janitor ({@link JanitorWorkflow}): a rule on this state machine's ABORTED, TIMED_OUT and
 *   FAILED executions starts the janitor state machine, which repeats a clean-up pass until
 *   nothing is left (waiting up to `janitorMaxWait` for Creating endpoints), then notifies and
 *   fails if something still is. A FAILED run is the janitor's only when its error is
 *   `CleanupIncomplete`;
 * - the orphan check: an hourly schedule runs a Lambda that removes tagged resources belonging to
 *   no running or recently ended run and not kept on purpose, and alarms when it finds any;
 * - the sweep: a custom resource whose deletion (on `cdk destroy`) removes every resource tagged
 *   with this app's prefix, kept endpoints included, waiting (isComplete, up to `sweepTimeout`).
 *
 * No event is dropped silently: both rules have a dead-letter queue (encrypted with the data key,
 * which EventBridge may use to write to it, as may the orphan check's role for its own asynchronous
 * invocations), with an alarm on its depth. Nothing can see a resource created without the tags;
 * the state machine tags everything it creates.
 */
export class RunSafetyNets extends Construct {
  public readonly janitor: ImpressionsFunction;
  public readonly janitorWorkflow: JanitorWorkflow;
  public readonly orphanCheck: ImpressionsFunction;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly runEndedRule: events.Rule;
  public readonly orphanCheckRule: events.Rule;
  public readonly sweep: CustomResource;
  /** CloudWatch namespace of the safety nets' metrics. */
  public readonly metricsNamespace: string;

  constructor(scope: Construct, id: string, props: RunSafetyNetsProps) {
    super(scope, id);
    const key = props.dataStore.key;
    const namespace = `RadiologyImpressions/${props.resourcePrefix}`;
    this.metricsNamespace = namespace;
    const environment = { [CLEANUP_ENV.resourcePrefix]: props.resourcePrefix, [CLEANUP_ENV.metricsNamespace]: namespace };
    const janitorMaxWait = props.janitorMaxWait ?? Duration.hours(4);
    const ruleNames = safetyNetRuleNames(props.resourcePrefix);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    // EventBridge writes to the dead-letter queue as events.amazonaws.com, so only the key policy can
    // let it encrypt (SQS developer guide, "Amazon SQS key management": AWS services that send to an
    // encrypted queue need kms:GenerateDataKey and kms:Decrypt in the key policy; EventBridge user
    // guide, "Using dead-letter queues"). No aws:SourceArn/aws:SourceAccount condition: the KMS
    // request EventBridge makes does not carry them, and a condition would make every write fail.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowEventBridgeToWriteDeadLetters',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        // A key policy's resource is always the key itself.
        resources: ['*'],
      }),
    );

    // Janitor.
    this.janitor = new ImpressionsFunction(this, 'Janitor', {
      handlerDir: 'janitor',
      description: 'One clean-up pass over what an aborted, timed-out or unfinished run left (by its tags)',
      logKey: key,
      invocation: InvocationMode.SYNCHRONOUS,
      timeout: Duration.minutes(2),
      environment,
    });
    grantCleanup(this.janitor, props.resourcePrefix);
    acknowledgeGrantWildcards(
      this.janitor.executionRole,
      props.stateMachine.grantExecution(this.janitor, 'states:DescribeExecution'),
      "DescribeExecution of this state machine's executions only (to read whether a FAILED run's clean-up was incomplete).",
    );
    this.janitorWorkflow = new JanitorWorkflow(this, 'JanitorWorkflow', {
      janitor: this.janitor,
      topic: props.alarmTopic,
      logKey: key,
      maxWait: janitorMaxWait,
    });
    this.runEndedRule = new events.Rule(this, 'RunEnded', {
      ruleName: ruleNames.runEnded,
      description: 'Runs that ended without succeeding: the janitor deletes what they left',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [props.stateMachine.stateMachineArn], status: [...JANITOR_STATUSES] },
      },
    });
    const janitorInput: { [K in keyof JanitorWorkflowInput]: Record<keyof JanitorWorkflowInput[K], string> } = {
      execution: {
        arn: events.EventField.fromPath('$.detail.executionArn'),
        name: events.EventField.fromPath('$.detail.name'),
        status: events.EventField.fromPath('$.detail.status'),
      },
    };
    this.runEndedRule.addTarget(
      new targets.SfnStateMachine(this.janitorWorkflow.stateMachine, {
        input: events.RuleTargetInput.fromObject(janitorInput),
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
      }),
    );
    const eventsRole = this.janitorWorkflow.stateMachine.node.tryFindChild('EventsRole');
    if (eventsRole !== undefined) {
      Validations.of(eventsRole).acknowledge({
        id: 'HIPAA.Security-IAMNoInlinePolicy',
        reason: 'Generated by the EventBridge target: states:StartExecution on the janitor state machine only; it lives and dies with the role.',
      });
    }

    // Orphan check.
    this.orphanCheck = new ImpressionsFunction(this, 'OrphanCheck', {
      handlerDir: 'orphan-check',
      description: 'Hourly: deletes tagged SageMaker resources that no running or recently ended run owns, and alarms',
      logKey: key,
      invocation: InvocationMode.ASYNCHRONOUS,
      deadLetterQueue: this.deadLetterQueue,
      timeout: Duration.minutes(5),
      reservedConcurrentExecutions: 1,
      environment: {
        ...environment,
        [ORPHAN_CHECK_ENV.runStateMachineArn]: props.stateMachine.stateMachineArn,
        // Until the janitor would have given up (plus an hour): before then the run's resources are the janitor's.
        [ORPHAN_CHECK_ENV.graceSeconds]: String(janitorMaxWait.plus(Duration.hours(1)).toSeconds()),
      },
    });
    grantCleanup(this.orphanCheck, props.resourcePrefix);
    props.stateMachine.grant(this.orphanCheck, 'states:ListExecutions');
    // Lambda sends a failed asynchronous invocation to the function's dead-letter queue with the
    // function's execution role (Lambda developer guide, "Dead-letter queues"): sqs:SendMessage,
    // which aws-cdk-lib grants, and, for a queue encrypted with a customer managed key, the key's
    // kms:GenerateDataKey and kms:Decrypt, which it does not.
    key.grant(this.orphanCheck.executionRole, 'kms:GenerateDataKey', 'kms:Decrypt');
    this.orphanCheckRule = new events.Rule(this, 'OrphanCheckSchedule', {
      ruleName: ruleNames.orphanCheck,
      description: 'Hourly: the last line of defence against SageMaker resources no run owns',
      schedule: events.Schedule.rate(props.orphanCheckInterval ?? Duration.hours(1)),
    });
    this.orphanCheckRule.addTarget(
      new targets.LambdaFunction(this.orphanCheck, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 4, maxEventAge: Duration.hours(1) }),
    );

    // Sweep.
    const onEvent = new ImpressionsFunction(this, 'SweepOnEvent', {
      handlerDir: 'sweep',
      handlerName: 'onEvent',
      description: 'Stack deletion: starts deleting every SageMaker resource of this app',
      logKey: key,
      invocation: InvocationMode.SYNCHRONOUS,
      timeout: Duration.minutes(5),
      environment,
    });
    const isComplete = new ImpressionsFunction(this, 'SweepIsComplete', {
      handlerDir: 'sweep',
      handlerName: 'isComplete',
      description: 'Stack deletion: reports when every SageMaker resource of this app is gone',
      logKey: key,
      invocation: InvocationMode.SYNCHRONOUS,
      timeout: Duration.minutes(5),
      environment,
    });
    grantCleanup(onEvent, props.resourcePrefix);
    grantCleanup(isComplete, props.resourcePrefix);

    const providerLogs = new logs.LogGroup(this, 'SweepProviderLogs', {
      encryptionKey: key,
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const provider = new cr.Provider(this, 'SweepProvider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: Duration.minutes(1),
      totalTimeout: props.sweepTimeout ?? Duration.hours(1),
      logGroup: providerLogs,
      // The framework's default (true) leaves the waiter without logs; it carries only the custom resource's ids.
      disableWaiterStateMachineLogging: false,
      waiterStateMachineLogOptions: { destination: providerLogs, level: sfn.LogLevel.ALL, includeExecutionData: false },
      providerFunctionEnvEncryption: key,
    });
    this.sweep = new CustomResource(this, 'Sweep', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::ImpressionsSweep',
      properties: { ResourcePrefix: props.resourcePrefix },
    });
    // Deleted first on `cdk destroy`, while the state machine still exists.
    this.sweep.node.addDependency(props.stateMachine);

    this.acknowledge(provider, onEvent, isComplete);
  }

  /** The janitor state machine ended without finishing (it gave up, or its Lambda kept failing). */
  metricJanitorFailed(): cloudwatch.IMetric {
    return this.janitorWorkflow.stateMachine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' });
  }

  /** Resources the orphan check found (it alarms at 1). */
  metricOrphanedResources(): cloudwatch.IMetric {
    return new cloudwatch.Metric({
      namespace: this.metricsNamespace,
      metricName: SAFETY_NET_METRICS.orphanedResources,
      period: Duration.hours(1),
      statistic: 'Maximum',
    });
  }

  /** Messages waiting in the dead-letter queue: an event EventBridge or Lambda could not deliver. */
  metricDeadLetters(): cloudwatch.IMetric {
    return this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' });
  }

  /** The provider framework's findings, acknowledged narrowly (ids rendered from the same ARNs as its policies). */
  private acknowledge(provider: cr.Provider, onEvent: lambda.IFunction, isComplete: lambda.IFunction): void {
    for (const child of ['framework-onEvent', 'framework-isComplete', 'framework-onTimeout']) {
      acknowledgeWildcardResources(
        provider.node.findChild(child),
        [onEvent, isComplete].map((fn) => `${fn.functionArn}:*`),
        'The provider framework invokes our sweep handlers (":*" covers their versions); generated by aws-cdk-lib.',
      );
    }
    const frameworkFunctions = ['framework-isComplete', 'framework-onTimeout'].map((child) => provider.node.findChild(child) as lambda.IFunction);
    acknowledgeWildcardResources(
      provider.node.findChild('waiter-state-machine'),
      frameworkFunctions.map((fn) => `${fn.functionArn}:*`),
      'The waiter state machine invokes the framework isComplete/onTimeout functions (":*" covers their versions); generated by aws-cdk-lib.',
    );
    Validations.of(provider.node.findChild('waiter-state-machine')).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: "The waiter's log delivery (logs:CreateLogDelivery, PutResourcePolicy, …) and X-Ray calls support no resource-level permission.",
    });
    Validations.of(provider).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'The aws-cdk-lib provider framework attaches AWSLambdaBasicExecutionRole to its own functions; it carries no data access.',
      },
      {
        id: 'AwsSolutions-SF2',
        reason: 'The provider framework waiter state machine only loops over isComplete; it carries no data and has no tracing option.',
      },
      { id: 'HIPAA.Security-LambdaConcurrency', reason: 'Framework functions run once per stack operation; capping them could only block a deletion.' },
      {
        id: 'HIPAA.Security-LambdaDLQ',
        reason: 'Framework functions are called synchronously by CloudFormation and the waiter; errors are returned to CloudFormation.',
      },
      {
        id: 'HIPAA.Security-LambdaInsideVPC',
        reason: 'Framework functions call only Lambda, Step Functions and the CloudFormation response URL; no VPC exists to join.',
      },
      {
        id: 'HIPAA.Security-IAMNoInlinePolicy',
        reason: 'The provider framework grants are generated by aws-cdk-lib and scoped to our handlers and its waiter.',
      },
    );
  }
}

/**
 * Lets a clean-up function find this app's tagged resources and stop or delete them. Stops and
 * deletes require the `impressions:app` tag to be this prefix when the resource has the tag
 * (`StringEqualsIfExists` on `aws:ResourceTag`, which the training-job, model, endpoint-config and
 * endpoint resource types support: Service Authorization Reference for SageMaker): a resource of
 * another deployment whose name also starts with `<prefix>-` is refused. A plain `StringEquals`
 * would also refuse a resource that is already gone (no tags), turning SageMaker's "not found",
 * which makes every pass repeatable, into an access error.
 */
function grantCleanup(fn: ImpressionsFunction, prefix: string): void {
  const arn = (type: Parameters<typeof sageMakerArn>[1]): string => sageMakerArn(fn, type, prefix);
  const ownTag = { StringEqualsIfExists: { [`aws:ResourceTag/${TAG_APP}`]: prefix } };
  const statements = [
    new iam.PolicyStatement({
      sid: 'FindTaggedResources',
      // tag:GetResources supports no resource-level permission; it only lists ARNs and tags.
      actions: ['tag:GetResources'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'DescribeRunResources',
      // DescribeEndpointConfig: a config or model is never deleted while an endpoint that uses it exists.
      actions: ['sagemaker:DescribeTrainingJob', 'sagemaker:DescribeEndpoint', 'sagemaker:DescribeEndpointConfig'],
      resources: [arn('training-job'), arn('endpoint'), arn('endpoint-config')],
    }),
    new iam.PolicyStatement({
      sid: 'StopRunTrainingJobs',
      actions: ['sagemaker:StopTrainingJob'],
      resources: [arn('training-job')],
      conditions: ownTag,
    }),
    new iam.PolicyStatement({
      sid: 'DeleteRunHosting',
      actions: ['sagemaker:DeleteEndpoint', 'sagemaker:DeleteEndpointConfig', 'sagemaker:DeleteModel'],
      resources: [arn('endpoint'), arn('endpoint-config'), arn('model')],
      conditions: ownTag,
    }),
  ];
  for (const statement of statements) fn.addToRolePolicy(statement);
  acknowledgeStatementWildcards(
    fn.executionRole,
    statements,
    'tag:GetResources supports no resource-level permission (it lists ARNs and tags); the rest is scoped to <prefix>-* names, and stops and deletes to resources tagged for this app.',
  );
}
