import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { jumpStartKeyPatterns } from '../core/jumpstart/artifact-scopes';
import { jumpStartBucket } from '../core/jumpstart/resolve';
import { RUN_KEY_PATTERNS } from '../core/run/run-keys';
import { ENDPOINT_LOG_GROUP_PREFIX, TRAINING_JOBS_LOG_GROUP } from '../core/run/sagemaker-logs';
import { DataPrefix, DataStore } from './data-store';
import { acknowledgeGrantWildcards, acknowledgeStatementWildcards } from './nag-acknowledgements';

/** Account that publishes the AWS Deep Learning Containers (HuggingFace, TGI) used by JumpStart. */
export const DLC_ACCOUNT = '763104351884';

/** ECR repositories of the Deep Learning Containers that JumpStart FLAN-T5 images come from, by use. */
export const DLC_REPOSITORIES = {
  training: ['huggingface-pytorch-training'],
  hosting: ['huggingface-pytorch-inference', 'huggingface-pytorch-tgi-inference'],
} as const;

/** Properties of {@link SageMakerExecutionRoles}. */
export interface SageMakerExecutionRolesProps {
  /** Bucket and key of the run data. */
  readonly dataStore: DataStore;
  /** The JumpStart model the app trains and hosts: the roles read its artefacts only. */
  readonly modelId: string;
  /** Prefix of every SageMaker name: endpoints are `<prefix>-…`, and so are their log groups. */
  readonly resourcePrefix: string;
}

/**
 * The two roles SageMaker runs the app's containers as. No AWS managed policy; each reads only
 * what its container needs, so an inference container can never read the training data.
 *
 * - training (CreateTrainingJob): reads `train_data/` and the model's JumpStart training
 *   artefacts (base weights, scripts), writes its output to `runs/<run id>/model/` and spot
 *   checkpoints to `runs/<run id>/checkpoints/` (and reads those back), encrypts with the data
 *   key, pulls the training image, writes `/aws/sagemaker/TrainingJobs`.
 * - hosting (CreateModel): reads a run's model (`runs/<run id>/model/`) and the model's JumpStart
 *   inference artefacts, decrypts with the data key, pulls the inference images, writes
 *   `/aws/sagemaker/Endpoints/<prefix>-…`.
 *
 * IAM cannot name the run: one role serves every run, and a run id exists only once the run
 * starts; SageMaker passes nothing run-specific into the role session that a policy could match.
 * So `<run id>` is a `*` (RUN_KEY_PATTERNS): a training job can write the model folder of another
 * run, never its evaluation data, predictions or any other prefix. Neither role can delete an
 * object, read `eval_data/` or `prediction_data/`. Neither can restrict the image tag: a JumpStart
 * version may move to any tag of its repositories.
 */
export class SageMakerExecutionRoles extends Construct {
  /** Passed to CreateTrainingJob. */
  public readonly training: iam.Role;
  /** Passed to CreateModel. */
  public readonly hosting: iam.Role;

  constructor(scope: Construct, id: string, props: SageMakerExecutionRolesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const data = props.dataStore;
    const jumpStart = jumpStartKeyPatterns(props.modelId);
    const role = (cid: string, description: string): iam.Role =>
      new iam.Role(this, cid, {
        assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
        description,
      });

    this.training = role(
      'Training',
      'radiology-impressions SageMaker training: reads train_data/ and JumpStart training artefacts, writes runs/<run id>/model/ and checkpoints/',
    );
    acknowledgeGrantWildcards(this.training, data.grantRead(this.training, DataPrefix.TRAIN_DATA), 'Reads the training channel: any file under train_data/.');
    for (const [what, keys] of [
      ['model output', RUN_KEY_PATTERNS.model],
      ['spot checkpoints', RUN_KEY_PATTERNS.checkpoints],
    ] as const) {
      acknowledgeGrantWildcards(
        this.training,
        data.grantWrite(this.training, DataPrefix.RUNS, keys),
        `Writes the ${what} of the run (runs/<run id>/…); the run id is known only at run time.`,
      );
    }
    acknowledgeGrantWildcards(
      this.training,
      data.grantRead(this.training, DataPrefix.RUNS, RUN_KEY_PATTERNS.checkpoints),
      'A resumed spot job reads its checkpoints back (runs/<run id>/checkpoints/).',
    );
    acknowledgeGrantWildcards(this.training, data.grantKeyEncryptDecrypt(this.training), 'Training output, checkpoints and volumes use the data key.');
    this.allowCommon(this.training, {
      jumpStartKeys: jumpStart.training,
      repositories: DLC_REPOSITORIES.training,
      logGroup: TRAINING_JOBS_LOG_GROUP,
      metricNamespace: TRAINING_JOBS_LOG_GROUP,
      keyArn: data.key.keyArn,
    });

    this.hosting = role('Hosting', 'radiology-impressions SageMaker hosting: reads runs/<run id>/model/ and JumpStart inference artefacts only');
    acknowledgeGrantWildcards(
      this.hosting,
      data.grantRead(this.hosting, DataPrefix.RUNS, RUN_KEY_PATTERNS.model),
      'Reads the model of the run being hosted (runs/<run id>/model/…, a given skipTraining model included); the run id is known only at run time.',
    );
    this.allowCommon(this.hosting, {
      jumpStartKeys: jumpStart.hosting,
      repositories: DLC_REPOSITORIES.hosting,
      logGroup: `${ENDPOINT_LOG_GROUP_PREFIX}${props.resourcePrefix}-*`,
      metricNamespace: '/aws/sagemaker/Endpoints',
      keyArn: data.key.keyArn,
    });
  }

