/**
 * `impressions upload`: copies the files of `impressions prepare` to the data bucket
 * (`train.jsonl` → `train_data/train.jsonl`, `dev1.jsonl`/`dev2.jsonl` → `eval_data/`), then checks
 * every object's size and SHA-256 against the local file.
 *
 * Large files go up in parts (@aws-sdk/lib-storage). Encryption is left to the bucket default
 * (SSE-KMS with the app's key), so no SSE header is sent. S3 reports a multipart object's SHA-256 as
 * a composite (`<base64 of sha256 of the part digests>-<parts>`), a single-part one as the plain
 * file digest; both are recomputed locally with the part size used for the upload.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Command } from 'commander';
import { loadConfigFromProject } from '../../config';
import { STACK_OUTPUTS, stackNames } from '../../core/deployment';
import { CliError } from '../errors';
import { startProgress } from '../progress';
import { requireStackOutput } from '../stack-outputs';

/** Local file name → object key in the data bucket. */
export const UPLOAD_KEYS: Readonly<Record<string, string>> = {
  'train.jsonl': 'train_data/train.jsonl',
  'dev1.jsonl': 'eval_data/dev1.jsonl',
  'dev2.jsonl': 'eval_data/dev2.jsonl',
};

/** Part size of multipart uploads (files up to this size go up in one PutObject). */
export const DEFAULT_PART_BYTES = 16 * 1024 * 1024;

/** Inputs of an upload. */
export interface UploadOptions {
  /** Folder written by `impressions prepare`. */
  readonly dir: string;
  /** Data bucket; when absent it is read from the data stack's outputs. */
  readonly bucket?: string;
  /** Resource prefix of the deployment (names the data stack). */
  readonly resourcePrefix: string;
  readonly s3: S3Client;
  readonly cloudFormation: CloudFormationClient;
  /** Part size in bytes (≥ 5 MiB for S3; tests use smaller values against a mock). */
  readonly partBytes?: number;
  readonly progress?: boolean;
  readonly log?: (line: string) => void;
}

/** One uploaded and verified object. */
export interface UploadedObject {
  readonly file: string;
  readonly bucket: string;
  readonly key: string;
  readonly bytes: number;
  /** The SHA-256 checksum as S3 reports it (full-object, or composite `…-<parts>`). */
  readonly checksumSha256: string;
}

/** Local SHA-256 of a file: whole-file digest and the composite digest for `partBytes` parts. */
export interface LocalChecksums {
  readonly bytes: number;
  /** base64 SHA-256 of the whole file. */
  readonly fullObject: string;
  /** base64 SHA-256 of the concatenated part digests. */
  readonly composite: string;
  readonly parts: number;
}

/** Computes both SHA-256 forms of a file in one pass. */
export async function localChecksums(file: string, partBytes: number): Promise<LocalChecksums> {
  const whole = createHash('sha256');
  const partDigests: Buffer[] = [];
  let part = createHash('sha256');
  let inPart = 0;
  let bytes = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 * 1024 })) {
    let data = chunk as Buffer;
    whole.update(data);
    bytes += data.length;
    while (data.length > 0) {
      const take = Math.min(partBytes - inPart, data.length);
      part.update(data.subarray(0, take));
      inPart += take;
      data = data.subarray(take);
      if (inPart === partBytes) {
        partDigests.push(part.digest());
        part = createHash('sha256');
        inPart = 0;
      }
    }
  }
  if (inPart > 0 || partDigests.length === 0) partDigests.push(part.digest());
  return {
    bytes,
    fullObject: whole.digest('base64'),
    composite: createHash('sha256').update(Buffer.concat(partDigests)).digest('base64'),
    parts: partDigests.length,
  };
}

/**
 * Checks the checksum S3 reports against the local file: a `<b64>-<n>` value against the composite
 * digest with `n` parts, a plain value against the whole-file digest.
 */
export function checksumMatches(reported: string, local: LocalChecksums): boolean {
  const dash = reported.lastIndexOf('-');
  if (dash === -1) return reported === local.fullObject;
  return reported.slice(0, dash) === local.composite && Number(reported.slice(dash + 1)) === local.parts;
}

async function resolveBucket(options: UploadOptions): Promise<string> {
  if (options.bucket !== undefined) return options.bucket;
  return requireStackOutput(options.cloudFormation, stackNames(options.resourcePrefix).data, STACK_OUTPUTS.dataBucketName);
}

