import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { jumpStartBucket } from '../core/jumpstart/resolve';
import { ImpressionsFunction, InvocationMode } from './impressions-function';
import { acknowledgeGrantWildcards, acknowledgeStatementWildcards } from './nag-acknowledgements';

/** Properties of {@link RunFunctions}. */
export interface RunFunctionsProps {
  /** Key of the functions' log groups. */
  readonly logKey: kms.IKey;
}

/**
 * The Lambdas that open a run, before anything is created, with least-privilege grants:
 * - validate-input turns the run input into the run plan; pure, so it is granted nothing;
 * - preflight-quotas fails the run early when an instance quota is too low or taken: it lists the
 *   account's SageMaker quotas and describes every running training job and live endpoint (quotas
 *   are per account, so it reads all of them, read-only);
 * - resolve-model reads the manifest and spec from the region's public JumpStart bucket.
 * Their events and results are in lib/core/run/run-lambda-contracts.ts.
 */
export class RunFunctions extends Construct {
  public readonly validateInput: ImpressionsFunction;
  public readonly preflightQuotas: ImpressionsFunction;
  public readonly resolveModel: ImpressionsFunction;

  constructor(scope: Construct, id: string, props: RunFunctionsProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.validateInput = new ImpressionsFunction(this, 'ValidateInput', {
      handlerDir: 'validate-input',
      description: 'Validates a run input and plans the run (names, paths, hyperparameters)',
      logKey: props.logKey,
      invocation: InvocationMode.SYNCHRONOUS,
      timeout: Duration.seconds(30),
    });

    this.preflightQuotas = new ImpressionsFunction(this, 'PreflightQuotas', {
      handlerDir: 'preflight-quotas',
      description: 'Fails a run early when a SageMaker instance quota is too low or taken',
      logKey: props.logKey,
      invocation: InvocationMode.SYNCHRONOUS,
      // Describes every running training job and live endpoint of the account, 4 at a time.
      timeout: Duration.minutes(2),
    });
    const quotas = new iam.PolicyStatement({
      sid: 'ReadSageMakerQuotas',
      actions: ['servicequotas:ListServiceQuotas', 'servicequotas:ListAWSDefaultServiceQuotas'],
      // Service Quotas list calls support no resource-level permission; read-only.
      resources: ['*'],
    });
    const list = new iam.PolicyStatement({
      sid: 'ListSageMakerInstanceHolders',
      actions: ['sagemaker:ListTrainingJobs', 'sagemaker:ListEndpoints'],
      // SageMaker list calls support no resource-level permission; read-only.
      resources: ['*'],
    });
    const anySageMaker = (type: string) => stack.formatArn({ service: 'sagemaker', resource: type, resourceName: '*' });
    const describe = new iam.PolicyStatement({
      sid: 'DescribeSageMakerInstanceHolders',
      actions: ['sagemaker:DescribeTrainingJob', 'sagemaker:DescribeEndpoint', 'sagemaker:DescribeEndpointConfig'],
      resources: [anySageMaker('training-job'), anySageMaker('endpoint'), anySageMaker('endpoint-config')],
    });
    for (const statement of [quotas, list, describe]) this.preflightQuotas.addToRolePolicy(statement);
    acknowledgeStatementWildcards(
      this.preflightQuotas.executionRole,
      [quotas, list],
      'Service Quotas list reads and SageMaker ListTrainingJobs/ListEndpoints support no resource-level permission; all read-only.',
    );
    acknowledgeStatementWildcards(
      this.preflightQuotas.executionRole,
      [describe],
      "Quotas are per account: every training job, endpoint and endpoint config of the account counts against them, not only this app's, so the check describes any (read-only).",
    );

    this.resolveModel = new ImpressionsFunction(this, 'ResolveModel', {
      handlerDir: 'resolve-model',
      description: 'Resolves the JumpStart model version, images, channels and settings',
      logKey: props.logKey,
      invocation: InvocationMode.SYNCHRONOUS,
      timeout: Duration.minutes(1),
    });
    acknowledgeGrantWildcards(
      this.resolveModel.executionRole,
      s3.Bucket.fromBucketName(this, 'JumpStartBucket', jumpStartBucket(stack.region)).grantRead(this.resolveModel, '*'),
      'Reads the manifest and specs of the public JumpStart bucket of the region (no patient data); the spec key comes from the manifest.',
    );
  }
}