  /** JumpStart reads, image pulls, KMS grants for volumes, the container's log group and metrics. */
  private allowCommon(
    role: iam.Role,
    options: { jumpStartKeys: readonly string[]; repositories: readonly string[]; logGroup: string; metricNamespace: string; keyArn: string },
  ): void {
    const stack = Stack.of(this);
    const add = (statement: iam.PolicyStatement, reason?: string): void => {
      role.addToPrincipalPolicy(statement);
      if (reason !== undefined) acknowledgeStatementWildcards(role, [statement], reason);
    };
    const bucket = jumpStartBucket(stack.region);
    add(
      new iam.PolicyStatement({
        sid: 'ReadJumpStartArtifacts',
        actions: ['s3:GetObject'],
        resources: options.jumpStartKeys.map((key) => stack.formatArn({ service: 's3', region: '', account: '', resource: bucket, resourceName: key })),
      }),
      'The JumpStart artefacts of the configured model in the public JumpStart bucket of the region (key layout: lib/core/jumpstart/artifact-scopes.ts).',
    );
    // Channels and uncompressed model data are S3 prefixes: SageMaker lists them before it downloads.
    add(
      new iam.PolicyStatement({
        sid: 'ListJumpStartArtifacts',
        actions: ['s3:ListBucket'],
        resources: [stack.formatArn({ service: 's3', region: '', account: '', resource: bucket })],
        conditions: { StringLike: { 's3:prefix': [...options.jumpStartKeys] } },
      }),
    );
    add(
      new iam.PolicyStatement({
        sid: 'CreateGrantsForSageMakerVolumes',
        actions: ['kms:CreateGrant', 'kms:DescribeKey'],
        resources: [options.keyArn],
        conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
    );
    add(
      new iam.PolicyStatement({
        sid: 'PullDeepLearningContainers',
        actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        resources: options.repositories.map((repository) =>
          stack.formatArn({ service: 'ecr', account: DLC_ACCOUNT, resource: 'repository', resourceName: repository }),
        ),
      }),
    );
    add(
      new iam.PolicyStatement({
        sid: 'EcrLogin',
        actions: ['ecr:GetAuthorizationToken'],
        // ecr:GetAuthorizationToken supports no resource-level permission.
        resources: ['*'],
      }),
      'ecr:GetAuthorizationToken supports no resource-level permission.',
    );
    const logGroup = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: options.logGroup, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    add(
      new iam.PolicyStatement({
        sid: 'WriteContainerLogs',
        // CreateLogGroup only meets the group the app created first (already exists); see sagemaker-log-groups.ts.
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [logGroup, `${logGroup}:log-stream:*`],
      }),
      `SageMaker names its container log streams (and, for endpoints, groups) itself, under ${options.logGroup}.`,
    );
    add(
      new iam.PolicyStatement({
        sid: 'PublishContainerMetrics',
        actions: ['cloudwatch:PutMetricData'],
        // cloudwatch:PutMetricData supports no resource; the condition limits it to SageMaker's namespace.
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': options.metricNamespace } },
      }),
      'cloudwatch:PutMetricData supports no resource-level permission; limited to the SageMaker namespace by condition.',
    );
    Validations.of(role).acknowledge({
      id: 'HIPAA.Security-IAMNoInlinePolicy',
      reason: 'Built from grants scoped to data prefixes, the JumpStart keys of one model and the DLC repositories; it lives and dies with the role.',
    });
  }
}
