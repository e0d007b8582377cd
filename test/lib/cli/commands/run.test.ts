import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { buildRunInput, executionName, startRun, type RunDeps } from '../../../../lib/cli/commands/run';
import { CliError } from '../../../../lib/cli/errors';
import { channelMetadata, templateSha256 } from '../../../../lib/core/run/training-channel';
import { runIdFromExecutionName } from '../../../../lib/core/run/naming';

const SM_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:RunStateMachine-abc';
const NOW = new Date('2026-03-04T05:06:07Z');

function collect(): { out: PassThrough; text: () => string } {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { out, text: () => text };
}

describe('executionName', () => {
  test('label plus UTC timestamp, at most 32 characters, usable as a run id as is', () => {
    expect(executionName(undefined, NOW)).toBe('run-20260304-050607');
    expect(executionName('Flan T5 / 3 epochs', NOW)).toBe('flan-t5-3-epochs-20260304-050607');
    const long = executionName('a-very-long-label-that-does-not-fit', NOW);
    expect(long.length).toBeLessThanOrEqual(32);
    expect(long).toBe('a-very-long-labe-20260304-050607');
    expect(runIdFromExecutionName(long)).toBe(long);
    expect(executionName('***', NOW)).toBe('run-20260304-050607');
  });
});

describe('buildRunInput', () => {
  test('flags become input fields and override the file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-input-'));
    const file = path.join(dir, 'input.json');
    fs.writeFileSync(file, JSON.stringify({ runName: 'from-file', hyperparameters: { learning_rate: '0.0002' } }));
    expect(buildRunInput({ input: file, name: 'flag', keepEndpoints: true, modelVersion: '2.2.3' })).toEqual({
      runName: 'flag',
      hyperparameters: { learning_rate: '0.0002' },
      keepEndpoints: true,
      modelVersion: '2.2.3',
    });
  });

  test('bad input files and flag combinations are named', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-input-'));
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{"runName": ');
    expect(() => buildRunInput({ input: bad })).toThrow(new RegExp(`--input ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid JSON`));
    const list = path.join(dir, 'list.json');
    fs.writeFileSync(list, '[]');
    expect(() => buildRunInput({ input: list })).toThrow(/expected a JSON object/);
    expect(() => buildRunInput({ input: path.join(dir, 'missing.json') })).toThrow(/cannot read the file \(ENOENT\)/);
    expect(() => buildRunInput({ skipTraining: true })).toThrow(/--skip-training needs --model-data/);
    expect(() => buildRunInput({ modelData: 's3://b/runs/x/model.tar.gz' })).toThrow(/--model-data is only used with --skip-training/);
    expect(() => buildRunInput({ skipTraining: true })).toThrow(CliError);
  });
});

const TEMPLATE = 'Findings: {context}';
const BUCKET = 'data-bucket';

/** Mocked stacks (pipeline with or without the template output, data) and a training channel in S3. */
function deployment(options: { deployedTemplate?: string | null; channel?: Record<string, Record<string, string> | undefined> } = {}) {
  const deployed = options.deployedTemplate === undefined ? TEMPLATE : options.deployedTemplate;
  const cfn = mockClient(CloudFormationClient);
  cfn.on(DescribeStacksCommand, { StackName: 'impressions-pipeline' }).resolves({
    Stacks: [
      {
        StackName: 'impressions-pipeline',
        CreationTime: NOW,
        StackStatus: 'CREATE_COMPLETE',
        Outputs: [
          { OutputKey: 'StateMachineArn', OutputValue: SM_ARN },
          ...(deployed !== null ? [{ OutputKey: 'PromptTemplateSha256', OutputValue: templateSha256(deployed) }] : []),
        ],
      },
    ],
  });
  cfn.on(DescribeStacksCommand, { StackName: 'impressions-data' }).resolves({
    Stacks: [
      { StackName: 'impressions-data', CreationTime: NOW, StackStatus: 'CREATE_COMPLETE', Outputs: [{ OutputKey: 'DataBucketName', OutputValue: BUCKET }] },
    ],
  });
  const channel = options.channel ?? { 'train_data/train.jsonl': channelMetadata(TEMPLATE, '0.1.0') };
  const s3 = mockClient(S3Client);
  s3.on(ListObjectsV2Command).resolves({ Contents: Object.keys(channel).map((Key) => ({ Key })), IsTruncated: false });
  for (const [key, metadata] of Object.entries(channel)) s3.on(HeadObjectCommand, { Key: key }).resolves({ ContentLength: 10, Metadata: metadata });
  const sfn = mockClient(SFNClient);
  sfn
    .on(StartExecutionCommand)
    .callsFake(async (input: { name: string }) => ({ executionArn: `${SM_ARN.replace(':stateMachine:', ':execution:')}:${input.name}`, startDate: NOW }));
  const warnings: string[] = [];
  const { out, text } = collect();
  const deps: RunDeps = {
    sfn: new SFNClient({}),
    cloudFormation: new CloudFormationClient({}),
    s3: new S3Client({}),
    resourcePrefix: 'impressions',
    configuredTemplate: TEMPLATE,
    out,
    warn: (line) => warnings.push(line),
    now: NOW,
  };
  return { deps, sfn, s3, text, warnings };
}

