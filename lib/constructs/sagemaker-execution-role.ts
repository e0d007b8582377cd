import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DataPrefix, DataStore } from './data-store';
import { acknowledgeGrantActionWildcards, acknowledgeWildcardResources } from './nag-acknowledgements';

/** Account that publishes the AWS Deep Learning Containers (HuggingFace, TGI) used by JumpStart. */
export const DLC_ACCOUNT = '763104351884';

/** ECR repositories of the Deep Learning Containers that JumpStart FLAN-T5 images come from. */
export const DLC_REPOSITORIES = ['huggingface-pytorch-training', 'huggingface-pytorch-inference', 'huggingface-pytorch-tgi-inference'] as const;

/** Properties of {@link SageMakerExecutionRole}. */
export interface SageMakerExecutionRoleProps {
  /** Bucket and key of the run data. */
  readonly dataStore: DataStore;
}

/**
 * The role SageMaker training jobs and endpoints assume. No AWS managed policy: it reads the
 * training channel (`train_data/`) and the runs' model data (`runs/`), writes training output and
 * checkpoints under `runs/`, reads the public JumpStart bucket of the region (base weights, scripts,
 * 2.x model prefixes), pulls the Deep Learning Container images, uses the data key, and writes its
 * logs and metrics under `/aws/sagemaker/*`.
 *
 * It cannot read `eval_data/` or `prediction_data/`: evaluation runs in Lambda, not in SageMaker.
 * It cannot restrict the image tag: a JumpStart version may move to any tag of the listed repositories.
 */
export class SageMakerExecutionRole extends Construct {
  /** The role; pass it to CreateTrainingJob and CreateModel. */
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: SageMakerExecutionRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'radiology-impressions: SageMaker training jobs and endpoints',
    });

    const data = props.dataStore;
    data.grantRead(this.role, DataPrefix.TRAIN_DATA);
    data.grantReadWrite(this.role, DataPrefix.RUNS);
    data.grantKeyEncryptDecrypt(this.role);
    // Channels are S3Prefix sources: SageMaker lists the prefix before it downloads.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListRunChannels',
        actions: ['s3:ListBucket'],
        resources: [data.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${DataPrefix.TRAIN_DATA}*`, `${DataPrefix.RUNS}*`] } },
      }),
    );
    // Volume and endpoint-storage encryption with the data key: SageMaker creates grants for the instance.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'CreateGrantsForSageMakerVolumes',
        actions: ['kms:CreateGrant'],
        resources: [data.key.keyArn],
        conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
    );

    const jumpStart = s3.Bucket.fromBucketName(this, 'JumpStartBucket', `jumpstart-cache-prod-${stack.region}`);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadJumpStartArtifacts',
        actions: ['s3:GetObject'],
        resources: [jumpStart.arnForObjects('*')],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListJumpStartArtifacts',
        actions: ['s3:ListBucket'],
        resources: [jumpStart.bucketArn],
      }),
    );

    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PullDeepLearningContainers',
        actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        resources: DLC_REPOSITORIES.map((repository) =>
          stack.formatArn({ service: 'ecr', account: DLC_ACCOUNT, resource: 'repository', resourceName: repository }),
        ),
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EcrLogin',
        actions: ['ecr:GetAuthorizationToken'],
        // ecr:GetAuthorizationToken supports no resource-level permission.
        resources: ['*'],
      }),
    );

    const sageMakerLogGroups = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: '/aws/sagemaker/*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteSageMakerLogs',
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [sageMakerLogGroups],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PublishSageMakerMetrics',
        actions: ['cloudwatch:PutMetricData'],
        // cloudwatch:PutMetricData supports no resource; the condition limits it to SageMaker's namespaces.
        resources: ['*'],
        conditions: { StringLike: { 'cloudwatch:namespace': ['/aws/sagemaker/*', 'aws/sagemaker/*'] } },
      }),
    );

    acknowledgeGrantActionWildcards(this.role, 'read of train_data/, read-write of runs/, encrypt/decrypt with the data key');
    acknowledgeWildcardResources(
      this.role,
      props.dataStore.bucket,
      [`/${DataPrefix.TRAIN_DATA}*`, `/${DataPrefix.RUNS}*`],
      'Training reads its channel under train_data/ and writes output and checkpoints under runs/<run id>/; endpoints read model data under runs/.',
    );
    Validations.of(this.role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'ecr:GetAuthorizationToken and cloudwatch:PutMetricData support no resource-level permission; PutMetricData is limited to SageMaker namespaces by condition.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::jumpstart-cache-prod-<AWS::Region>/*]',
        reason: 'The public JumpStart bucket of the region holds the base weights, scripts and model prefixes of whatever version resolution picks; read-only.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/sagemaker/*]',
        reason: 'SageMaker names the log groups of training jobs and endpoints itself under /aws/sagemaker/.',
      },
      {
        id: 'HIPAA.Security-IAMNoInlinePolicy',
        reason: 'Built from grants scoped to data prefixes, the JumpStart bucket and the DLC repositories; it lives and dies with the role.',
      },
    );
  }
}
