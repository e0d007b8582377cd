/**
 * `impressions status [<name>] [--watch]`: where a run is. Shows the execution's status and current
 * state, the training job (status, secondary status, latest metrics) and both endpoints, and, once
 * the run has succeeded, its results from the execution output (a `RunOutput`, lib/core/run/contracts.ts).
 * Only ids, names, statuses, keys and numbers are printed; the run never carries report text in its state.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DescribeEndpointCommand, DescribeTrainingJobCommand, ListTagsCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { Command } from 'commander';
import { STACK_OUTPUTS, stackNames } from '../../core/deployment';
import { isNotFound } from '../../core/run/cleanup-plan';
import type { EvaluationStageResult, RunOutput } from '../../core/run/contracts';
import { describeErrors } from '../../core/evaluation/trust';
import { runIdFromExecutionName, runResourceNames } from '../../core/run/naming';
import { TAG_KEEP } from '../../core/run/tags';
import { awsClients } from '../aws';
import { CliError, EXIT } from '../errors';
import { loadProject } from '../project';
import { requireStackOutput } from '../stack-outputs';

/** Clients, settings and output of {@link showStatus}, injectable for tests. */
export interface StatusDeps {
  readonly sfn: SFNClient;
  readonly sageMaker: SageMakerClient;
  readonly cloudFormation: CloudFormationClient;
  readonly pipelineStack: string;
  readonly resourcePrefix: string;
  readonly out: NodeJS.WritableStream;
  /** Waits between two refreshes of `--watch`. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default 30000 */
  readonly watchIntervalMs?: number;
}

/** One snapshot of a run. */
export interface RunStatus {
  readonly name: string;
  readonly status: string;
  readonly currentState?: string;
  readonly lines: readonly string[];
}

/** The execution ARN of `name` under the state machine `stateMachineArn`. */
export function executionArnOf(stateMachineArn: string, name: string): string {
  if (!stateMachineArn.includes(':stateMachine:')) throw new CliError(`not a state machine ARN: ${stateMachineArn}`, EXIT.failed);
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

async function latestExecutionName(deps: StatusDeps, stateMachineArn: string): Promise<string> {
  const response = await deps.sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1 }));
  const latest = response.executions?.[0];
  if (latest?.name === undefined) throw new CliError('no run has been started yet (npx impressions run)', EXIT.failed);
  return latest.name;
}

/** Whether the endpoint carries the keep tag (a kept endpoint bills until someone deletes it). */
async function isKept(deps: StatusDeps, endpointArn: string | undefined): Promise<boolean> {
  if (endpointArn === undefined) return false;
  const tags = await deps.sageMaker.send(new ListTagsCommand({ ResourceArn: endpointArn }));
  return (tags?.Tags ?? []).some((t) => t.Key === TAG_KEEP);
}

/** Reads one snapshot of the run `name`. */
export async function readRunStatus(deps: StatusDeps, stateMachineArn: string, name: string): Promise<RunStatus> {
  let execution;
  try {
    execution = await deps.sfn.send(new DescribeExecutionCommand({ executionArn: executionArnOf(stateMachineArn, name) }));
  } catch (error) {
    if ((error as Error).name === 'ExecutionDoesNotExist') throw new CliError(`no run named ${name} (npx impressions status lists the latest)`);
    throw error;
  }
  const status = execution.status ?? 'UNKNOWN';
  const lines: string[] = [];
  const started = execution.startDate?.toISOString() ?? '?';
  lines.push(`run ${name}: ${status} (started ${started}${execution.stopDate !== undefined ? `, stopped ${execution.stopDate.toISOString()}` : ''})`);

  let currentState: string | undefined;
  if (status === 'RUNNING') {
    const history = await deps.sfn.send(
      new GetExecutionHistoryCommand({ executionArn: execution.executionArn, reverseOrder: true, maxResults: 50, includeExecutionData: false }),
    );
    currentState = history.events?.find((event) => event.stateEnteredEventDetails?.name !== undefined)?.stateEnteredEventDetails?.name;
    lines.push(`  current state: ${currentState ?? '(starting)'}`);
  }
  if (execution.error !== undefined) lines.push(`  error: ${execution.error}${execution.cause !== undefined ? `: ${execution.cause}` : ''}`);

  const runId = runIdFromExecutionName(name);
  const names = runResourceNames(deps.resourcePrefix, runId);
  try {
    const job = await deps.sageMaker.send(new DescribeTrainingJobCommand({ TrainingJobName: names.trainingJob }));
    const transitions = job.SecondaryStatusTransitions ?? [];
    const last = transitions[transitions.length - 1];
    lines.push(
      `  training ${names.trainingJob}: ${job.TrainingJobStatus ?? '?'} / ${job.SecondaryStatus ?? '?'}${last?.StatusMessage !== undefined ? ` (${last.StatusMessage})` : ''}`,
    );
    if (job.FailureReason !== undefined) lines.push(`    failure: ${job.FailureReason}`);
    for (const metric of job.FinalMetricDataList ?? []) {
      lines.push(`    ${metric.MetricName ?? '?'} = ${metric.Value ?? '?'}${metric.Timestamp !== undefined ? ` at ${metric.Timestamp.toISOString()}` : ''}`);
    }
  } catch (error) {
    if (!isNotFound(error)) throw error;
    lines.push(`  training ${names.trainingJob}: not started (or skipped)`);
  }
  for (const [label, hosting] of [
    ['pretrained', names.pretrained],
    ['fine-tuned', names.fineTuned],
  ] as const) {
    try {
      const endpoint = await deps.sageMaker.send(new DescribeEndpointCommand({ EndpointName: hosting.endpoint }));
      const kept = await isKept(deps, endpoint.EndpointArn);
      lines.push(
        `  endpoint ${label} ${hosting.endpoint}: ${endpoint.EndpointStatus ?? '?'}${endpoint.FailureReason !== undefined ? ` (${endpoint.FailureReason})` : ''}` +
          (kept ? ` - kept (keepEndpoints): billing until deleted with npx impressions endpoints delete --run ${runId}` : ''),
      );
    } catch (error) {
      if (!isNotFound(error)) throw error;
      lines.push(`  endpoint ${label} ${hosting.endpoint}: none`);
    }
  }
  // Only a succeeded execution has an output (a failed run ends in a Fail state).
  if (status === 'SUCCEEDED' && execution.output !== undefined) lines.push(...runOutputLines(JSON.parse(execution.output) as RunOutput));
  return { name, status, currentState, lines };
}

