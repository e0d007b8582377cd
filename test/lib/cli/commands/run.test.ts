import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { buildRunInput, executionName, startRun } from '../../../../lib/cli/commands/run';
import { CliError } from '../../../../lib/cli/errors';
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

describe('startRun', () => {
  test('starts an execution of the deployed state machine and says how to watch it', async () => {
    const cfn = mockClient(CloudFormationClient);
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'impressions-pipeline',
          CreationTime: NOW,
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [{ OutputKey: 'StateMachineArn', OutputValue: SM_ARN }],
        },
      ],
    });
    const sfn = mockClient(SFNClient);
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${SM_ARN.replace(':stateMachine:', ':execution:')}:ft-20260304-050607`, startDate: NOW });
    const { out, text } = collect();
    const result = await startRun(
      { name: 'ft', skipTraining: true, modelData: 's3://b/runs/r1/model/' },
      {
        sfn: new SFNClient({}),
        cloudFormation: new CloudFormationClient({}),
        pipelineStack: 'impressions-pipeline',
        out,
        now: NOW,
      },
    );
    expect(result.name).toBe('ft-20260304-050607');
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: SM_ARN,
      name: 'ft-20260304-050607',
      input: JSON.stringify({ runName: 'ft', skipTraining: true, modelData: 's3://b/runs/r1/model/' }),
    });
    expect(text()).toContain('npx impressions status ft-20260304-050607 --watch');
  });

  test('names the stack when it is not deployed', async () => {
    mockClient(CloudFormationClient)
      .on(DescribeStacksCommand)
      .rejects(Object.assign(new Error('Stack with id impressions-pipeline does not exist'), { name: 'ValidationError' }));
    const sfn = mockClient(SFNClient);
    await expect(
      startRun({}, { sfn: new SFNClient({}), cloudFormation: new CloudFormationClient({}), pipelineStack: 'impressions-pipeline', out: collect().out }),
    ).rejects.toThrow(/stack impressions-pipeline is not deployed/);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });
});
