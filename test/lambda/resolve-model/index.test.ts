import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler, ModelResolutionError } from '../../../lambda/resolve-model/index';
import type { ResolveModelEvent } from '../../../lib/core/run/run-lambda-contracts';
import { fixtureText, samplePlan } from '../../helpers/jumpstart';

const s3 = mockClient(S3Client);
const body = (text: string) => ({ Body: { transformToString: async () => text } }) as never;
const noSuchKey = () => Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' });
const event = (modelVersion = '2.*'): ResolveModelEvent => ({
  run: { ...samplePlan(), modelVersion },
  modelId: 'huggingface-text2text-flan-t5-base',
  trainingInstanceType: 'ml.p3.16xlarge',
  inferenceInstanceType: 'ml.g5.2xlarge',
  trainingVolumeGb: 300,
  maxTrainingHours: 100,
  region: 'us-west-2',
});

beforeEach(() => {
  s3.reset();
  s3.on(GetObjectCommand, { Bucket: 'jumpstart-cache-prod-us-west-2', Key: 'models_manifest.json' }).resolves(body(fixtureText('models_manifest.sample.json')));
  s3.on(GetObjectCommand, { Bucket: 'jumpstart-cache-prod-us-west-2', Key: 'community_models/huggingface-text2text-flan-t5-base/specs_v2.2.3.json' }).resolves(
    body(fixtureText('flan-t5-base-2.2.3.spec.json')),
  );
});

describe('resolve-model', () => {
  test("reads the manifest and the selected spec from the region's JumpStart bucket", async () => {
    const resolved = await handler(event());
    expect(resolved.version).toBe('2.2.3');
    expect(resolved.specUri).toBe('s3://jumpstart-cache-prod-us-west-2/community_models/huggingface-text2text-flan-t5-base/specs_v2.2.3.json');
    expect(resolved.inference.payloadContract).toBe('tgi');
    expect(s3).toHaveReceivedCommandTimes(GetObjectCommand, 2);
  });

  test('a missing spec object fails on spec_key', async () => {
    s3.on(GetObjectCommand, { Key: 'community_models/huggingface-text2text-flan-t5-base/specs_v1.2.0.json' }).rejects(noSuchKey());
    await expect(handler(event('1.2.0'))).rejects.toThrow(
      'JumpStart model huggingface-text2text-flan-t5-base version 1.2.0 in region us-west-2: spec_key: ' +
        's3://jumpstart-cache-prod-us-west-2/community_models/huggingface-text2text-flan-t5-base/specs_v1.2.0.json not found',
    );
  });

  test('a missing manifest fails on models_manifest.json', async () => {
    s3.on(GetObjectCommand, { Key: 'models_manifest.json' }).rejects(noSuchKey());
    const error = await handler(event()).then(
      () => new Error('no error thrown'),
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(ModelResolutionError);
    expect(error.name).toBe('ModelResolutionError');
    expect(error.message).toBe(
      'JumpStart model huggingface-text2text-flan-t5-base version 2.* in region us-west-2: models_manifest.json: not found in s3://jumpstart-cache-prod-us-west-2',
    );
  });

  test('an unreadable spec and other S3 errors', async () => {
    s3.on(GetObjectCommand, { Key: 'community_models/huggingface-text2text-flan-t5-base/specs_v2.2.3.json' }).resolves(body('{not json'));
    await expect(handler(event())).rejects.toThrow(/version 2\.2\.3 in region us-west-2: spec_key: .* is not JSON/);
    s3.on(GetObjectCommand, { Key: 'models_manifest.json' }).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    await expect(handler(event())).rejects.toThrow('Access Denied');
  });

  test('region defaults to AWS_REGION', async () => {
    process.env.AWS_REGION = 'us-west-2';
    const { region: _r, ...rest } = event();
    expect((await handler(rest)).region).toBe('us-west-2');
  });
});
