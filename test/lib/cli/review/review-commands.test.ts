/**
 * The review commands with real SDK clients: S3 on a moto server, the SageMaker runtime on the
 * project's local stand-in (the evaluation's endpoint code), Step Functions and Cognito through
 * aws-sdk-client-mock.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand, DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminListGroupsForUserCommand,
  CognitoIdentityProviderClient,
  ListUsersInGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { runReport } from '../../../../lib/cli/commands/report';
import { sdkInvoke } from '../../../../lib/aws/invoke-endpoint';
import { localStore, s3Store } from '../../../../lib/cli/run-results';
import { runReviewDrafts, type DevSetSource } from '../../../../lib/cli/review/drafts';
import { addReader, listReaders } from '../../../../lib/cli/review/readers';
import { runReviewStart } from '../../../../lib/cli/review/start-review';
import { runReviewStatus } from '../../../../lib/cli/review/status';
import { toJsonl } from '../../../../lib/core/evaluation/rows';
import { parseReviewDescription, parseReviewItems } from '../../../../lib/core/review/items';
import { loopName, reviewRowsKey } from '../../../../lib/core/review/keys';
import { loopRows } from '../../../../lib/core/review/rows';
import { createBucket, startMoto, type MotoServer } from '../../../helpers/moto';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { isAwsFailure } from '../../../../lib/cli/aws';
import { CliError, EXIT } from '../../../../lib/cli/errors';
import { resolveReviewDeployment } from '../../../../lib/cli/review/deployment';
import { standInClient, startStandIn, type StandIn } from '../../../../lib/local/sagemaker-runtime';

const FIXTURE = path.join(__dirname, '..', '..', '..', 'fixtures', 'evaluation-run');
const BUCKET = 'review-cli-bucket';
const DEPLOYMENT = {
  bucket: BUCKET,
  stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:impressions-review',
  portalUrl: 'https://abc123.labeling.us-east-1.sagemaker.aws',
  userPoolId: 'us-east-1_ABC',
};

let moto: MotoServer;
let s3: S3Client;
beforeAll(async () => {
  moto = await startMoto();
  s3 = moto.s3();
  await createBucket(s3, BUCKET);
}, 60_000);
afterAll(async () => moto?.stop());

function capture(): { out: PassThrough; text: () => string } {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  return { out, text: () => text };
}

async function read(key: string): Promise<string> {
  return (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString();
}

describe('review start', () => {
  test('draws the sample, writes the review, starts its execution named after it, and states the seed', async () => {
    const sfnClient = new SFNClient({ region: 'us-east-1' });
    const sfn = mockClient(sfnClient);
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date() });
    const { out, text } = capture();
    const result = await runReviewStart({
      runId: 'fixture-run',
      perDataset: 5,
      readers: 2,
      seed: 7,
      deadlineDays: 3,
      source: localStore(FIXTURE),
      deployment: DEPLOYMENT,
      s3,
      sfn: sfnClient,
      out,
      now: new Date('2026-01-02T09:00:00Z'),
      random: () => 0.25,
    });
    expect(result.reviewId).toBe('ev-20260102-090000-4000');
    const description = parseReviewDescription(await read(`reviews/${result.reviewId}/review.json`), 'review.json');
    expect(description).toMatchObject({
      kind: 'evaluation',
      runId: 'fixture-run',
      teams: ['reader-1', 'reader-2'],
      items: 10,
      loops: 20,
      deadline: '2026-01-05T09:00:00.000Z',
    });
    expect(description.selection).toMatchObject({ method: 'stratified', seed: 7, perDataset: 5 });
    const items = parseReviewItems(await read(`reviews/${result.reviewId}/items.jsonl`), 'items.jsonl');
    // The same seed draws the committed fixture's sample.
    const fixture = parseReviewItems(
      fs.readFileSync(path.join(__dirname, '..', '..', '..', 'fixtures', 'review', 'evaluation-items.jsonl'), 'utf8'),
      'fixture',
    );
    expect(items.map((i) => [i.study_id, i.impressions.map((x) => x.source)])).toEqual(fixture.map((i) => [i.study_id, i.impressions.map((x) => x.source)]));
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: DEPLOYMENT.stateMachineArn,
      name: result.reviewId,
      input: JSON.stringify({ reviewId: result.reviewId, runId: 'fixture-run' }),
    });
    expect(text()).toContain('Stratified sample, seed 7 (MT19937)');
    expect(text()).toContain(DEPLOYMENT.portalUrl);
    // No report text on the terminal.
    for (const i of items) expect(text()).not.toContain(i.findings.slice(0, 25));
  });

  test('a dry run writes and starts nothing; bad options and runs without rows are refused', async () => {
    const { out, text } = capture();
    const before = (await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).KeyCount;
    await runReviewStart({
      runId: 'fixture-run',
      perDataset: 3,
      readers: 1,
      deadlineDays: 1,
      source: localStore(FIXTURE),
      dryRun: true,
      out,
      random: () => 0.5,
    });
    expect((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).KeyCount).toBe(before);
    expect(text()).toMatch(/Dry run: nothing written, nothing started\. Rerun with --seed 2147483648/);
    const base = { runId: 'fixture-run', perDataset: 3, readers: 1, deadlineDays: 1, source: localStore(FIXTURE), dryRun: true, out: new PassThrough() };
    await expect(runReviewStart({ ...base, readers: 4 })).rejects.toThrow('--readers: readers must be a whole number from 1 to 3, got 4');
    await expect(runReviewStart({ ...base, deadlineDays: 11 })).rejects.toThrow(/--deadline-days 11: must be from 0.01 to 10/);
    await expect(runReviewStart({ ...base, perDataset: 0 })).rejects.toThrow(/--per-dataset 0/);
    await expect(runReviewStart({ ...base, runId: 'no-such-run' })).rejects.toThrow(/run no-such-run: no prediction files/);
  });
});

describe('review drafts', () => {
  let standIn: StandIn;
  let dir: string;
  beforeAll(async () => {
    // The "fine-tuned model": the first sentence, except for the report the test makes fail.
    standIn = await startStandIn({ malformedBody: (prompt) => (prompt.includes('UNREADABLE') ? '{"oops": 1}' : undefined) });
  });
  afterAll(async () => standIn?.close());
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drafts-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const devSets: DevSetSource = {
    description: 'fixture dev sets',
    read: async (name) =>
      name === 'dev1'
        ? '{"study_id":"d1","findings":"Heart size normal. Lungs clear.","impression":"x","subject_id":"","background":""}\n'
        : '{"study_id":"d2","findings":"No pneumothorax.","impression":"y","subject_id":"","background":""}\n',
  };

  test('refuses dev-set reports by id and by text, drafts the others with the evaluation endpoint code, and starts a feedback review', async () => {
    const input = path.join(dir, 'findings.jsonl');
    fs.writeFileSync(
      input,
      [
        { study_id: 'n1', findings: 'Small right effusion. No pneumothorax.', background: 'Dyspnea.' },
        { study_id: 'd1', findings: 'Something else.' },
        { study_id: 'n3', findings: '  heart SIZE normal.   Lungs clear. ' },
        { study_id: 'n4', findings: 'UNREADABLE answer.' },
        { study_id: 'n5', findings: 'Mild cardiomegaly. Clear lungs.' },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const sfnClient = new SFNClient({ region: 'us-east-1' });
    mockClient(sfnClient).on(StartExecutionCommand).resolves({ executionArn: 'arn:exec-fb', startDate: new Date() });
    const { out, text } = capture();
    const result = await runReviewDrafts({
      input,
      runId: 'run-1',
      endpointName: 'impressions-run-1-ft',
      contract: 'tgi',
      promptTemplate: 'Findings: {context}',
      generation: { maxNewTokens: 80, numBeams: 1 },
      deadlineDays: 2,
      dataset: 'department',
      devSets,
      invoke: sdkInvoke(standInClient(standIn)),
      deployment: DEPLOYMENT,
      s3,
      sfn: sfnClient,
      out,
      sleep: async () => undefined,
      progress: false,
      now: new Date('2026-01-03T08:00:00Z'),
      random: () => 0,
    });
    expect(result.reviewId).toBe('fb-20260103-080000-0000');
    expect(result.items.map((i) => [i.study_id, i.impressions[0].text])).toEqual([
      ['n1', 'Small right effusion.'],
      ['n5', 'Mild cardiomegaly.'],
    ]);
    expect(result.items[0]).toMatchObject({ kind: 'feedback', dataset: 'department', background: 'Dyspnea.', run_id: 'run-1', stratum: null });
    expect(result.description.selection).toMatchObject({
      endpoint: 'impressions-run-1-ft',
      refused: [
        { study_id: 'd1', reason: 'study id in dev1' },
        { study_id: 'n3', reason: 'findings text in dev1' },
      ],
      failed: [{ study_id: 'n4', error: expect.stringMatching(/^malformed tgi response/) }],
    });
    expect(standIn.stats.byEndpoint['impressions-run-1-ft']).toBe(3);
    expect(parseReviewItems(await read(`reviews/${result.reviewId}/items.jsonl`), 'items')).toEqual(result.items);
    expect(text()).toContain('refused study d1: study id in dev1');
    expect(text()).not.toContain('Small right effusion');
  });

  test('names every bad line of the input, and refuses an input that is all dev-set reports', async () => {
    const bad = path.join(dir, 'bad.jsonl');
    fs.writeFileSync(bad, '{"study_id":"a","findings":"x"}\nnot json\n{"study_id":"a","findings":""}\n{"findings":"y"}\n');
    const args = {
      runId: 'r',
      endpointName: 'e',
      contract: 'tgi' as const,
      promptTemplate: '{context}',
      generation: { maxNewTokens: 8, numBeams: 1 },
      deadlineDays: 1,
      dataset: 'department',
      devSets,
      invoke: sdkInvoke(standInClient(standIn)),
      out: new PassThrough(),
      dryRun: true,
    };
    await expect(runReviewDrafts({ ...args, input: bad })).rejects.toThrow(
      `${bad}: 4 problem(s):\n  ${bad}:2: not valid JSON\n  ${bad}:3: field study_id repeats line 1\n  ${bad}:3: field findings must be a non-empty string\n  ${bad}:4: field study_id must be a non-empty string`,
    );
    const dev = path.join(dir, 'dev.jsonl');
    fs.writeFileSync(dev, '{"study_id":"d2","findings":"new words"}\n');
    await expect(runReviewDrafts({ ...args, input: dev })).rejects.toThrow('every report is in a dev set; nothing to review');
  });
});

describe('review readers', () => {
  test('invites by e-mail into a team, adds an existing user, refuses a second reader slot, and lists the teams', async () => {
    const client = new CognitoIdentityProviderClient({ region: 'us-east-1' });
    const cognito = mockClient(client);
    cognito
      .on(AdminCreateUserCommand)
      .resolvesOnce({})
      .rejects(Object.assign(new Error('exists'), { name: 'UsernameExistsException' }));
    cognito
      .on(AdminListGroupsForUserCommand)
      .resolvesOnce({ Groups: [] })
      .resolves({ Groups: [{ GroupName: 'impressions-reader-1' }] });
    cognito.on(AdminAddUserToGroupCommand).resolves({});
    const base = { userPoolId: 'us-east-1_ABC', resourcePrefix: 'impressions', portalUrl: DEPLOYMENT.portalUrl };
    const { out, text } = capture();
    await expect(addReader(client, { ...base, email: 'Dr.Ada@Example.org', team: 'reader-1', out })).resolves.toBe('invited');
    expect(cognito).toHaveReceivedCommandWith(AdminCreateUserCommand, {
      UserPoolId: 'us-east-1_ABC',
      Username: 'dr.ada@example.org',
      DesiredDeliveryMediums: ['EMAIL'],
      UserAttributes: [
        { Name: 'email', Value: 'dr.ada@example.org' },
        { Name: 'email_verified', Value: 'true' },
      ],
    });
    expect(cognito).toHaveReceivedCommandWith(AdminAddUserToGroupCommand, { GroupName: 'impressions-reader-1', Username: 'dr.ada@example.org' });
    expect(text()).toContain('authenticator app (MFA)');
    await expect(addReader(client, { ...base, email: 'dr.ada@example.org', team: 'reader-2', out })).rejects.toThrow(
      'dr.ada@example.org already holds reader slot impressions-reader-1: one person, one slot (remove it first)',
    );
    await expect(addReader(client, { ...base, email: 'dr.ada@example.org', team: 'feedback', out })).resolves.toBe('existing');
    await expect(addReader(client, { ...base, email: 'not-an-email', team: 'feedback', out })).rejects.toThrow('--email not-an-email: not an e-mail address');

    cognito
      .on(ListUsersInGroupCommand)
      .callsFake(async (input) =>
        input.GroupName === 'impressions-reader-1'
          ? { Users: [{ Username: 'u1', UserStatus: 'FORCE_CHANGE_PASSWORD', Enabled: true, Attributes: [{ Name: 'email', Value: 'dr.ada@example.org' }] }] }
          : { Users: [] },
      );
    const listed = capture();
    expect(await listReaders(client, { userPoolId: 'us-east-1_ABC', resourcePrefix: 'impressions', out: listed.out })).toBe(1);
    expect(listed.text()).toBe('reader-1: dr.ada@example.org (FORCE_CHANGE_PASSWORD)\nreader-2: nobody\nreader-3: nobody\nfeedback: nobody\n');
  });
});

describe('review status and the report', () => {
  test('status counts the loops from the rows; report prints the review figures and adds the HTML section', async () => {
    const items = parseReviewItems(
      fs.readFileSync(path.join(__dirname, '..', '..', '..', 'fixtures', 'review', 'evaluation-items.jsonl'), 'utf8'),
      'fixture',
    ).slice(0, 2);
    const reviewId = items[0].review_id;
    const description = {
      reviewId,
      kind: 'evaluation',
      runId: 'fixture-run',
      createdAt: '2026-01-02T09:00:00.000Z',
      deadline: '2026-01-05T09:00:00.000Z',
      teams: ['reader-1'],
      items: 2,
      loops: 2,
      selection: {},
    };
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `reviews/${reviewId}/review.json`, Body: JSON.stringify(description) }));
    const rows = [
      ...loopRows(
        items[0],
        'reader-1',
        loopName(reviewId, 0, 'reader-1'),
        {
          status: 'answered',
          outputKey: 'k',
          answers: [
            {
              workerId: 'w',
              submittedAt: null,
              answer: {
                kind: 'evaluation',
                ratings: {
                  A: { correct: 5, complete: 4, concise: 4, harm: 0, harmReason: null },
                  B: { correct: 2, complete: 2, concise: 3, harm: 1, harmReason: 'Misses <the> effusion' },
                },
                preference: 'A',
                corrected: null,
              },
            },
          ],
        },
        new Date(),
      ),
    ];
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: reviewRowsKey('fixture-run', reviewId, loopName(reviewId, 0, 'reader-1')), Body: toJsonl(rows) }),
    );
    const sfnClient = new SFNClient({ region: 'us-east-1' });
    mockClient(sfnClient)
      .on(DescribeExecutionCommand)
      .resolves({ status: 'RUNNING', executionArn: 'x', stateMachineArn: 'y', startDate: new Date() } as never);
    const status = capture();
    const counts = await runReviewStatus({
      reviewId,
      store: s3Store(s3, BUCKET),
      sfn: sfnClient,
      stateMachineArn: DEPLOYMENT.stateMachineArn,
      out: status.out,
      now: new Date('2026-01-03T00:00:00Z'),
    });
    expect(counts).toEqual({ answered: 1, invalid: 0, failed: 0, stopped: 0, open: 1, loops: 2 });
    expect(status.text()).toContain('Loops: 2; answered 1, unreadable output 0, failed 0, stopped 0, still open 1');
    expect(status.text()).toContain('State machine: RUNNING');

    // The report reads the run from a local copy with the review rows beside it.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-review-'));
    try {
      fs.cpSync(FIXTURE, dir, { recursive: true });
      const file = path.join(dir, reviewRowsKey('fixture-run', reviewId, loopName(reviewId, 0, 'reader-1')));
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, toJsonl(rows));
      const report = capture();
      const html = path.join(dir, 'run.html');
      await runReport({ runId: 'fixture-run', source: { store: localStore(dir) }, htmlPath: html, out: report.out, now: new Date('2026-01-04T00:00:00Z') });
      expect(report.text()).toContain(`Review ${reviewId} (evaluation): 1 items, 1 reader; loops 1: 1 answered`);
      expect(report.text()).toMatch(/Harm flags \(1; the texts and reasons are in the HTML report/);
      expect(report.text()).not.toContain('Misses');
      const page = fs.readFileSync(html, 'utf8');
      expect(page).toContain('<h2 id="radiologist-review">Radiologist review</h2>');
      expect(page).toContain('Misses &lt;the&gt; effusion');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the review deployment', () => {
  const cloudFormation = () =>
    new CloudFormationClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });

  test('a review stack that is not deployed: says it is opt-in and how to deploy it (CloudFormation as moto answers it)', async () => {
    const error = await resolveReviewDeployment(cloudFormation(), 'impressions').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({
      exitCode: EXIT.failed,
      message:
        'stack impressions-review is not deployed in this account and region: the review stack is opt-in, deploy it with -c impressions:reviewEnabled=true (README "Radiologist review")',
    });
  });

  test('any other AWS failure reaches the CLI unchanged, for its one description of AWS failures', async () => {
    const unreachable = new CloudFormationClient({
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const error = await resolveReviewDeployment(unreachable, 'impressions').catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(CliError);
    expect(isAwsFailure(error)).toBe(true);
  });
});
