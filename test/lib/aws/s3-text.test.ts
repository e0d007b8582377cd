import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { listKeys, readText, readTextIfExists, writeText } from '../../../lib/aws/s3-text';

const s3 = new S3Client({ region: 'us-east-1' });
const mock = mockClient(s3);
beforeEach(() => mock.reset());

const body = (text: string) => ({ Body: { transformToString: async (encoding?: string) => (encoding === 'utf-8' ? text : 'wrong encoding') } }) as never;

test('listKeys follows every page and returns the keys sorted', async () => {
  mock
    .on(ListObjectsV2Command, { Prefix: 'p/', ContinuationToken: undefined })
    .resolves({ Contents: [{ Key: 'p/b' }, {}], IsTruncated: true, NextContinuationToken: 't1' });
  mock
    .on(ListObjectsV2Command, { Prefix: 'p/', ContinuationToken: 't1' })
    .resolves({ Contents: [{ Key: 'p/a' }], IsTruncated: false, NextContinuationToken: 'ignored' });
  expect(await listKeys(s3, 'bkt', 'p/')).toEqual(['p/a', 'p/b']);
  expect(mock.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input)).toEqual([
    { Bucket: 'bkt', Prefix: 'p/', ContinuationToken: undefined },
    { Bucket: 'bkt', Prefix: 'p/', ContinuationToken: 't1' },
  ]);
});

test('readText reads UTF-8 and names the object when the body is missing', async () => {
  mock.on(GetObjectCommand, { Key: 'a.txt' }).resolves(body('héllo'));
  mock.on(GetObjectCommand, { Key: 'empty' }).resolves({});
  expect(await readText(s3, 'bkt', 'a.txt')).toBe('héllo');
  await expect(readText(s3, 'bkt', 'empty')).rejects.toThrow('s3://bkt/empty: empty response body');
});

test('readTextIfExists is undefined for a missing key and rethrows any other failure', async () => {
  mock.on(GetObjectCommand, { Key: 'there' }).resolves(body('x'));
  mock.on(GetObjectCommand, { Key: 'gone' }).rejects(Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' }));
  mock.on(GetObjectCommand, { Key: 'denied' }).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
  expect(await readTextIfExists(s3, 'bkt', 'there')).toBe('x');
  expect(await readTextIfExists(s3, 'bkt', 'gone')).toBeUndefined();
  await expect(readTextIfExists(s3, 'bkt', 'denied')).rejects.toMatchObject({ name: 'AccessDenied' });
});

test('writeText puts the body with its content type', async () => {
  mock.on(PutObjectCommand).resolves({});
  await writeText(s3, 'bkt', 'k.jsonl', '{}\n', 'application/x-ndjson');
  expect(mock.commandCalls(PutObjectCommand)[0].args[0].input).toEqual({ Bucket: 'bkt', Key: 'k.jsonl', Body: '{}\n', ContentType: 'application/x-ndjson' });
});
