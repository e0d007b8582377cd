import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { checksumMatches, localChecksums, runUpload, UploadOptions } from '../../../../lib/cli/commands/upload';
import { buildProgram, runCli } from '../../../../lib/cli/program';

const s3 = mockClient(S3Client);
const cfn = mockClient(CloudFormationClient);
const PART = 5 * 1024 * 1024; // lib-storage's minimum part size

let dir: string;
beforeEach(() => {
  s3.reset();
  cfn.reset();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'upload-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const sha = (data: Buffer): Buffer => createHash('sha256').update(data).digest();
const options = (extra: Partial<UploadOptions> = {}): UploadOptions => ({
  dir,
  resourcePrefix: 'impressions',
  s3: new S3Client({ region: 'eu-west-1' }),
  cloudFormation: new CloudFormationClient({ region: 'eu-west-1' }),
  progress: false,
  log: () => undefined,
  ...extra,
});

/** Fakes S3: remembers what each key received and answers HeadObject like S3 (composite for multipart). */
function fakeS3(corrupt?: string): void {
  const objects = new Map<string, { size: number; checksum: string }>();
  const parts = new Map<string, Buffer[]>();
  s3.on(PutObjectCommand).callsFake(async (input: { Key: string; Body: unknown }) => {
    const body = await toBuffer(input.Body);
    objects.set(input.Key, { size: body.length, checksum: sha(body).toString('base64') });
    return { ETag: '"e"' };
  });
  s3.on(CreateMultipartUploadCommand).callsFake(async (input: { Key: string }) => {
    parts.set(input.Key, []);
    return { UploadId: `u-${input.Key}` };
  });
  s3.on(UploadPartCommand).callsFake(async (input: { Key: string; Body: unknown; PartNumber: number }) => {
    (parts.get(input.Key) as Buffer[])[input.PartNumber - 1] = await toBuffer(input.Body);
    return { ETag: `"p${input.PartNumber}"` };
  });
  s3.on(CompleteMultipartUploadCommand).callsFake(async (input: { Key: string }) => {
    const list = parts.get(input.Key) as Buffer[];
    const composite = sha(Buffer.concat(list.map(sha))).toString('base64');
    objects.set(input.Key, { size: list.reduce((n, p) => n + p.length, 0), checksum: `${composite}-${list.length}` });
    return { ETag: '"m"' };
  });
  s3.on(HeadObjectCommand).callsFake(async (input: { Key: string; ChecksumMode?: string }) => {
    const object = objects.get(input.Key);
    if (object === undefined) throw Object.assign(new Error('NotFound'), { name: 'NotFound' });
    const checksum = input.Key === corrupt ? sha(Buffer.from('other')).toString('base64') : object.checksum;
    return { ContentLength: object.size, ...(input.ChecksumMode === 'ENABLED' ? { ChecksumSHA256: checksum } : {}) };
  });
}

async function toBuffer(body: unknown): Promise<Buffer> {
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (typeof body === 'string') return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

test('uploads the prepared files to their keys, single-part and multipart, and verifies them', async () => {
  fakeS3();
  cfn.on(DescribeStacksCommand, { StackName: 'impressions-data' }).resolves({
    Stacks: [
      {
        StackName: 'impressions-data',
        CreationTime: new Date(),
        StackStatus: 'CREATE_COMPLETE',
        Outputs: [{ OutputKey: 'DataBucketName', OutputValue: 'data-bucket' }],
      },
    ],
  });
  const big = Buffer.alloc(PART * 2 + 123, 'a');
  fs.writeFileSync(path.join(dir, 'train.jsonl'), big);
  fs.writeFileSync(path.join(dir, 'dev1.jsonl'), '{"study_id":"1"}\n');
  fs.writeFileSync(path.join(dir, 'dev2.jsonl'), '{"study_id":"2"}\n');
  const uploaded = await runUpload(options({ partBytes: PART }));
  expect(uploaded.map((u) => [u.key, u.bucket, u.bytes])).toEqual([
    ['train_data/train.jsonl', 'data-bucket', big.length],
    ['eval_data/dev1.jsonl', 'data-bucket', 17],
    ['eval_data/dev2.jsonl', 'data-bucket', 17],
  ]);
  expect(uploaded[0].checksumSha256).toMatch(/-3$/);
  expect(s3).toHaveReceivedCommandWith(CreateMultipartUploadCommand, { Bucket: 'data-bucket', Key: 'train_data/train.jsonl', ChecksumAlgorithm: 'SHA256' });
  expect(s3).toHaveReceivedCommandWith(PutObjectCommand, { Bucket: 'data-bucket', Key: 'eval_data/dev1.jsonl', ChecksumAlgorithm: 'SHA256' });
  expect(s3).toHaveReceivedCommandWith(HeadObjectCommand, { Bucket: 'data-bucket', Key: 'eval_data/dev2.jsonl', ChecksumMode: 'ENABLED' });
  // Encryption is the bucket default: no SSE header is sent.
  for (const call of [...s3.commandCalls(PutObjectCommand), ...s3.commandCalls(CreateMultipartUploadCommand)]) {
    expect(call.args[0].input).not.toHaveProperty('ServerSideEncryption');
    expect(call.args[0].input).not.toHaveProperty('SSEKMSKeyId');
  }
});

test('--bucket skips the stack lookup; a missing file is noted, not uploaded', async () => {
  fakeS3();
  fs.writeFileSync(path.join(dir, 'dev2.jsonl'), 'x\n');
  const lines: string[] = [];
  const uploaded = await runUpload(options({ bucket: 'given', log: (l) => lines.push(l) }));
  expect(uploaded.map((u) => u.key)).toEqual(['eval_data/dev2.jsonl']);
  expect(cfn).not.toHaveReceivedCommand(DescribeStacksCommand);
  expect(lines.join('\n')).toContain('train.jsonl not found; not uploaded');
});

test('a checksum mismatch is an error naming the object and the file', async () => {
  fakeS3('eval_data/dev1.jsonl');
  fs.writeFileSync(path.join(dir, 'dev1.jsonl'), 'x\n');
  await expect(runUpload(options({ bucket: 'b' }))).rejects.toThrow(/^s3:\/\/b\/eval_data\/dev1\.jsonl: SHA-256 .* differs from .*dev1\.jsonl/);
});

test('a size mismatch is an error', async () => {
  fakeS3();
  s3.on(HeadObjectCommand).resolves({ ContentLength: 1, ChecksumSHA256: 'x' });
  fs.writeFileSync(path.join(dir, 'dev1.jsonl'), 'xyz\n');
  await expect(runUpload(options({ bucket: 'b' }))).rejects.toThrow('s3://b/eval_data/dev1.jsonl: size 1 differs from');
});

test('a missing data stack is a clear error', async () => {
  fakeS3();
  cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id impressions-data does not exist'), { name: 'ValidationError' }));
  fs.writeFileSync(path.join(dir, 'dev1.jsonl'), 'x\n');
  await expect(runUpload(options())).rejects.toThrow('stack impressions-data is not deployed in this account and region');
});

test('a failed upload and an empty folder are clear errors', async () => {
  s3.on(PutObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
  await expect(runUpload(options({ bucket: 'b' }))).rejects.toThrow(`${dir}: none of train.jsonl, dev1.jsonl, dev2.jsonl is there`);
  fs.writeFileSync(path.join(dir, 'dev1.jsonl'), 'x\n');
  await expect(runUpload(options({ bucket: 'b' }))).rejects.toThrow(
    /dev1\.jsonl: upload to s3:\/\/b\/eval_data\/dev1\.jsonl failed \(AccessDenied: Access Denied\)/,
  );
  await expect(runUpload(options({ dir: path.join(dir, 'nope'), bucket: 'b' }))).rejects.toThrow(/nope: no such folder/);
});

test('local checksums: full-object and composite forms', async () => {
  const file = path.join(dir, 'f');
  const data = Buffer.from('abcdefghij');
  fs.writeFileSync(file, data);
  const local = await localChecksums(file, 4);
  expect(local.parts).toBe(3);
  expect(local.fullObject).toBe(sha(data).toString('base64'));
  const composite = sha(Buffer.concat([sha(data.subarray(0, 4)), sha(data.subarray(4, 8)), sha(data.subarray(8))])).toString('base64');
  expect(local.composite).toBe(composite);
  expect(checksumMatches(`${composite}-3`, local)).toBe(true);
  expect(checksumMatches(`${composite}-2`, local)).toBe(false);
  expect(checksumMatches(local.fullObject, local)).toBe(true);
  expect(checksumMatches(composite, local)).toBe(false);
  fs.writeFileSync(file, '');
  expect((await localChecksums(file, 4)).parts).toBe(1);
});

test('no AWS region configured: a clear message before any work', async () => {
  const saved = { AWS_REGION: process.env.AWS_REGION, AWS_DEFAULT_REGION: process.env.AWS_DEFAULT_REGION, AWS_CONFIG_FILE: process.env.AWS_CONFIG_FILE };
  delete process.env.AWS_REGION;
  delete process.env.AWS_DEFAULT_REGION;
  process.env.AWS_CONFIG_FILE = path.join(os.tmpdir(), 'no-such-aws-config');
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const code = await runCli(buildProgram(), ['node', 'impressions', 'upload', '--dir', os.tmpdir(), '--bucket', 'b']);
    expect(code).toBe(1);
    expect(err.mock.calls.map((c) => String(c[0])).join('')).toContain('no AWS region configured: pass --region <region> or set AWS_REGION');
  } finally {
    err.mockRestore();
    process.exitCode = 0;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
});
