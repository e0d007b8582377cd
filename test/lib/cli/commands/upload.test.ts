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
import { CHANNEL_METADATA, templateSha256 } from '../../../../lib/core/run/training-channel';

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

const TEMPLATE = 'Findings: {context}';

/** Writes a prepared file and the report prepare writes beside it (sizes, template). */
function prepared(files: Record<string, string | Buffer>, template = TEMPLATE): void {
  const outputs: Record<string, { path: string; bytes: number }> = {};
  for (const [name, data] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, name), data);
    outputs[name] = { path: path.join(dir, name), bytes: Buffer.byteLength(data) };
  }
  fs.writeFileSync(path.join(dir, 'prepare-report.json'), JSON.stringify({ tool: { name: 'radiology-impressions', version: '0.1.0' }, template, outputs }));
}

/** Fakes S3: remembers what each key received and answers HeadObject like S3 (composite for multipart, metadata in lower case). */
function fakeS3(corrupt?: string): void {
  const objects = new Map<string, { size: number; checksum: string; metadata?: Record<string, string> }>();
  const parts = new Map<string, Buffer[]>();
  const metadataOf = new Map<string, Record<string, string> | undefined>();
  s3.on(PutObjectCommand).callsFake(async (input: { Key: string; Body: unknown; Metadata?: Record<string, string> }) => {
    const body = await toBuffer(input.Body);
    objects.set(input.Key, { size: body.length, checksum: sha(body).toString('base64'), metadata: input.Metadata });
    return { ETag: '"e"' };
  });
  s3.on(CreateMultipartUploadCommand).callsFake(async (input: { Key: string; Metadata?: Record<string, string> }) => {
    parts.set(input.Key, []);
    metadataOf.set(input.Key, input.Metadata);
    return { UploadId: `u-${input.Key}` };
  });
  s3.on(UploadPartCommand).callsFake(async (input: { Key: string; Body: unknown; PartNumber: number }) => {
    (parts.get(input.Key) as Buffer[])[input.PartNumber - 1] = await toBuffer(input.Body);
    return { ETag: `"p${input.PartNumber}"` };
  });
  s3.on(CompleteMultipartUploadCommand).callsFake(async (input: { Key: string }) => {
    const list = parts.get(input.Key) as Buffer[];
    const composite = sha(Buffer.concat(list.map(sha))).toString('base64');
    objects.set(input.Key, { size: list.reduce((n, p) => n + p.length, 0), checksum: `${composite}-${list.length}`, metadata: metadataOf.get(input.Key) });
    return { ETag: '"m"' };
  });
  s3.on(HeadObjectCommand).callsFake(async (input: { Key: string; ChecksumMode?: string }) => {
    const object = objects.get(input.Key);
    if (object === undefined) throw Object.assign(new Error('NotFound'), { name: 'NotFound' });
    const checksum = input.Key === corrupt ? sha(Buffer.from('other')).toString('base64') : object.checksum;
    const metadata = Object.fromEntries(Object.entries(object.metadata ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    return { ContentLength: object.size, Metadata: metadata, ...(input.ChecksumMode === 'ENABLED' ? { ChecksumSHA256: checksum } : {}) };
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
  prepared({ 'train.jsonl': big, 'dev1.jsonl': '{"study_id":"1"}\n', 'dev2.jsonl': '{"study_id":"2"}\n' });
  const lines: string[] = [];
  const uploaded = await runUpload(options({ partBytes: PART, log: (l) => lines.push(l) }));
  expect(uploaded.map((u) => [u.key, u.bucket, u.bytes])).toEqual([
    ['train_data/train.jsonl', 'data-bucket', big.length],
    ['eval_data/dev1.jsonl', 'data-bucket', 17],
    ['eval_data/dev2.jsonl', 'data-bucket', 17],
  ]);
  expect(uploaded[0].checksumSha256).toMatch(/-3$/);
  expect(s3).toHaveReceivedCommandWith(CreateMultipartUploadCommand, {
    Bucket: 'data-bucket',
    Key: 'train_data/train.jsonl',
    ChecksumAlgorithm: 'SHA256',
    Metadata: {
      [CHANNEL_METADATA.templateSha256]: templateSha256(TEMPLATE),
      [CHANNEL_METADATA.template]: encodeURIComponent(TEMPLATE),
      [CHANNEL_METADATA.preparedBy]: 'radiology-impressions 0.1.0',
    },
  });
  expect(lines).toContain(`s3://data-bucket/train_data/train.jsonl: ${big.length} bytes, SHA-256 verified, prompt template recorded`);
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
  prepared({ 'dev2.jsonl': 'x\n' });
  const lines: string[] = [];
  const uploaded = await runUpload(options({ bucket: 'given', log: (l) => lines.push(l) }));
  expect(uploaded.map((u) => u.key)).toEqual(['eval_data/dev2.jsonl']);
  expect(cfn).not.toHaveReceivedCommand(DescribeStacksCommand);
  expect(lines.join('\n')).toContain('train.jsonl not found; not uploaded');
});

test('a checksum mismatch is an error naming the object and the file', async () => {
  fakeS3('eval_data/dev1.jsonl');
  prepared({ 'dev1.jsonl': 'x\n' });
  await expect(runUpload(options({ bucket: 'b' }))).rejects.toThrow(/^s3:\/\/b\/eval_data\/dev1\.jsonl: SHA-256 .* differs from .*dev1\.jsonl/);
});

test('a size mismatch is an error', async () => {
  fakeS3();
  s3.on(HeadObjectCommand).resolves({ ContentLength: 1, ChecksumSHA256: 'x' });
  prepared({ 'dev1.jsonl': 'xyz\n' });
  await expect(runUpload(options({ bucket: 'b' }))).rejects.toThrow('s3://b/eval_data/dev1.jsonl: size 1 differs from');
});

test('a folder that is not what prepare wrote is refused before anything is sent (bad input)', async () => {
  fakeS3();
  await expect(runUpload(options({ bucket: 'b' }))).rejects.toThrow(`${dir}: none of train.jsonl, dev1.jsonl, dev2.jsonl is there`);
  await expect(runUpload(options({ dir: path.join(dir, 'nope'), bucket: 'b' }))).rejects.toThrow(/nope: no such folder/);
  prepared({ 'train.jsonl': '', 'dev1.jsonl': 'x\n' });
  await expect(runUpload(options({ bucket: 'b' }))).rejects.toThrow(
    `${path.join(dir, 'train.jsonl')}: empty, nothing to upload (run impressions prepare again)`,
  );
  prepared({ 'train.jsonl': 'x\n' });
  fs.appendFileSync(path.join(dir, 'train.jsonl'), 'more\n');
  await expect(runUpload(options({ bucket: 'b' }))).rejects.toThrow(
    `${path.join(dir, 'train.jsonl')}: 7 bytes, but prepare-report.json says 2: the file changed after prepare (run impressions prepare again)`,
  );
  fs.rmSync(path.join(dir, 'prepare-report.json'));
  await expect(runUpload(options({ bucket: 'b' }))).rejects.toThrow(
    `${path.join(dir, 'train.jsonl')}: no prepare-report.json beside it naming the prompt template it was prepared with (upload the folder written by impressions prepare)`,
  );
  expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
});

test('a channel prepared with another template than the configured one is uploaded with a warning', async () => {
  fakeS3();
  prepared({ 'train.jsonl': 'x\n' }, 'Other: {context}');
  const lines: string[] = [];
  await runUpload(options({ bucket: 'b', configuredTemplate: TEMPLATE, log: (l) => lines.push(l) }));
  expect(lines).toContain(
    'warning: train.jsonl was prepared with a prompt template other than impressions:promptTemplate; impressions run will refuse to train on it unless given --allow-template-mismatch',
  );
});

test('S3 losing the template record is caught', async () => {
  fakeS3();
  prepared({ 'train.jsonl': 'x\n' });
  s3.on(HeadObjectCommand).resolves({ ContentLength: 2, ChecksumSHA256: sha(Buffer.from('x\n')).toString('base64'), Metadata: {} });
  await expect(runUpload(options({ bucket: 'b' }))).rejects.toThrow(
    's3://b/train_data/train.jsonl: S3 did not keep the prompt template record (metadata) sent with the object; upload again',
  );
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
