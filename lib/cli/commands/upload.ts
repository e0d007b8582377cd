/**
 * `impressions upload`: copies the files of `impressions prepare` to the data bucket
 * (`train.jsonl` → `train_data/train.jsonl`, `dev1.jsonl`/`dev2.jsonl` → `eval_data/`), then checks
 * every object's size and SHA-256 against the local file.
 *
 * The folder must be what prepare wrote: each file's size matches `prepare-report.json`, no file is
 * empty, and the training channel carries the prompt template it was prepared with as object
 * metadata (lib/core/run/training-channel.ts), which `impressions run` checks.
 *
 * Large files go up in parts (@aws-sdk/lib-storage). Encryption is left to the bucket default
 * (SSE-KMS with the app's key), so no SSE header is sent. S3 reports a multipart object's SHA-256 as
 * a composite (`<base64 of sha256 of the part digests>-<parts>`), a single-part one as the plain
 * file digest; both are recomputed locally with the part size used for the upload.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Command } from 'commander';
import { STACK_OUTPUTS, stackNames } from '../../core/deployment';
import { channelMetadata, compareTemplate, recordedTemplate, templateSha256 } from '../../core/run/training-channel';
import { awsClients } from '../aws';
import { CliError, EXIT } from '../errors';
import { startProgress } from '../progress';
import { loadProject } from '../project';
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
  /** The configured prompt template (`impressions:promptTemplate`), to warn when the channel was prepared with another. */
  readonly configuredTemplate?: string;
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

/** What `prepare-report.json` says about the folder (the fields upload relies on). */
interface PreparedFolder {
  /** The template of train.jsonl's prompts. */
  readonly template?: string;
  /** The version of the tool that prepared the folder. */
  readonly toolVersion?: string;
  /** Size of each file prepare wrote. */
  readonly sizes: Readonly<Record<string, number>>;
}

/**
 * Reads `prepare-report.json` of `dir`; undefined when absent.
 * @throws CliError (bad input) when it is not valid JSON.
 */
function readPrepareReport(dir: string): PreparedFolder | undefined {
  const file = path.join(dir, 'prepare-report.json');
  if (!fs.existsSync(file)) return undefined;
  let report: { template?: unknown; tool?: { version?: unknown }; outputs?: Record<string, { bytes?: unknown }> };
  try {
    report = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof report;
  } catch {
    throw new CliError(`${file}: not valid JSON (run impressions prepare again)`);
  }
  const sizes: Record<string, number> = {};
  for (const [name, output] of Object.entries(report.outputs ?? {})) if (typeof output?.bytes === 'number') sizes[name] = output.bytes;
  return {
    template: typeof report.template === 'string' ? report.template : undefined,
    toolVersion: typeof report.tool?.version === 'string' ? report.tool.version : undefined,
    sizes,
  };
}

/**
 * Checks the files to upload against the folder's report before anything is sent.
 * @throws CliError (bad input) for an empty file, a file whose size differs from the report, or a
 * training channel without the report that names its template.
 */
function checkFolder(dir: string, files: readonly string[], report: PreparedFolder | undefined): void {
  for (const name of files) {
    const file = path.join(dir, name);
    const bytes = fs.statSync(file).size;
    if (bytes === 0) throw new CliError(`${file}: empty, nothing to upload (run impressions prepare again)`);
    const expected = report?.sizes[name];
    if (expected !== undefined && expected !== bytes) {
      throw new CliError(`${file}: ${bytes} bytes, but prepare-report.json says ${expected}: the file changed after prepare (run impressions prepare again)`);
    }
  }
  if (files.includes('train.jsonl') && report?.template === undefined) {
    throw new CliError(
      `${path.join(dir, 'train.jsonl')}: no prepare-report.json beside it naming the prompt template it was prepared with ` +
        '(upload the folder written by impressions prepare)',
    );
  }
}

/**
 * Uploads the prepared files present in `dir` and verifies each object.
 * @throws CliError (bad input) when the folder or its files are not what prepare wrote; (failed)
 * when an object's size, checksum or template record differs after the upload. AWS failures are the SDK's errors.
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
  const report = readPrepareReport(options.dir);
  checkFolder(options.dir, files, report);
  for (const name of Object.keys(UPLOAD_KEYS)) if (!files.includes(name)) log(`note: ${path.join(options.dir, name)} not found; not uploaded`);
  const template = files.includes('train.jsonl') ? report?.template : undefined;
  if (template !== undefined && options.configuredTemplate !== undefined && template !== options.configuredTemplate) {
    log(
      'warning: train.jsonl was prepared with a prompt template other than impressions:promptTemplate; ' +
        'impressions run will refuse to train on it unless given --allow-template-mismatch',
    );
  }
  const bucket = await resolveBucket(options);
  const uploaded: UploadedObject[] = [];
  for (const name of files) {
    const file = path.join(options.dir, name);
    const key = UPLOAD_KEYS[name];
    const metadata = name === 'train.jsonl' && template !== undefined ? channelMetadata(template, report?.toolVersion ?? 'unknown') : undefined;
    const local = await localChecksums(file, partBytes);
    const bar = startProgress(`Uploading ${name}`, local.bytes, 'bytes', options.progress);
    try {
      const upload = new Upload({
        client: options.s3,
        partSize: partBytes,
        queueSize: 4,
        leavePartsOnError: false,
        params: {
          Bucket: bucket,
          Key: key,
          Body: fs.createReadStream(file),
          ChecksumAlgorithm: 'SHA256',
          ContentType: 'application/jsonl',
          ...(metadata !== undefined ? { Metadata: metadata } : {}),
        },
      });
      upload.on('httpUploadProgress', (p) => bar.update(p.loaded ?? 0));
      await upload.done();
    } finally {
      bar.stop();
    }
    const head = await options.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
    if (head.ContentLength !== local.bytes) {
      throw new CliError(`s3://${bucket}/${key}: size ${String(head.ContentLength)} differs from ${file} (${local.bytes} bytes)`, EXIT.failed);
    }
    const reported = head.ChecksumSHA256;
    if (reported === undefined) throw new CliError(`s3://${bucket}/${key}: S3 returned no SHA-256 checksum to verify`, EXIT.failed);
    if (!checksumMatches(reported, local)) {
      const expected = reported.includes('-') ? `${local.composite}-${local.parts}` : local.fullObject;
      throw new CliError(`s3://${bucket}/${key}: SHA-256 ${reported} differs from ${file} (${expected}); upload again`, EXIT.failed);
    }
    if (template !== undefined && metadata !== undefined && compareTemplate(recordedTemplate(head.Metadata), templateSha256(template)).status !== 'same') {
      throw new CliError(`s3://${bucket}/${key}: S3 did not keep the prompt template record (metadata) sent with the object; upload again`, EXIT.failed);
    }
    uploaded.push({ file, bucket, key, bytes: local.bytes, checksumSha256: reported });
    log(`s3://${bucket}/${key}: ${local.bytes} bytes, SHA-256 verified${metadata !== undefined ? ', prompt template recorded' : ''}`);
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
      const { config } = loadProject();
      const aws = awsClients({ region: opts.region });
      await runUpload({
        dir: opts.dir,
        bucket: opts.bucket,
        resourcePrefix: config.resourcePrefix,
        s3: aws.s3,
        cloudFormation: aws.cloudFormation,
        configuredTemplate: config.promptTemplate,
      });
    });
}
