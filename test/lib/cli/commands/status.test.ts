import { PassThrough } from 'node:stream';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeEndpointCommand, DescribeTrainingJobCommand, ListTagsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { executionArnOf, runOutputLines, showStatus, StatusDeps } from '../../../../lib/cli/commands/status';
import { executeRun, RUN_ID } from '../../../helpers/run-execution';

const SM_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:RunStateMachine-abc';
const NAME = 'ft-20260304-050607';
const EXEC_ARN = `arn:aws:states:eu-west-1:123456789012:execution:RunStateMachine-abc:${NAME}`;
const T0 = new Date('2026-03-04T05:06:07Z');

function setUp(): { deps: StatusDeps; text: () => string; sfn: ReturnType<typeof mockClient>; sleeps: number[] } {
  mockClient(CloudFormationClient)
    .on(DescribeStacksCommand)
    .resolves({
      Stacks: [
        {
          StackName: 'impressions-pipeline',
          CreationTime: T0,
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [{ OutputKey: 'StateMachineArn', OutputValue: SM_ARN }],
        },
      ],
    });
  const sfn = mockClient(SFNClient);
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const sleeps: number[] = [];
  const deps: StatusDeps = {
    sfn: new SFNClient({}),
    sageMaker: new SageMakerClient({}),
    cloudFormation: new CloudFormationClient({}),
    pipelineStack: 'impressions-pipeline',
    resourcePrefix: 'impressions',
    out,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    watchIntervalMs: 5,
  };
  return { deps, text: () => text, sfn: sfn as unknown as ReturnType<typeof mockClient>, sleeps };
}

const notFound = (what: string): Error => Object.assign(new Error(`Could not find ${what}`), { name: 'ValidationException' });

