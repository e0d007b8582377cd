import { CfnOutput, Duration, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ImpressionsConfig } from '../config';
import { DataStore } from '../constructs/data-store';
import { EvaluationFunctions } from '../constructs/evaluation-functions';
import { ImpressionsFunction, InvocationMode } from '../constructs/impressions-function';
import { acknowledgeGrantActionWildcards } from '../constructs/nag-acknowledgements';
import { RunAlarms } from '../constructs/run-alarms';
import { RunSafetyNets } from '../constructs/run-safety-nets';
import { RunStateMachine } from '../constructs/run-state-machine';
import { SageMakerExecutionRole } from '../constructs/sagemaker-execution-role';
import { STACK_OUTPUTS } from '../core/deployment';
import { templateSha256 } from '../core/run/training-channel';

/** Properties of {@link PipelineStack}. */
export interface PipelineStackProps extends StackProps {
  /** The app's validated configuration. */
  readonly config: ImpressionsConfig;
  /** Bucket and key of the DataStack. */
  readonly dataStore: DataStore;
  /**
   * The AnalyticsStack's publish step, invoked after aggregation, and its failure metric.
   * @default - runs end after aggregation (results stay in S3 only)
   */
  readonly analytics?: {
    readonly publishFunction: lambda.IFunction;
    readonly refreshFailedMetric: cloudwatch.IMetric;
  };
}

/**
 * The run: the SageMaker execution role, the run's Lambdas, the state machine, its clean-up nets
 * (janitor rule, stack-deletion sweep) and its alarms. Stateless: `cdk destroy` removes it after
 * the sweep has deleted every SageMaker resource of the app.
 */
export class PipelineStack extends Stack {
  public readonly run: RunStateMachine;
  public readonly sageMakerRole: iam.IRole;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { config, dataStore } = props;
    const key = dataStore.key;

    this.sageMakerRole = new SageMakerExecutionRole(this, 'SageMaker', { dataStore }).role;

    const validateInput = new ImpressionsFunction(this, 'ValidateInput', {
      handlerDir: 'validate-input',
      description: 'Validates a run input and plans the run (names, paths, hyperparameters)',
      logKey: key,
      invocation: InvocationMode.SYNCHRONOUS,
      timeout: Duration.seconds(30),
    });
    // Pure validation: it reads nothing, so it is granted nothing.

    const preflightQuotas = new ImpressionsFunction(this, 'PreflightQuotas', {
      handlerDir: 'preflight-quotas',
      description: 'Fails a run early when a SageMaker instance quota is too low or taken',
      logKey: key,
      invocation: InvocationMode.SYNCHRONOUS,
      // Describes every running training job and live endpoint of the account, 4 at a time.
      timeout: Duration.minutes(2),
    });
    preflightQuotas.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadSageMakerQuotas',
        actions: ['servicequotas:ListServiceQuotas', 'servicequotas:ListAWSDefaultServiceQuotas'],
        // Service Quotas list calls support no resource-level permission; read-only.
        resources: ['*'],
      }),
    );
    preflightQuotas.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ListSageMakerInstanceHolders',
        actions: ['sagemaker:ListTrainingJobs', 'sagemaker:ListEndpoints'],
        // SageMaker list calls support no resource-level permission; read-only.
        resources: ['*'],
      }),
    );
    const anySageMaker = (type: string) => this.formatArn({ service: 'sagemaker', resource: type, resourceName: '*' });
    preflightQuotas.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'DescribeSageMakerInstanceHolders',
        actions: ['sagemaker:DescribeTrainingJob', 'sagemaker:DescribeEndpoint', 'sagemaker:DescribeEndpointConfig'],
        resources: [anySageMaker('training-job'), anySageMaker('endpoint'), anySageMaker('endpoint-config')],
      }),
    );
    Validations.of(preflightQuotas.executionRole).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'Service Quotas list reads, SageMaker ListTrainingJobs/ListEndpoints and X-Ray support no resource-level permission; all read-only.',
      },
      ...(['training-job', 'endpoint', 'endpoint-config'] as const).map((type) => ({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:${type}/*]`,
        reason: `Quotas are per account: every ${type} of the account counts against them, not only this app's, so the check describes any (read-only).`,
      })),
    );

    const resolveModel = new ImpressionsFunction(this, 'ResolveModel', {
      handlerDir: 'resolve-model',
      description: 'Resolves the JumpStart model version, images, channels and settings',
      logKey: key,
      invocation: InvocationMode.SYNCHRONOUS,
      timeout: Duration.minutes(1),
    });
    s3.Bucket.fromBucketName(this, 'JumpStartBucket', `jumpstart-cache-prod-${this.region}`).grantRead(resolveModel, '*');
    acknowledgeGrantActionWildcards(resolveModel.executionRole, 'read of the public JumpStart bucket');
    Validations.of(resolveModel.executionRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::jumpstart-cache-prod-<AWS::Region>/*]',
      reason: 'Reads the manifest and specs of the public JumpStart bucket of the region; the key depends on the resolved version.',
    });

    const evaluation = new EvaluationFunctions(this, 'Evaluation', { dataStore, logKey: key, config });

    this.run = new RunStateMachine(this, 'Run', {
      dataStore,
      sageMakerRole: this.sageMakerRole,
      functions: {
        validateInput,
        preflightQuotas,
        resolveModel,
        planEvaluation: evaluation.planEvaluation,
        evaluate: evaluation.evaluate,
        aggregate: evaluation.aggregate,
        publishResults: props.analytics?.publishFunction,
      },
      evaluationMaxConcurrency: evaluation.maxConcurrency,
      resourcePrefix: config.resourcePrefix,
      // RunModelSettings is a subset of the config's fields.
      model: config,
    });

    new RunSafetyNets(this, 'SafetyNets', { stateMachine: this.run.stateMachine, dataStore, resourcePrefix: config.resourcePrefix });
    const analytics = props.analytics;
    new RunAlarms(this, 'Alarms', {
      stateMachine: this.run.stateMachine,
      key,
      notificationEmail: config.notificationEmail,
      extraAlarms:
        analytics === undefined
          ? []
          : [
              {
                name: 'PublishFailed',
                metric: analytics.publishFunction.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
                description:
                  'Publishing a run\'s results for Athena/QuickSight failed; the scores are in S3. Re-invoke the publish function with { "runId": "<run id>" }.',
              },
              {
                name: 'AnalyticsRefreshFailed',
                metric: analytics.refreshFailedMetric,
                description: 'A QuickSight SPICE refresh of the run results failed; the dashboard shows older data until the next refresh.',
              },
            ],
    });

    new CfnOutput(this, STACK_OUTPUTS.stateMachineArn, {
      value: this.run.stateMachine.stateMachineArn,
      description: 'Run state machine (npx impressions run)',
    });
    new CfnOutput(this, STACK_OUTPUTS.promptTemplateSha256, {
      value: templateSha256(config.promptTemplate),
      description: 'SHA-256 of the prompt template the evaluation uses (npx impressions run checks the training channel against it)',
    });
  }
}
