import { ArnFormat, CustomResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { assertRetention, type LogGroupResourceProperties } from '../core/run/log-group-adoption';
import { ENDPOINT_LOG_GROUP_PREFIX, SAGEMAKER_LOG_RETENTION_DAYS, TRAINING_JOBS_LOG_GROUP } from '../core/run/sagemaker-logs';
import { ImpressionsFunction, InvocationMode } from './impressions-function';
import { acknowledgeStatementWildcards, acknowledgeWildcardResources } from './nag-acknowledgements';

/**
 * ARN pattern of the endpoint log groups of the app, `/aws/sagemaker/Endpoints/<prefix>-*`: the
 * deployment stage creates them (EndpointDeploymentStage) and the hosting role writes them.
 */
export function endpointLogGroupsArn(scope: Construct, resourcePrefix: string): string {
  return Stack.of(scope).formatArn({
    service: 'logs',
    resource: 'log-group',
    resourceName: `${ENDPOINT_LOG_GROUP_PREFIX}${resourcePrefix}-*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** Properties of {@link TrainingJobsLogGroup}. */
export interface TrainingJobsLogGroupProps {
  /** The data key: the group's events are encrypted with it. */
  readonly key: kms.IKey;
  /**
   * Days the group keeps events.
   * @default SAGEMAKER_LOG_RETENTION_DAYS (90)
   */
  readonly retentionDays?: number;
  /**
   * The key is deleted with the stacks (`removeDataOnDestroy`): on deletion, a group the app
   * created goes back to CloudWatch Logs' own encryption so SageMaker can keep writing to it.
   * @default false
   */
  readonly keyDeletedWithStack?: boolean;
}

/**
 * Puts SageMaker's account-wide `/aws/sagemaker/TrainingJobs` log group (one stream per training
 * job, every job of the account and region) under the data key with a retention, whether or not it
 * exists yet: a custom resource creates it, or adopts it and records the key and retention it
 * replaced (lambda/sagemaker-log-group). On stack deletion the group is retained; an adopted group
 * gets its previous key and retention back, one the app created keeps them (and drops the key only
 * when the key is deleted too). Other training jobs of the account log into the same group and are
 * encrypted with the data key from then on.
 *
 * The key policy must let CloudWatch Logs use the key for this group (DataStore grants it for the
 * account's log groups, by encryption context).
 */
export class TrainingJobsLogGroup extends Construct {
  /** The log group's name. */
  public readonly logGroupName = TRAINING_JOBS_LOG_GROUP;
  /** The custom resource: training jobs should start only once it exists. */
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: TrainingJobsLogGroupProps) {
    super(scope, id);
    const retention = props.retentionDays ?? SAGEMAKER_LOG_RETENTION_DAYS;
    assertRetention(retention);
    const stack = Stack.of(this);

    const onEvent = new ImpressionsFunction(this, 'Adopt', {
      handlerDir: 'sagemaker-log-group',
      description: 'Creates or adopts /aws/sagemaker/TrainingJobs under the data key with a retention; gives it back on stack deletion',
      logKey: props.key,
      invocation: InvocationMode.SYNCHRONOUS,
      timeout: Duration.minutes(1),
    });
    const group = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: TRAINING_JOBS_LOG_GROUP, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const statements = [
      new iam.PolicyStatement({
        sid: 'ReadLogGroupSettings',
        actions: ['logs:DescribeLogGroups'],
        // DescribeLogGroups is authorized against the account's log groups, not one group.
        resources: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      }),
      new iam.PolicyStatement({
        sid: 'ManageTrainingJobsLogGroup',
        actions: ['logs:CreateLogGroup', 'logs:AssociateKmsKey', 'logs:DisassociateKmsKey', 'logs:PutRetentionPolicy', 'logs:DeleteRetentionPolicy'],
        resources: [group, `${group}:*`],
      }),
    ];
    for (const statement of statements) onEvent.addToRolePolicy(statement);
    acknowledgeStatementWildcards(
      onEvent.executionRole,
      statements,
      'DescribeLogGroups lists log groups of the account (read-only settings); the changes are limited to /aws/sagemaker/TrainingJobs.',
    );

    const providerLogs = new logs.LogGroup(this, 'ProviderLogs', {
      encryptionKey: props.key,
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const provider = new cr.Provider(this, 'Provider', { onEventHandler: onEvent, logGroup: providerLogs, providerFunctionEnvEncryption: props.key });
    const properties: LogGroupResourceProperties = {
      LogGroupName: TRAINING_JOBS_LOG_GROUP,
      KmsKeyId: props.key.keyArn,
      RetentionInDays: String(retention),
      ReleaseKeyOnDelete: String(props.keyDeletedWithStack ?? false),
    };
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::SageMakerLogGroup',
      properties,
      // The group outlives the stack whatever happens: the handler's Delete only gives back what it took.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    acknowledgeWildcardResources(
      provider.node.findChild('framework-onEvent'),
      [`${onEvent.functionArn}:*`],
      'The provider framework invokes the log group handler (":*" covers its versions); generated by aws-cdk-lib.',
    );
    Validations.of(provider).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'The aws-cdk-lib provider framework attaches AWSLambdaBasicExecutionRole to its own function; it carries no data access.',
      },
      { id: 'HIPAA.Security-LambdaConcurrency', reason: 'The framework function runs once per stack operation; capping it could only block a deployment.' },
      { id: 'HIPAA.Security-LambdaDLQ', reason: 'Called synchronously by CloudFormation; errors are returned to CloudFormation.' },
      { id: 'HIPAA.Security-LambdaInsideVPC', reason: 'Calls only Lambda and the CloudFormation response URL; no VPC exists to join.' },
      { id: 'HIPAA.Security-IAMNoInlinePolicy', reason: 'The provider framework grant is generated by aws-cdk-lib and scoped to the log group handler.' },
    );
  }
}