/**
 * Uploads the prepared files present in `dir` and verifies each object.
 * @throws CliError when no file is present, an upload fails, or an object's size or checksum differs.
 */
export async function runUpload(options: UploadOptions): Promise<UploadedObject[]> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const partBytes = options.partBytes ?? DEFAULT_PART_BYTES;
  if (!fs.existsSync(options.dir) || !fs.statSync(options.dir).isDirectory()) {
    throw new CliError(`${options.dir}: no such folder (run impressions prepare --out ${options.dir} first)`);
  }
  const files = Object.keys(UPLOAD_KEYS).filter((name) => fs.existsSync(path.join(options.dir, name)));
  if (files.length === 0) {
    throw new CliError(`${options.dir}: none of ${Object.keys(UPLOAD_KEYS).join(', ')} is there (run impressions prepare first)`);
  }
  for (const name of Object.keys(UPLOAD_KEYS)) if (!files.includes(name)) log(`note: ${path.join(options.dir, name)} not found; not uploaded`);
  const bucket = await resolveBucket(options);
  const uploaded: UploadedObject[] = [];
  for (const name of files) {
    const file = path.join(options.dir, name);
    const key = UPLOAD_KEYS[name];
    const local = await localChecksums(file, partBytes);
    const bar = startProgress(`Uploading ${name}`, local.bytes, 'bytes', options.progress);
    try {
      const upload = new Upload({
        client: options.s3,
        partSize: partBytes,
        queueSize: 4,
        leavePartsOnError: false,
        params: { Bucket: bucket, Key: key, Body: fs.createReadStream(file), ChecksumAlgorithm: 'SHA256', ContentType: 'application/jsonl' },
      });
      upload.on('httpUploadProgress', (p) => bar.update(p.loaded ?? 0));
      await upload.done();
    } catch (error) {
      throw new CliError(`${file}: upload to s3://${bucket}/${key} failed (${(error as Error).name}: ${(error as Error).message})`);
    } finally {
      bar.stop();
    }
    let head;
    try {
      head = await options.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
    } catch (error) {
      throw new CliError(`s3://${bucket}/${key}: cannot read the uploaded object back (${(error as Error).name}: ${(error as Error).message})`);
    }
    if (head.ContentLength !== local.bytes) {
      throw new CliError(`s3://${bucket}/${key}: size ${String(head.ContentLength)} differs from ${file} (${local.bytes} bytes)`);
    }
    const reported = head.ChecksumSHA256;
    if (reported === undefined) throw new CliError(`s3://${bucket}/${key}: S3 returned no SHA-256 checksum to verify`);
    if (!checksumMatches(reported, local)) {
      const expected = reported.includes('-') ? `${local.composite}-${local.parts}` : local.fullObject;
      throw new CliError(`s3://${bucket}/${key}: SHA-256 ${reported} differs from ${file} (${expected}); upload again`);
    }
    uploaded.push({ file, bucket, key, bytes: local.bytes, checksumSha256: reported });
    log(`s3://${bucket}/${key}: ${local.bytes} bytes, SHA-256 verified`);
  }
  return uploaded;
}

/** Registers `impressions upload`. */
export function register(program: Command): void {
  program
    .command('upload')
    .description('upload train.jsonl, dev1.jsonl and dev2.jsonl of a prepare folder to the data bucket and verify them')
    .requiredOption('--dir <dir>', 'folder written by impressions prepare')
    .option('--bucket <name>', 'data bucket (default: output DataBucketName of the data stack)')
    .option('--region <region>', 'AWS region (default: from the AWS configuration)')
    .action(async (opts: { dir: string; bucket?: string; region?: string }) => {
      const config = loadConfigFromProject(process.cwd());
      const clientConfig = opts.region !== undefined ? { region: opts.region } : {};
      const s3 = new S3Client(clientConfig);
      // Say what to do before any work when no region is configured (the SDK only says "Region is missing").
      if ((await s3.config.region().catch(() => undefined)) === undefined) {
        throw new CliError('no AWS region configured: pass --region <region> or set AWS_REGION (or a region in ~/.aws/config)');
      }
      await runUpload({
        dir: opts.dir,
        bucket: opts.bucket,
        resourcePrefix: config.resourcePrefix,
        s3,
        cloudFormation: new CloudFormationClient(clientConfig),
      });
    });
}
