import { CustomResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { JANITOR_STATUSES } from '../core/run/cleanup-plan';
import { CLEANUP_ENV } from '../core/run/run-lambda-contracts';
import { DataStore } from './data-store';
import { ImpressionsFunction, InvocationMode } from './impressions-function';
import { sageMakerArn } from './sagemaker-tasks';

/** Properties of {@link RunSafetyNets}. */
export interface RunSafetyNetsProps {
  /** The run state machine whose failed executions are cleaned up. */
  readonly stateMachine: sfn.IStateMachine;
  /** Key of the logs and the dead-letter queue. */
  readonly dataStore: DataStore;
  /** Prefix of every SageMaker name; only resources tagged `impressions:app`=<prefix> are deleted. */
  readonly resourcePrefix: string;
  /**
   * Longest time the stack deletion waits for the sweep (endpoints still Creating must settle first).
   * @default Duration.hours(1)
   */
  readonly sweepTimeout?: Duration;
}

/**
 * The clean-up nets behind the state machine's own Catch/clean-up path:
 * - the janitor: an EventBridge rule on this state machine's ABORTED, TIMED_OUT and FAILED
 *   executions invokes a Lambda that deletes every SageMaker resource tagged with the run id
 *   (asynchronous: two retries, then the event lands in an encrypted dead-letter queue). An
 *   endpoint still Creating makes it throw `EndpointStillSettlingError`, so the retry comes later.
 * - the sweep: a custom resource whose deletion (on `cdk destroy`) stops and deletes every
 *   resource tagged with this app's prefix, waiting (isComplete, up to `sweepTimeout`) until the
 *   endpoints are gone.
 *
 * Neither can see a resource created without the tags; the state machine tags everything it creates.
 */
export class RunSafetyNets extends Construct {
  public readonly janitor: ImpressionsFunction;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly rule: events.Rule;
  public readonly sweep: CustomResource;

  constructor(scope: Construct, id: string, props: RunSafetyNetsProps) {
    super(scope, id);
    const key = props.dataStore.key;
    const environment = { [CLEANUP_ENV.resourcePrefix]: props.resourcePrefix };

    this.deadLetterQueue = new sqs.Queue(this, 'JanitorDlq', {
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the janitor; it has none of its own.',
    });

    this.janitor = new ImpressionsFunction(this, 'Janitor', {
      handlerDir: 'janitor',
      description: 'Deletes the SageMaker resources of an aborted, timed-out or failed run (by the run-id tag)',
      logKey: key,
      invocation: InvocationMode.ASYNCHRONOUS,
      deadLetterQueue: this.deadLetterQueue,
      timeout: Duration.minutes(5),
      environment,
    });
    grantCleanup(this.janitor, props.resourcePrefix);

    this.rule = new events.Rule(this, 'FailedRuns', {
      description: 'Runs that ended without succeeding: delete what they left',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [props.stateMachine.stateMachineArn], status: [...JANITOR_STATUSES] },
      },
    });
    this.rule.addTarget(
      new targets.LambdaFunction(this.janitor, {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 8,
        maxEventAge: Duration.hours(2),
      }),
    );

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

    Validations.of(provider).acknowledge(
      {
        id: 'AwsSolutions-L1',
        reason: 'The custom-resource framework functions are created by aws-cdk-lib with the runtime it tests them on; our handlers use nodejs24.x.',
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'The aws-cdk-lib provider framework attaches AWSLambdaBasicExecutionRole to its own functions; it carries no data access.',
      },
      ...[onEvent, isComplete].map((fn) => ({
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(fn.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
        reason: 'The provider framework invokes our sweep handlers (":*" covers their versions); generated by aws-cdk-lib.',
      })),
      ...['framework-isComplete', 'framework-onTimeout'].map((child) => ({
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(provider.node.findChild(child).node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
        reason: 'The waiter state machine invokes the framework isComplete/onTimeout functions (":*" covers their versions); generated by aws-cdk-lib.',
      })),
      { id: 'AwsSolutions-SF1', reason: 'The provider framework waiter state machine logs errors only (aws-cdk-lib sets the level); it carries no data.' },
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

/** Lets a clean-up function find this app's tagged resources and stop or delete them. */
function grantCleanup(fn: ImpressionsFunction, prefix: string): void {
  const arn = (type: Parameters<typeof sageMakerArn>[1]): string => sageMakerArn(fn, type, prefix);
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      sid: 'FindTaggedResources',
      // tag:GetResources supports no resource-level permission; it only lists ARNs and tags.
      actions: ['tag:GetResources'],
      resources: ['*'],
    }),
  );
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      sid: 'CleanUpTrainingJobs',
      actions: ['sagemaker:DescribeTrainingJob', 'sagemaker:StopTrainingJob'],
      resources: [arn('training-job')],
    }),
  );
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      sid: 'CleanUpHosting',
      actions: ['sagemaker:DescribeEndpoint', 'sagemaker:DeleteEndpoint', 'sagemaker:DeleteEndpointConfig', 'sagemaker:DeleteModel'],
      resources: [arn('endpoint'), arn('endpoint-config'), arn('model')],
    }),
  );
  Validations.of(fn.executionRole).acknowledge(
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'tag:GetResources supports no resource-level permission (it lists ARNs and tags); X-Ray likewise. Deletes are scoped to <prefix>-* names.',
    },
    ...(['training-job', 'model', 'endpoint-config', 'endpoint'] as const).map((type) => ({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:${type}/${prefix}-*]`,
      reason: `Runs name their ${type}s <prefix>-<run id>-…; clean-up may touch those names only.`,
    })),
  );
}
