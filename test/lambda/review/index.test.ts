/**
 * Edge cases of the review handlers not covered by the state machine execution
 * (test/lib/constructs/review-state-machine-execution.test.ts): events of loops that are not
 * this app's, a review whose files are missing, output documents outside the review prefix or
 * missing, and an event's failure text kept free of anything but plain words.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SageMakerA2IRuntimeClient } from '@aws-sdk/client-sagemaker-a2i-runtime';
import { SFNClient } from '@aws-sdk/client-sfn';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHandlers } from '../../../lambda/review/index';
import { clearReviewCache } from '../../../lambda/review/review-io';
import { formatReviewItems, parseReviewItems } from '../../../lib/core/review/items';
import type { ReviewRow } from '../../../lib/core/run/contracts';

const BUCKET = 'bucket-of-test';
const ITEMS = parseReviewItems(fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'review', 'evaluation-items.jsonl'), 'utf8'), 'fixture').slice(
  0,
  2,
);
const REVIEW = ITEMS[0].review_id;
const DESCRIPTION = {
  reviewId: REVIEW,
  kind: 'evaluation',
  runId: 'fixture-run',
  createdAt: 'x',
  deadline: '2026-01-09T00:00:00Z',
  teams: ['reader-1'],
  items: 2,
  loops: 2,
  selection: {},
};

const s3 = mockClient(S3Client);
const written = new Map<string, string>();
/** The part of a GetObject body that lib/aws/s3-text.ts reads. */
const body = (text: string) => ({ transformToString: async () => text }) as never;

function setUp(files: Record<string, string>): ReturnType<typeof createHandlers> {
  clearReviewCache();
  s3.reset();
  written.clear();
  s3.on(GetObjectCommand).callsFake(async (input) => {
    const text = files[input.Key] ?? written.get(input.Key);
    if (text === undefined) throw Object.assign(new Error('no such key'), { name: 'NoSuchKey' });
    return { Body: body(text) };
  });
  s3.on(PutObjectCommand).callsFake(async (input) => {
    written.set(input.Key, String(input.Body));
    return {};
  });
  s3.on(ListObjectsV2Command).callsFake(async (input) => ({ Contents: [...written.keys()].filter((k) => k.startsWith(input.Prefix)).map((Key) => ({ Key })) }));
  return createHandlers({
    s3: new S3Client({ region: 'us-east-1' }),
    a2i: new SageMakerA2IRuntimeClient({ region: 'us-east-1' }),
    sfn: new SFNClient({ region: 'us-east-1' }),
    bucket: BUCKET,
    flowDefinitions: { 'reader-1': 'arn:fd' },
    now: () => new Date('2026-01-05T00:00:00Z'),
    logger: new Logger({ logLevel: 'SILENT' }),
  });
}

const REVIEW_FILES = { [`reviews/${REVIEW}/review.json`]: JSON.stringify(DESCRIPTION), [`reviews/${REVIEW}/items.jsonl`]: formatReviewItems(ITEMS) };
const event = (detail: Record<string, unknown>) =>
  ({
    version: '0',
    id: 'e',
    'detail-type': 'SageMaker A2I HumanLoop Status Change',
    source: 'aws.sagemaker',
    account: '1',
    time: 't',
    region: 'us-east-1',
    resources: [],
    detail,
  }) as never;
const rowsOf = (loop: string) =>
  written
    .get(`prediction_data/reviews/run_id=fixture-run/review_id=${REVIEW}/rows/${loop}.jsonl`)!
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ReviewRow);

test("ignores a loop that is not one of this app's reviews", async () => {
  const h = setUp(REVIEW_FILES);
  await expect(h.onLoopEvent(event({ humanLoopName: 'someone-elses-loop', humanLoopStatus: 'Completed' }))).resolves.toEqual({
    loop: 'someone-elses-loop',
    status: 'ignored',
  });
  expect(written.size).toBe(0);
});

test('a review whose files are missing is an InvalidReviewError (the event goes to the dead-letter queue, never lost)', async () => {
  const h = setUp({});
  await expect(h.onLoopEvent(event({ humanLoopName: `${REVIEW}-0000-r1`, humanLoopStatus: 'Completed' }))).rejects.toMatchObject({
    name: 'InvalidReviewError',
    message: `review ${REVIEW}: its description or items are missing`,
  });
  await expect(h.startLoops({ reviewId: REVIEW, runId: 'fixture-run', next: 0 }, () => 60_000)).rejects.toMatchObject({ name: 'InvalidReviewError' });
});

test('each handler parses its event from unknown: a malformed one is an InvalidEventError naming every bad field, before any call', async () => {
  const h = setUp({});
  await expect(h.startLoops({ reviewId: 'bad', runId: 'x', next: 0 }, () => 60_000)).rejects.toMatchObject({
    name: 'InvalidEventError',
    message: expect.stringMatching(/^invalid review startLoops event \(1 problem\): reviewId: expected a review id/),
  });
  await expect(h.storeWait({ reviewId: REVIEW, runId: 'fixture-run', token: '' })).rejects.toThrow(/token: expected the task token/);
  await expect(h.closeReview({ reviewId: REVIEW, runId: 7, next: -1, reason: 'bored' }, () => 60_000)).rejects.toThrow(
    /\(3 problems\): runId: expected a string.*; next: .*; reason: expected one of answered, deadline, error/,
  );
  await expect(h.summarizeReview('not an object')).rejects.toThrow(/expected a JSON object/);
});

test('an output document outside the review prefix, or missing, is recorded as an invalid answer with where it was', async () => {
  const h = setUp(REVIEW_FILES);
  await h.onLoopEvent(
    event({ humanLoopName: `${REVIEW}-0000-r1`, humanLoopStatus: 'Completed', humanLoopOutput: { outputS3Uri: 's3://other-bucket/x/output.json' } }),
  );
  expect(rowsOf(`${REVIEW}-0000-r1`).map((r) => [r.status, r.error, r.output_key])).toEqual([
    ['invalid', `output document s3://other-bucket/x/output.json is not under s3://${BUCKET}/reviews/a2i-output/`, 's3://other-bucket/x/output.json'],
    ['invalid', `output document s3://other-bucket/x/output.json is not under s3://${BUCKET}/reviews/a2i-output/`, 's3://other-bucket/x/output.json'],
  ]);
  const key = `reviews/a2i-output/fd/2026/01/05/00/00/00/${REVIEW}-0001-r1/output.json`;
  await h.onLoopEvent(event({ humanLoopName: `${REVIEW}-0001-r1`, humanLoopStatus: 'Completed', humanLoopOutput: { outputS3Uri: `s3://${BUCKET}/${key}` } }));
  expect(rowsOf(`${REVIEW}-0001-r1`)[0]).toMatchObject({ status: 'invalid', error: `${key}: output document is missing`, output_key: key });
});

test("a failed loop keeps A2I's failure code and reason, without markup", async () => {
  const h = setUp(REVIEW_FILES);
  await h.onLoopEvent(
    event({ humanLoopName: `${REVIEW}-0000-r1`, humanLoopStatus: 'Failed', failureCode: 'TaskExpired', failureReason: 'Expired <b>after</b> 10 days' }),
  );
  expect(rowsOf(`${REVIEW}-0000-r1`)[0].error).toBe('A2I human loop Failed (TaskExpired): Expired  b after /b  10 days');
});
