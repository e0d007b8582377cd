/**
 * Exit codes are a contract (README "Exit codes"): 0 the command did what was asked, 1 the work
 * failed, 2 bad input or usage. One test per command, each run through the CLI as a user runs it,
 * the AWS commands with real SDK clients against moto server (the deployment's stacks, bucket,
 * state machine and Athena workgroup created in it), a closed local port, or the project's
 * SageMaker runtime stand-in.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { AthenaClient, CreateWorkGroupCommand } from '@aws-sdk/client-athena';
import { buildProgram, runCli } from '../../../lib/cli/program';
import { templateSha256 } from '../../../lib/core/run/training-channel';
import { loadConfigFromProject } from '../../../lib/config';
import { bareAwsEnv, describeWithMoto, freePort, MOTO_KEYS, startMoto, withAwsEnv, type Moto } from '../../helpers/aws-env';
import { dataPath } from '../../helpers/data';
import { startStandIn } from '../../../lib/local/sagemaker-runtime';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'evaluation-run');
const SAMPLE = dataPath('mimic-sample');
const TEMPLATE = loadConfigFromProject(ROOT).promptTemplate;

interface Outcome {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs `impressions <args>` in this process, capturing its output. */
async function impressions(...args: string[]): Promise<Outcome> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
  try {
    const code = await runCli(buildProgram(), ['node', 'impressions', ...args]);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
    process.exitCode = 0;
  }
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exit-codes-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A closed local port as the AWS endpoint: every AWS call fails as when the network is down. */
async function unreachable(): Promise<Record<string, string>> {
  return bareAwsEnv({ ...MOTO_KEYS, AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: `http://127.0.0.1:${await freePort()}` });
}

test('no command: usage on standard error, exit 2; --help and --version: exit 0', async () => {
  const none = await runCliCapturing([]);
  expect(none.code).toBe(2);
  expect(none.err).toMatch(/^Usage: impressions \[options\] \[command\]/);
  expect((await impressions('--help')).code).toBe(0);
  expect((await impressions('--version')).code).toBe(0);
  const unknown = await impressions('no-such-command');
  expect(unknown.code).toBe(2);
  expect(unknown.err).toContain("error: unknown command 'no-such-command'");
});

async function runCliCapturing(args: string[]): Promise<Outcome> {
  const err: string[] = [];
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
  try {
    const code = await runCli(buildProgram(), ['node', 'impressions', ...args]);
    return { code, out: '', err: err.join('') };
  } finally {
    stderr.mockRestore();
    process.exitCode = 0;
  }
}

test('prepare: 0 prepared, 2 bad input (a missing file, an unknown option)', async () => {
  const out = path.join(dir, 'prepared');
  const ok = await impressions(
    'prepare',
    '--split',
    path.join(SAMPLE, 'split.csv'),
    '--mimic-zip',
    path.join(SAMPLE, 'reports.zip'),
    '--indiana',
    dataPath('indiana_dev.json'),
    '--out',
    out,
  );
  expect(ok.code).toBe(0);
  expect(ok.out).toContain(`${path.join(out, 'dev2.jsonl')}: 2000 records`);
  const missing = await impressions('prepare', '--split', path.join(dir, 'nope.csv'), '--indiana', dataPath('indiana_dev.json'), '--out', path.join(dir, 'x'));
  expect(missing.code).toBe(2);
  expect(missing.err).toContain(`impressions: ${path.join(dir, 'nope.csv')}: cannot read the split file (ENOENT)`);
  expect((await impressions('prepare', '--nope')).code).toBe(2);
});

test('score: 0 scored, 2 bad input', async () => {
  const pairs = path.join(dir, 'pairs.jsonl');
  fs.writeFileSync(pairs, '{"prediction": "No acute process.", "reference": "No acute cardiopulmonary process."}\n');
  const ok = await impressions('score', '--input', pairs, '--json');
  expect(ok.code).toBe(0);
  expect(JSON.parse(ok.out).scores.rouge1.count).toBe(1);
  const bad = path.join(dir, 'bad.jsonl');
  fs.writeFileSync(bad, '{"prediction": 1}\n');
  expect((await impressions('score', '--input', bad)).code).toBe(2);
});

