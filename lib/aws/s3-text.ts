/**
 * Text objects in S3, shared by the Lambdas and the CLI (lib/aws holds the SDK adapters both use;
 * lib/core stays pure): list keys under a prefix, read an object as text, write text.
 * Errors are the SDK's: callers wrap them in their own error types (a Lambda rethrows, the CLI
 * turns them into a CliError). An S3 PutObject is atomic, so a reader never sees half a file.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** Every key under `prefix`, all pages, sorted. */
export async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return keys.sort();
}

/** Reads `s3://bucket/key` as UTF-8 text. @throws the SDK's error (`NoSuchKey` when absent). */
export async function readText(s3: S3Client, bucket: string, key: string): Promise<string> {
  const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (response.Body === undefined) throw new Error(`s3://${bucket}/${key}: empty response body`);
  return response.Body.transformToString('utf-8');
}

/** As {@link readText}, but `undefined` when the object does not exist. */
export async function readTextIfExists(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    return await readText(s3, bucket, key);
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

/** Writes UTF-8 text (server-side encryption comes from the bucket default, SSE-KMS). */
export async function writeText(s3: S3Client, bucket: string, key: string, body: string, contentType: string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
}
