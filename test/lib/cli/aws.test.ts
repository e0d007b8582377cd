/**
 * The CLI's one AWS error path, against AWS's behaviour rather than mocks of its error classes:
 * real SDK clients with no credentials, no region, a closed local port, and moto server (with and
 * without IAM checks) answering as AWS does.
 */
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { awsClients, describeAwsFailure, failedCallOf, isAwsFailure } from '../../../lib/cli/aws';
import { bareAwsEnv, describeWithMoto, freePort, MOTO_KEYS, startMoto, userWithoutPolicies, withAwsEnv, type Moto } from '../../helpers/aws-env';

async function failure(send: () => Promise<unknown>): Promise<unknown> {
  try {
    await send();
  } catch (error) {
    return error;
  }
  throw new Error('the call succeeded');
}

describe('without AWS', () => {
  test('no credentials: says so, names the call, the stack and the region, and what to do', async () => {
    const error = await withAwsEnv(bareAwsEnv({ AWS_REGION: 'eu-west-1' }), () =>
      failure(() => awsClients().cloudFormation.send(new DescribeStacksCommand({ StackName: 'impressions-data' }))),
    );
    expect((error as Error).name).toBe('CredentialsProviderError');
    expect(failedCallOf(error)).toEqual({
      service: 'CloudFormation',
      operation: 'DescribeStacks',
      action: 'cloudformation:DescribeStacks',
      resource: 'stack impressions-data',
      region: 'eu-west-1',
    });
    expect(describeAwsFailure(error)).toBe(
      'CloudFormation DescribeStacks failed for stack impressions-data in eu-west-1: no AWS credentials were found.\n' +
        "  What to do: configure credentials for the deployment's account: AWS_PROFILE with a profile of ~/.aws/config (aws configure, or aws sso login), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.",
    );
  });

  test('no region: says so and how to set it', async () => {
    const error = await withAwsEnv(bareAwsEnv(MOTO_KEYS), () =>
      failure(() => awsClients().s3.send(new HeadObjectCommand({ Bucket: 'data', Key: 'train_data/train.jsonl' }))),
    );
    expect((error as Error).message).toBe('Region is missing');
    expect(describeAwsFailure(error)).toBe(
      'S3 HeadObject failed for s3://data/train_data/train.jsonl: no AWS region is set.\n' +
        "  What to do: set AWS_REGION (or a region in the profile of ~/.aws/config) to the deployment's region, or pass --region where the command has it.",
    );
  });

  test('the region given with --region is used and named', async () => {
    const error = await withAwsEnv(bareAwsEnv(), () =>
      failure(() =>
        awsClients({ region: 'ap-southeast-2' }).sfn.send(
          new ListExecutionsCommand({ stateMachineArn: 'arn:aws:states:ap-southeast-2:123456789012:stateMachine:x' }),
        ),
      ),
    );
    expect(describeAwsFailure(error)).toMatch(
      /^Step Functions ListExecutions failed for state machine arn:aws:states:ap-southeast-2:123456789012:stateMachine:x in ap-southeast-2: no AWS credentials were found\.\n/,
    );
  });

  test('an unreachable endpoint (a closed local port): names the address, the code and the attempts', async () => {
    const port = await freePort();
    const error = await withAwsEnv(bareAwsEnv({ ...MOTO_KEYS, AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` }), () =>
      failure(() => awsClients().cloudFormation.send(new DescribeStacksCommand({ StackName: 'impressions-pipeline' }))),
    );
    // Under jest, Node's error comes from another realm, and the SDK re-wraps it as "AWS SDK error
    // wrapper for Error: connect ECONNREFUSED ..." without its fields; the CLI test
    // (test/lib/cli/program.test.ts) sees the real one in a process of its own. Both read the same.
    expect(describeAwsFailure(error)).toBe(
      `CloudFormation DescribeStacks failed for stack impressions-pipeline in eu-west-1: the endpoint 127.0.0.1:${port} is unreachable (ECONNREFUSED, 3 attempts).\n` +
        '  What to do: check the network connection and any proxy, that the region is right, and AWS_ENDPOINT_URL if it is set.',
    );
  });

  test('errors that are not AWS failures are left to the caller', () => {
    expect(isAwsFailure(new TypeError('boom'))).toBe(false);
    expect(isAwsFailure(Object.assign(new Error('Region is missing')))).toBe(true);
  });
});

describeWithMoto(__filename)('moto server', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => moto?.stop());

  test('a stack that is not deployed', async () => {
    const error = await withAwsEnv(bareAwsEnv({ ...MOTO_KEYS, AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: moto.endpoint }), () =>
      failure(() => awsClients().cloudFormation.send(new DescribeStacksCommand({ StackName: 'impressions-data' }))),
    );
    expect((error as Error).name).toBe('ValidationError');
    expect(describeAwsFailure(error)).toBe(
      'CloudFormation DescribeStacks failed for stack impressions-data in eu-west-1: the stack is not deployed in eu-west-1 for this account.\n' +
        '  What to do: deploy it (npx cdk deploy --all), or set AWS_REGION / AWS_PROFILE to the region and account of the deployment.',
    );
  });

  test('a bucket that does not exist', async () => {
    const error = await withAwsEnv(bareAwsEnv({ ...MOTO_KEYS, AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: moto.endpoint }), () =>
      failure(() => awsClients().s3.send(new ListObjectsV2Command({ Bucket: 'no-such-bucket', Prefix: 'train_data/' }))),
    );
    expect(describeAwsFailure(error)).toBe(
      'S3 ListObjectsV2 failed for s3://no-such-bucket/train_data/ in eu-west-1: the bucket does not exist for these credentials.\n' +
        '  What to do: check --bucket, or the data stack outputs (npx cdk deploy --all).',
    );
  });
});

describeWithMoto(__filename)('moto server checking IAM', () => {
  let moto: Moto;
  let user: { AWS_ACCESS_KEY_ID: string; AWS_SECRET_ACCESS_KEY: string };
  beforeAll(async () => {
    moto = await startMoto({ INITIAL_NO_AUTH_ACTION_COUNT: '2' });
    user = await userWithoutPolicies(moto);
  });
  afterAll(async () => moto?.stop());

  test('access denied names the resource and the IAM action to allow', async () => {
    const error = await withAwsEnv(bareAwsEnv({ ...user, AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: moto.endpoint }), () =>
      // (moto 5.2.1 miscomputes the signature of a query holding "/", so no Prefix here.)
      failure(() => awsClients().s3.send(new GetObjectCommand({ Bucket: 'data', Key: 'eval_data/dev1.jsonl' }))),
    );
    expect((error as Error).name).toBe('AccessDenied');
    expect(describeAwsFailure(error)).toBe(
      'S3 GetObject failed for s3://data/eval_data/dev1.jsonl in eu-west-1: access denied to s3://data/eval_data/dev1.jsonl.\n' +
        '  What to do: use credentials whose IAM policy allows s3:GetObject on s3://data/eval_data/dev1.jsonl (and kms:Decrypt / kms:GenerateDataKey on the data key: the bucket is SSE-KMS).',
    );
  });

  test('a refused HEAD (403 without a body, which the SDK cannot name) is access denied too', async () => {
    const error = await withAwsEnv(bareAwsEnv({ ...user, AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: moto.endpoint }), () =>
      failure(() => awsClients().s3.send(new HeadObjectCommand({ Bucket: 'data', Key: 'train_data/train.jsonl' }))),
    );
    expect((error as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(403);
    expect(describeAwsFailure(error)).toMatch(
      /^S3 HeadObject failed for s3:\/\/data\/train_data\/train\.jsonl in eu-west-1: access denied to s3:\/\/data\/train_data\/train\.jsonl \((Unknown|Forbidden|403), HTTP 403\)\.\n {2}What to do: use credentials whose IAM policy allows s3:GetObject on s3:\/\/data\/train_data\/train\.jsonl/,
    );
  });

  test('an access key AWS does not know', async () => {
    const error = await withAwsEnv(
      bareAwsEnv({ AWS_ACCESS_KEY_ID: 'AKIAUNKNOWNUNKNOWN00', AWS_SECRET_ACCESS_KEY: 'x', AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: moto.endpoint }),
      () => failure(() => awsClients().cloudFormation.send(new DescribeStacksCommand({ StackName: 'impressions-data' }))),
    );
    expect((error as Error).name).toBe('InvalidClientTokenId');
    expect(describeAwsFailure(error)).toBe(
      'CloudFormation DescribeStacks failed for stack impressions-data in eu-west-1: AWS rejected the credentials (InvalidClientTokenId).\n' +
        "  What to do: check the access key or profile in use, and that it belongs to the deployment's account; configure credentials for the deployment's account: AWS_PROFILE with a profile of ~/.aws/config (aws configure, or aws sso login), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.",
    );
  });
});