test('label: 0 labelled, 2 bad input', async () => {
  const input = path.join(dir, 'impressions.jsonl');
  fs.writeFileSync(input, '{"id": "1", "text": "Cardiomegaly."}\n');
  const ok = await impressions('label', '--input', input);
  expect(ok.code).toBe(0);
  const bad = path.join(dir, 'no-text.jsonl');
  fs.writeFileSync(bad, '{"id": "1"}\n');
  expect((await impressions('label', '--input', bad)).code).toBe(2);
});

test('report: 0 from a folder, 2 for an unknown run, 1 when the bucket cannot be reached', async () => {
  expect((await impressions('report', '--run', 'fixture-run', '--from', FIXTURE)).code).toBe(0);
  const unknown = await impressions('report', '--run', 'nope', '--from', FIXTURE);
  expect(unknown.code).toBe(2);
  expect(unknown.err).toContain('impressions: run nope: no prediction files under');
  const down = await withAwsEnv(await unreachable(), () => impressions('report', '--run', 'fixture-run', '--bucket', 'data'));
  expect(down.code).toBe(1);
  expect(down.err).toMatch(
    /^impressions: S3 ListObjectsV2 failed for s3:\/\/data\/prediction_data\/predictions\/run_id=fixture-run\/ in eu-west-1: the endpoint .* is unreachable/m,
  );
});

test('generate: 0 with an impression, 1 on a malformed answer, 2 on a bad flag (SageMaker runtime stand-in)', async () => {
  const standIn = await startStandIn({ malformedBody: (prompt) => (prompt.includes('malformed') ? '{"nothing": 1}' : undefined) });
  try {
    const env = bareAwsEnv({ ...MOTO_KEYS, AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: standIn.url });
    const ok = await withAwsEnv(env, () => impressions('generate', '--endpoint', 'impressions-r-ft', 'Heart size is normal. Lungs are clear.'));
    expect(ok).toMatchObject({ code: 0, out: 'Heart size is normal.\n' });
    const malformed = await withAwsEnv(env, () => impressions('generate', '--endpoint', 'impressions-r-ft', 'malformed findings.'));
    expect(malformed.code).toBe(1);
    expect(malformed.err).toContain('impressions: endpoint impressions-r-ft: malformed tgi response');
    expect((await impressions('generate', '--endpoint', 'e', '--contract', 'gpt', 'x')).code).toBe(2);
  } finally {
    await standIn.close();
  }
});

test('an AWS command without a project folder: exit 2, saying where to run it from', async () => {
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const outcome = await impressions('status');
    expect(outcome.code).toBe(2);
    expect(outcome.err).toBe(
      `impressions: no cdk.json in ${fs.realpathSync(dir)} or any folder above it: run impressions from the project folder (cd ${ROOT}) ` +
        'or from a folder whose cdk.json holds your impressions:* settings\n',
    );
  } finally {
    process.chdir(cwd);
  }
});