describe('impressions status', () => {
  test('the execution ARN is derived from the state machine ARN', () => {
    expect(executionArnOf(SM_ARN, NAME)).toBe(EXEC_ARN);
    expect(() => executionArnOf('arn:aws:s3:::bucket', NAME)).toThrow(/not a state machine ARN/);
  });

  test('latest run while training: state, training status and metrics, endpoints', async () => {
    const { deps, text } = setUp();
    const sfn = mockClient(SFNClient);
    sfn.on(ListExecutionsCommand).resolves({ executions: [{ executionArn: EXEC_ARN, stateMachineArn: SM_ARN, name: NAME, status: 'RUNNING', startDate: T0 }] });
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: EXEC_ARN, stateMachineArn: SM_ARN, name: NAME, status: 'RUNNING', startDate: T0, input: '{}' });
    sfn.on(GetExecutionHistoryCommand).resolves({
      events: [
        { id: 9, timestamp: T0, type: 'TaskScheduled' },
        { id: 8, timestamp: T0, type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'training: fine-tune' } },
      ],
    });
    const sm = mockClient(SageMakerClient);
    sm.on(DescribeTrainingJobCommand).resolves({
      TrainingJobName: `impressions-${NAME}-train`,
      TrainingJobStatus: 'InProgress',
      SecondaryStatus: 'Training',
      SecondaryStatusTransitions: [
        { Status: 'Starting', StartTime: T0 },
        { Status: 'Training', StartTime: T0, StatusMessage: 'Training image download completed. Training in progress.' },
      ],
      FinalMetricDataList: [{ MetricName: 'huggingface-textgeneration:train-loss', Value: 0.42, Timestamp: T0 }],
    } as never);
    sm.on(DescribeEndpointCommand, { EndpointName: `impressions-${NAME}-pt` }).resolves({
      EndpointName: `impressions-${NAME}-pt`,
      EndpointArn: `arn:aws:sagemaker:eu-west-1:123456789012:endpoint/impressions-${NAME}-pt`,
      EndpointStatus: 'InService',
    } as never);
    sm.on(DescribeEndpointCommand, { EndpointName: `impressions-${NAME}-ft` }).rejects(notFound('endpoint'));
    const snapshot = await showStatus(undefined, false, deps);
    expect(snapshot.currentState).toBe('training: fine-tune');
    expect(sm).toHaveReceivedCommandWith(DescribeTrainingJobCommand, { TrainingJobName: `impressions-${NAME}-train` });
    expect(text()).toContain(`run ${NAME}: RUNNING`);
    expect(text()).toContain('current state: training: fine-tune');
    expect(text()).toContain('InProgress / Training (Training image download completed. Training in progress.)');
    expect(text()).toContain('huggingface-textgeneration:train-loss = 0.42');
    expect(text()).toContain(`endpoint pretrained impressions-${NAME}-pt: InService\n`);
    expect(sm).toHaveReceivedCommandWith(ListTagsCommand, { ResourceArn: `arn:aws:sagemaker:eu-west-1:123456789012:endpoint/impressions-${NAME}-pt` });
    expect(text()).toContain(`endpoint fine-tuned impressions-${NAME}-ft: none`);
  });

  test('--watch refreshes until the run ends and shows the error and evaluation of a finished run', async () => {
    const { deps, text, sleeps } = setUp();
    const sfn = mockClient(SFNClient);
    sfn.on(DescribeExecutionCommand).resolvesOnce({ executionArn: EXEC_ARN, stateMachineArn: SM_ARN, status: 'RUNNING', startDate: T0, input: '{}' }).resolves({
      executionArn: EXEC_ARN,
      stateMachineArn: SM_ARN,
      status: 'FAILED',
      startDate: T0,
      stopDate: T0,
      input: '{}',
      error: 'EndpointFailed',
      cause: 'ping health check failed',
    });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
    const sm = mockClient(SageMakerClient);
    sm.on(DescribeTrainingJobCommand).rejects(notFound('training job'));
    sm.on(DescribeEndpointCommand).rejects(notFound('endpoint'));
    const snapshot = await showStatus(NAME, true, deps);
    expect(snapshot.status).toBe('FAILED');
    expect(sleeps).toEqual([5]);
    expect(text()).toContain('error: EndpointFailed: ping health check failed');
    expect(text()).toContain('training impressions-ft-20260304-050607-train: not started (or skipped)');
    expect(sfn).not.toHaveReceivedCommand(ListExecutionsCommand);
  });

  test('a succeeded run shows its results from the output the synthesized state machine produces', async () => {
    // The output of a real (locally executed) run: the state machine's definition, the contract-typed stand-ins.
    const run = await executeRun();
    expect(run.status).toBe('SUCCEEDED');
    const { deps, text } = setUp();
    const sfn = mockClient(SFNClient);
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: EXEC_ARN,
      stateMachineArn: SM_ARN,
      status: 'SUCCEEDED',
      startDate: T0,
      stopDate: T0,
      input: '{}',
      output: JSON.stringify(run.output),
    });
    const sm = mockClient(SageMakerClient);
    sm.on(DescribeTrainingJobCommand).resolves({ TrainingJobStatus: 'Completed', SecondaryStatus: 'Completed' } as never);
    sm.on(DescribeEndpointCommand).rejects(notFound('endpoint'));
    await showStatus(NAME, false, deps);
    expect(text()).toContain('evaluation: pretrained evaluated (8 records in 16 shards); fine-tuned evaluated (8 records in 4 shards)');
    expect(text()).toContain(
      `aggregation: 28 rows (0 not scored) from 24 part files; estimated cost $1.50; summary prediction_data/summary/run_id=${RUN_ID}/summary.jsonl, run summary runs/${RUN_ID}/run-summary.json`,
    );
    expect(text()).toContain('publication: 11 partitions registered, 0 already there; QuickSight not-configured');
    expect(text()).not.toContain('still billing');
  });

  test('an endpoint tagged impressions:keep is shown as still billing, with the command that deletes it', async () => {
    const { deps, text } = setUp();
    mockClient(SFNClient)
      .on(DescribeExecutionCommand)
      .resolves({ executionArn: EXEC_ARN, stateMachineArn: SM_ARN, status: 'FAILED', startDate: T0, stopDate: T0, error: 'EvaluationFailed', input: '{}' });
    const sm = mockClient(SageMakerClient);
    sm.on(DescribeTrainingJobCommand).resolves({ TrainingJobStatus: 'Completed', SecondaryStatus: 'Completed' } as never);
    sm.on(DescribeEndpointCommand).resolves({ EndpointStatus: 'InService', EndpointArn: 'arn:aws:sagemaker:eu-west-1:123456789012:endpoint/x' } as never);
    sm.on(ListTagsCommand).resolves({
      Tags: [
        { Key: 'impressions:app', Value: 'impressions' },
        { Key: 'impressions:keep', Value: 'true' },
      ],
    });
    await showStatus(NAME, false, deps);
    expect(text()).toContain(
      `endpoint fine-tuned impressions-${NAME}-ft: InService - kept (keepEndpoints): billing until deleted with npx impressions endpoints delete --run ${NAME}`,
    );
  });

  test('the output lines of a run whose publication failed and whose endpoint was kept', async () => {
    const run = await executeRun({ input: { keepEndpoints: true }, failingStates: ['Publish results'] });
    const lines = runOutputLines(run.output!).join('\n');
    expect(lines).toContain(
      `still billing: impressions-${RUN_ID}-pt, impressions-${RUN_ID}-ft. Both endpoints are kept (keepEndpoints) and bill per instance-hour until deleted: npx impressions endpoints delete --run ${RUN_ID}`,
    );
    expect(lines).toContain(
      `publication: failed (EvaluationFailed: shard 3 of dev1 could not be scored); the results are in S3, re-invoke the publish function with { "runId": "${RUN_ID}" }`,
    );
    const { publication: _publication, ...withoutPublication } = run.output!;
    expect(runOutputLines(withoutPublication).join('\n')).toContain('publication: none (deployed without the analytics stack)');
  });

  test('a failed run prints no results (it has no output)', async () => {
    const { deps, text } = setUp();
    const sfn = mockClient(SFNClient);
    sfn
      .on(DescribeExecutionCommand)
      .resolves({ executionArn: EXEC_ARN, stateMachineArn: SM_ARN, status: 'FAILED', startDate: T0, input: '{}', error: 'X', cause: 'y' });
    const sm = mockClient(SageMakerClient);
    sm.on(DescribeTrainingJobCommand).rejects(notFound('training job'));
    sm.on(DescribeEndpointCommand).rejects(notFound('endpoint'));
    await showStatus(NAME, false, deps);
    expect(text()).not.toContain('evaluation:');
  });

  test('a succeeded run states the error count per model and data set, and whether its results can be trusted', async () => {
    // The output of the synthesized definition, with the aggregate step reporting 8 error rows of 40.
    const run = await executeRun();
    const output = {
      ...run.output!,
      aggregation: {
        ...run.output!.aggregation,
        errors: 8,
        errorReport: {
          maxErrorRate: 0.01,
          byDatasetAndModel: [
            { dataset: 'dev2', model: 'pretrained', rows: 40, errors: 0, errorRate: 0, trustworthy: true },
            { dataset: 'dev2', model: 'fine-tuned', rows: 40, errors: 8, errorRate: 0.2, trustworthy: false },
          ],
          trustworthy: false,
        },
      },
    };
    expect(`${runOutputLines(output).join('\n')}\n`).toContain(
      '  dev2 pretrained: 0 of 40 rows are errors (0.0 %)\n' +
        '  dev2 fine-tuned: 8 of 40 rows are errors (20.0 %), above 1 %: not trustworthy\n' +
        '  results NOT trustworthy: 1 data set × model above 1 % errors; their figures cover only the reports that scored\n',
    );
  });

  test('unknown run and no runs at all are clear errors', async () => {
    const { deps } = setUp();
    const sfn = mockClient(SFNClient);
    sfn.on(DescribeExecutionCommand).rejects(Object.assign(new Error('Execution Does Not Exist'), { name: 'ExecutionDoesNotExist' }));
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    await expect(showStatus('nope', false, deps)).rejects.toThrow(/no run named nope/);
    await expect(showStatus(undefined, false, deps)).rejects.toThrow(/no run has been started yet/);
  });
});