describe('startRun', () => {
  test('starts an execution of the deployed state machine and says how to watch it', async () => {
    const { deps, sfn, text } = deployment();
    const result = await startRun({ name: 'ft', skipTraining: true, modelData: 's3://b/runs/r1/model/' }, deps);
    expect(result.name).toBe('ft-20260304-050607');
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: SM_ARN,
      name: 'ft-20260304-050607',
      input: JSON.stringify({ runName: 'ft', skipTraining: true, modelData: 's3://b/runs/r1/model/' }),
    });
    expect(text()).toContain('npx impressions status ft-20260304-050607 --watch');
  });

  test('checks every object of the training channel against the template the deployment evaluates with', async () => {
    const { deps, sfn, s3 } = deployment();
    await startRun({ name: 'ft' }, deps);
    expect(s3).toHaveReceivedCommandWith(ListObjectsV2Command, { Bucket: BUCKET, Prefix: 'train_data/' });
    expect(s3).toHaveReceivedCommandWith(HeadObjectCommand, { Bucket: BUCKET, Key: 'train_data/train.jsonl' });
    expect(sfn).toHaveReceivedCommand(StartExecutionCommand);
  });

  test('refuses to start when the channel was prepared with another template, naming both', async () => {
    const { deps, sfn } = deployment({ channel: { 'train_data/train.jsonl': channelMetadata('Other: {context}', '0.1.0') } });
    await expect(startRun({ name: 'ft' }, deps)).rejects.toThrow(
      new CliError(
        's3://data-bucket/train_data/train.jsonl was prepared with another prompt template than the template the deployment evaluates with ' +
          '(output PromptTemplateSha256 of impressions-pipeline):\n' +
          `    channel:    "Other: {context}" (sha256 ${templateSha256('Other: {context}').slice(0, 12)}…)\n` +
          `    evaluation: "Findings: {context}" (sha256 ${templateSha256(TEMPLATE).slice(0, 12)}…)\n` +
          'Training and evaluation would use different prompts. Prepare and upload the data again with the configured template ' +
          '(npx impressions prepare ... && npx impressions upload ...), or pass --allow-template-mismatch if that is intended.',
      ).message,
    );
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  test('refuses a channel that records no template, and a channel with no data', async () => {
    const unrecorded = deployment({ channel: { 'train_data/train.jsonl': {} } });
    await expect(startRun({ name: 'ft' }, unrecorded.deps)).rejects.toThrow(
      /^s3:\/\/data-bucket\/train_data\/train\.jsonl records no prompt template \(not uploaded by impressions upload of this version\)\nTraining and evaluation/,
    );
    const empty = deployment({ channel: {} });
    await expect(startRun({ name: 'ft' }, empty.deps)).rejects.toThrow(
      'no training data under s3://data-bucket/train_data/: upload it first (npx impressions upload --dir <prepared folder>)',
    );
  });

  test('--allow-template-mismatch starts anyway, with a warning', async () => {
    const { deps, sfn, warnings } = deployment({ channel: { 'train_data/train.jsonl': channelMetadata('Other: {context}', '0.1.0') } });
    await startRun({ name: 'ft', allowTemplateMismatch: true }, deps);
    expect(sfn).toHaveReceivedCommand(StartExecutionCommand);
    expect(warnings[0]).toMatch(
      /^warning: s3:\/\/data-bucket\/train_data\/train\.jsonl was prepared with another prompt template[\s\S]*\(started anyway: --allow-template-mismatch\)$/,
    );
  });

  test('a stack deployed before the template output: compared with the configured template, and said so', async () => {
    const { deps } = deployment({ deployedTemplate: null, channel: { 'train_data/train.jsonl': channelMetadata('Other: {context}', '0.1.0') } });
    await expect(startRun({ name: 'ft' }, deps)).rejects.toThrow(
      'than impressions:promptTemplate (the deployed stack predates its PromptTemplateSha256 output; redeploy to compare with what it evaluates with)',
    );
  });

  test('the deployed template wins over the configured one (what the evaluation really uses)', async () => {
    const { deps } = deployment({ deployedTemplate: 'Deployed: {context}' });
    await expect(startRun({ name: 'ft' }, deps)).rejects.toThrow(
      `    evaluation: (text not recorded) (sha256 ${templateSha256('Deployed: {context}').slice(0, 12)}…)`,
    );
  });

  test('a trainingData prefix of the run input is the channel checked', async () => {
    const { deps, s3 } = deployment({ channel: { 'train_data/v2/train.jsonl': channelMetadata(TEMPLATE, '0.1.0') } });
    await startRun({ name: 'ft', input: writeInput({ trainingData: `s3://${BUCKET}/train_data/v2/` }) }, deps);
    expect(s3).toHaveReceivedCommandWith(ListObjectsV2Command, { Bucket: BUCKET, Prefix: 'train_data/v2/' });
  });
});

function writeInput(input: object): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-input-'));
  const file = path.join(dir, 'input.json');
  fs.writeFileSync(file, JSON.stringify(input));
  return file;
}