/** The results of a succeeded run, from its output (lib/core/run/contracts.ts `RunOutput`): counts, keys and statuses only. */
export function runOutputLines(output: RunOutput): string[] {
  const evaluation = (e: EvaluationStageResult): string => `${e.model} ${e.status} (${e.recordCount} records in ${e.shardCount} shards)`;
  const a = output.aggregation;
  const lines = [
    `  evaluation: ${evaluation(output.stage1.pretrainedEvaluation)}; ${evaluation(output.fineTunedEvaluation)}`,
    `  aggregation: ${a.rows} rows (${a.errors} not scored) from ${a.partFiles} part files; estimated cost $${a.costUsd.toFixed(2)}; summary ${a.summaryKey}, run summary ${a.runSummaryKey}`,
    // Rows with an error per data set × model, and whether the results can be trusted (lib/core/evaluation/trust.ts).
    ...describeErrors(a.errorReport).map((line) => `  ${line}`),
  ];
  const left = output.endpointsLeftRunning;
  if (left.names.length > 0) lines.push(`  still billing: ${left.names.join(', ')}. ${left.note}`);
  const p = output.publication;
  if (p === undefined) lines.push('  publication: none (deployed without the analytics stack)');
  else if ('partitions' in p) {
    const refresh = p.quicksight === 'failed' ? `QuickSight refresh failed: ${p.error ?? '?'}` : `QuickSight ${p.quicksight}`;
    lines.push(`  publication: ${p.partitions.created} partitions registered, ${p.partitions.alreadyRegistered} already there; ${refresh}`);
  } else
    lines.push(
      `  publication: failed (${p.error}: ${p.cause}); the results are in S3, re-invoke the publish function with { "runId": "${output.plan.runId}" }`,
    );
  return lines;
}

/** Prints the status of `name` (or of the latest run), refreshing until it ends when `watch`. */
export async function showStatus(name: string | undefined, watch: boolean, deps: StatusDeps): Promise<RunStatus> {
  const stateMachineArn = await requireStackOutput(deps.cloudFormation, deps.pipelineStack, STACK_OUTPUTS.stateMachineArn);
  const runName = name ?? (await latestExecutionName(deps, stateMachineArn));
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (;;) {
    const snapshot = await readRunStatus(deps, stateMachineArn, runName);
    deps.out.write(`${snapshot.lines.join('\n')}\n`);
    if (!watch || snapshot.status !== 'RUNNING') return snapshot;
    await sleep(deps.watchIntervalMs ?? 30000);
    deps.out.write('\n');
  }
}

/** Registers `impressions status`. */
export function register(program: Command): void {
  program
    .command('status')
    .description('show a run: execution state, training job, endpoints, evaluation (the latest run without a name)')
    .argument('[name]', 'execution name printed by `impressions run`')
    .option('--watch', 'refresh every 30 s until the run ends')
    .option('--region <region>', 'AWS region (default: from the AWS configuration)')
    .action(async (name: string | undefined, options: { watch?: boolean; region?: string }) => {
      const { config } = loadProject();
      const aws = awsClients({ region: options.region });
      await showStatus(name, options.watch === true, {
        sfn: aws.sfn,
        sageMaker: aws.sageMaker,
        cloudFormation: aws.cloudFormation,
        pipelineStack: stackNames(config.resourcePrefix).pipeline,
        resourcePrefix: config.resourcePrefix,
        out: process.stdout,
      });
    });
}