describeWithMoto(__filename)('against moto server', () => {
  let moto: Moto;
  let env: Record<string, string>;
  beforeAll(async () => {
    moto = await startMoto();
    env = bareAwsEnv({ ...MOTO_KEYS, AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: moto.endpoint });
    // The deployment as the CLI finds it: the stacks' outputs, the bucket, the state machine, the workgroup.
    await withAwsEnv(env, async () => {
      const cfn = new CloudFormationClient({});
      await cfn.send(
        new CreateStackCommand({
          StackName: 'impressions-data',
          TemplateBody: JSON.stringify({
            Resources: { Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'impressions-data-bucket' } } },
            Outputs: { DataBucketName: { Value: { Ref: 'Bucket' } } },
          }),
        }),
      );
      await cfn.send(
        new CreateStackCommand({
          StackName: 'impressions-pipeline',
          TemplateBody: JSON.stringify({
            Resources: {
              Run: {
                Type: 'AWS::StepFunctions::StateMachine',
                Properties: {
                  DefinitionString: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } }),
                  RoleArn: 'arn:aws:iam::123456789012:role/run',
                },
              },
            },
            Outputs: { StateMachineArn: { Value: { Ref: 'Run' } }, PromptTemplateSha256: { Value: templateSha256(TEMPLATE) } },
          }),
        }),
      );
      await new AthenaClient({}).send(new CreateWorkGroupCommand({ Name: 'impressions-workgroup' }));
    });
  });
  afterAll(async () => moto?.stop());

  const aws = (...args: string[]): Promise<Outcome> => withAwsEnv(env, () => impressions(...args));

  test('upload: 0 uploaded and verified, 2 for a folder prepare did not write, 1 for a bucket that does not exist', async () => {
    const out = path.join(dir, 'upload-set');
    expect((await impressions('prepare', '--split', path.join(SAMPLE, 'split.csv'), '--mimic-zip', path.join(SAMPLE, 'reports.zip'), '--out', out)).code).toBe(
      0,
    );
    const ok = await aws('upload', '--dir', out);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('s3://impressions-data-bucket/train_data/train.jsonl: ');
    expect(ok.out).toContain('SHA-256 verified, prompt template recorded');
    expect(ok.err).toContain(`configuration: ${path.join(ROOT, 'cdk.json')}`);
    expect((await aws('upload', '--dir', path.join(dir, 'nothing-here'))).code).toBe(2);
    const noBucket = await aws('upload', '--dir', out, '--bucket', 'no-such-bucket');
    expect(noBucket.code).toBe(1);
    expect(noBucket.err).toMatch(
      /^impressions: S3 \w+ failed for s3:\/\/no-such-bucket\/\S* in eu-west-1: the bucket does not exist for these credentials\.\n/m,
    );
  });

  test('run: 0 started, 2 refused (a channel prepared with another template), 1 when AWS cannot be reached', async () => {
    const ok = await aws('run', '--name', 'exit-codes');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^started run exit-codes-\d{8}-\d{6}\n/);

    const other = path.join(dir, 'other-template');
    await impressions(
      'prepare',
      '--split',
      path.join(SAMPLE, 'split.csv'),
      '--mimic-zip',
      path.join(SAMPLE, 'reports.zip'),
      '--out',
      other,
      '--template',
      'Other: {context}',
    );
    expect((await aws('upload', '--dir', other)).code).toBe(0);
    const refused = await aws('run', '--name', 'refused');
    expect(refused.code).toBe(2);
    expect(refused.err).toContain(
      'impressions: s3://impressions-data-bucket/train_data/train.jsonl was prepared with another prompt template than the template the deployment evaluates with',
    );
    const allowed = await aws('run', '--name', 'allowed', '--allow-template-mismatch');
    expect(allowed.code).toBe(0);
    expect(allowed.err).toContain('(started anyway: --allow-template-mismatch)');

    const down = await withAwsEnv(await unreachable(), () => impressions('run'));
    expect(down.code).toBe(1);
    expect(down.err).toMatch(
      /^impressions: CloudFormation DescribeStacks failed for stack impressions-pipeline in eu-west-1: the endpoint 127\.0\.0\.1:\d+ is unreachable/m,
    );
  });

  test('status: 0 for the latest run, 2 for a run that does not exist, 1 without credentials', async () => {
    const ok = await aws('status');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^run \S+: RUNNING \(started /);
    const unknown = await aws('status', 'no-such-run');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('impressions: no run named no-such-run');
    const noCredentials = await withAwsEnv(bareAwsEnv({ AWS_REGION: 'eu-west-1' }), () => impressions('status'));
    expect(noCredentials.code).toBe(1);
    expect(noCredentials.err).toContain(
      'impressions: CloudFormation DescribeStacks failed for stack impressions-pipeline in eu-west-1: no AWS credentials were found.\n  What to do: ',
    );
    expect(noCredentials.err).not.toMatch(/\n\s+at /);
  });

  test('runs: 0 listing (none published), 2 on a bad option, 1 when the workgroup does not exist', async () => {
    const ok = await aws('runs');
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('No published runs');
    expect((await aws('runs', '--limit', '3')).code).toBe(2);
    const missing = await aws('runs', '--workgroup', 'no-such-workgroup');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('impressions: Athena StartQueryExecution failed for Athena workgroup no-such-workgroup in eu-west-1: ');
  });
});
