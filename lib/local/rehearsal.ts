/**
 * `impressions rehearse`: the whole run on one machine, before a cent is spent.
 *
 * 1. Synthesizes the app (`cdk synth`, bundles included) with the recorded JumpStart model and a
 *    shard size that gives each data set two shards.
 * 2. Starts the local services on 127.0.0.1 (free ports): moto server, the SageMaker control plane,
 *    the SageMaker runtime stand-in, the local Step Functions and the local Athena, all behind one
 *    address given to every SDK client as `AWS_ENDPOINT_URL`.
 * 3. "Deploys" the templates' data resources to them (lib/local/local-deployment.ts) and runs each
 *    custom resource's Create, as CloudFormation would.
 * 4. Drives the CLI as a user does, each command its own process with that one setting: `prepare` on
 *    the repository's sample data, `upload`, `run`, `status --watch` while it runs, `status`,
 *    `report --html`, `runs`.
 * 5. Injects the chosen fault, lets the janitor (on a failed or aborted run) or the sweep (destroy)
 *    do their work, and checks the outcome.
 * 6. Writes the output folder and prints the summary. Every server and worker is stopped at the
 *    end, also on failure and on Ctrl-C.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { GetPartitionsCommand, GlueClient } from '@aws-sdk/client-glue';
import { CloudAssembly, LOCAL_REGION, type AssemblyFunction } from './cloud-assembly';
import { startEndpointRouter, type EndpointRouter, type RouterTargets } from './endpoint-router';
import { LocalEventRules, type RuleInvocation, type StartExecution } from './event-rules';
import { LambdaRuntime } from './lambda-runtime';
import { deployLocally, type LocalClientConfig } from './local-deployment';
import { startMoto, checkMotoInstalled, type MotoServer } from './moto-server';
import { historyTsv, resourceFates, resourceTable, stateRuns, type ResourceFate } from './rehearsal-report';
import { startSageMakerControlPlane, type SageMakerControlPlane } from './sagemaker-control-plane';
import { startStandIn, type StandIn } from './sagemaker-runtime';
import { standInModel, type KnownRecord } from './stand-in-model';
import { startLocalStepFunctions, type LocalExecution, type LocalStepFunctions } from './step-functions';
import { startLocalAthena, type LocalAthena } from './athena';
import { MODEL_ORDER } from '../core/evaluation/aggregate';

/** Faults the rehearsal can inject. */
export const FAULTS = {
  'training-fails': 'the training job fails in its Training phase (AlgorithmError)',
  'endpoint-fails': 'the fine-tuned endpoint ends Failed instead of InService',
  'throttled-evaluation': 'the endpoints answer 10 % of requests with 429 ThrottlingException and 1 % with 500; nothing may be lost',
  abort: 'the execution is stopped mid-run (StopExecution); the janitor then cleans up',
  destroy: 'the run keeps its fine-tuned endpoint; then the stack-deletion sweep removes everything',
} as const;

/** A fault name. */
export type FaultName = keyof typeof FAULTS;

/** Options of {@link runRehearsal}. */
export interface RehearsalOptions {
  /** Records of each dev set to evaluate. @default 20 */
  readonly records?: number;
  readonly fault?: FaultName;
  /** Output folder (created; must not exist or be empty). */
  readonly outDir: string;
  /** Keep the working files (cloud assembly, prepared data) under `<out>/work`. */
  readonly keep?: boolean;
  /** Repository root (cdk.json, data/, bin/). @default process.cwd() */
  readonly projectDir?: string;
  /** Use this synthesized cloud assembly instead of synthesizing (e.g. a test's patched copy). */
  readonly assemblyDir?: string;
  /** Progress and phase lines. @default stderr */
  readonly log?: (line: string) => void;
  /** Show an updating progress line (stderr is a terminal). */
  readonly progressLine?: boolean;
}

/** One check of the outcome. */
export interface RehearsalCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** What a rehearsal found. */
export interface RehearsalOutcome {
  readonly ok: boolean;
  readonly executionName?: string;
  readonly status?: string;
  readonly error?: string;
  readonly cause?: string;
  /** Where the run failed, when it did: the state and the error with its message. */
  readonly failure?: string;
  readonly checks: readonly RehearsalCheck[];
  readonly fates: readonly ResourceFate[];
  readonly summary: string;
  readonly outDir: string;
  /** CLI commands run, with their exit codes. */
  readonly commands: readonly { readonly args: readonly string[]; readonly code: number; readonly log: string }[];
  readonly ruleInvocations: readonly RuleInvocation[];
  readonly counts: {
    readonly states: number;
    readonly lambdaInvocations: number;
    readonly predictionRows: number;
    readonly summaryRows: number;
    readonly partitions: number;
    readonly throttled: number;
    readonly serverErrors: number;
    readonly rowErrors: number;
  };
}

/** The recorded JumpStart model the rehearsal resolves (its spec is in test/fixtures/jumpstart). */
export const REHEARSAL_MODEL = { modelId: 'huggingface-text2text-flan-t5-base', version: '2.2.3', specFile: 'flan-t5-base-2.2.3.spec.json' } as const;

/** The data set files and their flags for `prepare`. */
const SAMPLE = { split: 'data/mimic-sample/split.csv', zip: 'data/mimic-sample/reports.zip', indiana: 'data/indiana_dev.json' };

/** Milliseconds the rehearsal waits for `seconds` of a Wait state, retry interval or poll: 5 ms per second, 20 ms to 2 s. */
export function scaledMs(seconds: number): number {
  return Math.min(2000, Math.max(20, Math.round(seconds * 5)));
}

/** A rehearsal failed to run (not a failed check): a missing tool, a failed command. */
export class RehearsalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RehearsalError';
  }
}

/** Access keys the local callers sign with, so the control plane's ledger says who did what. */
const ACTOR_KEYS = { cli: 'LOCALCLI', stateMachine: 'LOCALSTATEMACHINE', rehearsal: 'LOCALREHEARSAL' } as const;

function accessKeyOf(fn: AssemblyFunction): string {
  return `LOCALFN${fn.logicalId.replace(/[^A-Za-z0-9]/g, '').toUpperCase()}`.slice(0, 60);
}

function clientConfig(endpoint: string, accessKeyId: string): LocalClientConfig {
  return { endpoint, region: LOCAL_REGION, credentials: { accessKeyId, secretAccessKey: 'local-secret' } };
}

/** Runs a command to its end; returns its exit code and output. */
function runProcess(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string },
): { promise: Promise<number>; pid?: number; stop: () => void } {
  const out = fs.openSync(options.logFile, 'w');
  const child = spawn(command, [...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', out, out] });
  const promise = new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      fs.closeSync(out);
      resolve(code ?? (signal !== null ? 128 : 1));
    });
  });
  return {
    promise,
    pid: child.pid,
    stop: () => {
      if (child.exitCode === null && child.pid !== undefined) child.kill('SIGTERM');
    },
  };
}

/**
 * The repository's sample inputs cut to the first `records` dev studies of each set: the split CSV
 * with every train row and the first `records` dev rows (file order kept), and the first `records`
 * Indiana reports. Written under `dir`; returns their paths.
 */
function sampleInputs(projectDir: string, dir: string, records: number): { split: string; indiana: string } {
  fs.mkdirSync(dir, { recursive: true });
  const [header, ...rows] = fs
    .readFileSync(path.join(projectDir, SAMPLE.split), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  let dev = 0;
  const kept = rows.filter((row) => !row.endsWith(',dev') || ++dev <= records);
  const split = path.join(dir, 'split.csv');
  fs.writeFileSync(split, `${[header, ...kept].join('\n')}\n`);
  const indiana = path.join(dir, 'indiana_dev.json');
  fs.writeFileSync(indiana, JSON.stringify((JSON.parse(fs.readFileSync(path.join(projectDir, SAMPLE.indiana), 'utf8')) as unknown[]).slice(0, records)));
  return { split, indiana };
}

/** The first `n` non-empty lines of a JSONL file. */
function headLines(file: string, n: number): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(0, n);
}

/** Runs the rehearsal; never leaves a process or server behind. */
export async function runRehearsal(options: RehearsalOptions): Promise<RehearsalOutcome> {
  const projectDir = path.resolve(options.projectDir ?? process.cwd());
  // On a terminal, a log line first clears the progress line it would otherwise run into.
  const clear = options.progressLine === true ? '\r\x1b[K' : '';
  const log = options.log ?? ((line: string) => process.stderr.write(`${clear}${line}\n`));
  const records = options.records ?? 20;
  if (!Number.isInteger(records) || records < 1 || records > 2000) throw new RehearsalError(`--records must be a whole number from 1 to 2000, got ${records}`);
  for (const file of Object.values(SAMPLE)) {
    if (!fs.existsSync(path.join(projectDir, file)))
      throw new RehearsalError(`${path.join(projectDir, file)} not found: run the rehearsal from the repository root`);
  }
  checkMotoInstalled();
  const outDir = path.resolve(options.outDir);
  if (fs.existsSync(outDir) && fs.readdirSync(outDir).length > 0) throw new RehearsalError(`--out ${outDir}: the folder exists and is not empty`);
  const work = path.join(outDir, 'work');
  const cliDir = path.join(outDir, 'cli');
  fs.mkdirSync(cliDir, { recursive: true });
  fs.mkdirSync(work, { recursive: true });
  const started = new Date();

  const stops: (() => Promise<void> | void)[] = [];
  const stopAll = async (): Promise<void> => {
    while (stops.length > 0) {
      try {
        await stops.pop()!();
      } catch {
        // keep stopping the rest
      }
    }
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`rehearse: ${signal}: stopping every local server`);
    void stopAll().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await rehearse({ ...options, records, projectDir, outDir, work, cliDir, started, log }, stops);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stopAll();
    if (options.keep !== true) fs.rmSync(work, { recursive: true, force: true });
  }
}

interface Context extends RehearsalOptions {
  readonly records: number;
  readonly projectDir: string;
  readonly outDir: string;
  readonly work: string;
  readonly cliDir: string;
  readonly started: Date;
  readonly log: (line: string) => void;
}

/** The context `cdk synth` gets for a rehearsal of `records` records per dev set. */
export function rehearsalContext(records: number): Record<string, string> {
  return {
    'impressions:modelId': REHEARSAL_MODEL.modelId,
    'impressions:modelVersion': REHEARSAL_MODEL.version,
    // Two shards per data set, so the Distributed Map fans out even on a few records.
    'impressions:evalShardSize': String(Math.max(1, Math.ceil(records / 2))),
  };
}

/**
 * Synthesizes the app as `npx cdk synth` does (bundles, cdk-nag) into `outDir`, with the rehearsal's
 * context; returns `outDir`. @throws RehearsalError with the end of cdk's output when synth fails.
 */
export async function synthesizeForRehearsal(projectDir: string, outDir: string, records: number, logFile: string): Promise<string> {
  const args = [
    '--no-install',
    'cdk',
    'synth',
    '--quiet',
    '--output',
    outDir,
    ...Object.entries(rehearsalContext(records)).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
  ];
  const code = await runProcess('npx', args, { cwd: projectDir, env: process.env, logFile }).promise;
  if (code !== 0) {
    const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
    throw new RehearsalError(`cdk synth failed (exit ${code}); see ${logFile}:\n${tail}`);
  }
  return outDir;
}

async function rehearse(ctx: Context, stops: (() => Promise<void> | void)[]): Promise<RehearsalOutcome> {
  const { log } = ctx;
  let assemblyDir = ctx.assemblyDir;
  if (assemblyDir === undefined) {
    log('rehearse: synthesizing the app (npx cdk synth, bundles and cdk-nag included)');
    assemblyDir = await synthesizeForRehearsal(ctx.projectDir, path.join(ctx.work, 'cdk.out'), ctx.records, path.join(ctx.cliDir, '00-cdk-synth.log'));
  }
  const assembly = CloudAssembly.load(assemblyDir);
  const functions = assembly.functions();

  // One address for every service; its targets are filled in as the servers come up.
  const targets: { moto: string; byTarget: Record<string, string>; runtime?: string } = { moto: '', byTarget: {} };
  const router: EndpointRouter = await startEndpointRouter(targets as RouterTargets);
  stops.push(() => router.close());
  const endpoint = router.url;
  const moto: MotoServer = await startMoto({ log });
  stops.push(() => moto.stop());
  targets.moto = moto.url;
  const config = (key: string): LocalClientConfig => clientConfig(endpoint, key);
  const s3 = new S3Client({ ...config(ACTOR_KEYS.rehearsal), forcePathStyle: true });

  const actors = new Map<string, string>([
    [ACTOR_KEYS.cli, 'cli'],
    [ACTOR_KEYS.stateMachine, 'state machine'],
    [ACTOR_KEYS.rehearsal, 'rehearsal'],
  ]);
  for (const fn of functions) actors.set(accessKeyOf(fn), fn.environment.POWERTOOLS_SERVICE_NAME ?? fn.logicalId);

  const s3Exists = async (uri: string): Promise<boolean> => {
    const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
    if (m === null) return false;
    const list = await s3.send(new ListObjectsV2Command({ Bucket: m[1], Prefix: m[2], MaxKeys: 1 })).catch(() => undefined);
    return (list?.KeyCount ?? 0) > 0;
  };
  const fault = ctx.fault;
  const controlPlane: SageMakerControlPlane = await startSageMakerControlPlane({
    actors,
    s3Exists,
    trainingFailure: fault === 'training-fails' ? 'AlgorithmError: ExecuteUserScriptError: CUDA out of memory (rehearsal fault training-fails)' : undefined,
    endpointFailure: (name) =>
      fault === 'endpoint-fails' && name.endsWith('-ft')
        ? 'The primary container for production variant AllTraffic did not pass the ping health check (rehearsal fault endpoint-fails).'
        : undefined,
    quotas: [
      { QuotaName: 'ml.p3.16xlarge for training job usage', QuotaCode: 'L-LOCAL001', Value: 1 },
      { QuotaName: 'ml.p3.16xlarge for spot training job usage', QuotaCode: 'L-LOCAL002', Value: 1 },
      { QuotaName: 'ml.g5.2xlarge for endpoint usage', QuotaCode: 'L-LOCAL003', Value: 2 },
    ],
    writeArtifacts: async ({ name, outputPath, compression }) => {
      const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(outputPath);
      if (m === null) throw new Error(`S3OutputPath ${outputPath} is not an s3:// URI`);
      const base = `${m[2].replace(/\/?$/, '/')}${name}/output/`;
      const key = compression === 'NONE' ? `${base}model/rehearsal-model.json` : `${base}model.tar.gz`;
      await s3.send(new PutObjectCommand({ Bucket: m[1], Key: key, Body: JSON.stringify({ trainingJob: name, note: 'rehearsal stand-in weights' }) }));
      return `s3://${m[1]}/${base}${compression === 'NONE' ? 'model/' : 'model.tar.gz'}`;
    },
  });
  stops.push(() => controlPlane.close());
  for (const prefix of ['SageMaker.', 'ResourceGroupsTaggingAPI_20170126.', 'ServiceQuotasV20190624.']) targets.byTarget[prefix] = controlPlane.url;

  // The endpoints' "model": known once the evaluation sets are prepared (below).
  const known: KnownRecord[] = [];
  const template = assembly.functions().find((f) => f.environment.PROMPT_TEMPLATE !== undefined)?.environment.PROMPT_TEMPLATE ?? '{context}';
  const generate = standInModel(known, template, (name) => controlPlane.endpointModel(name)?.modelDataUri);
  const runtime: StandIn = await startStandIn({
    latencyMs: 5,
    capacity: 4,
    throttleRate: fault === 'throttled-evaluation' ? 0.1 : 0,
    serverErrorRate: fault === 'throttled-evaluation' ? 0.01 : 0,
    seed: 14,
    generate,
    endpoint: (name) => controlPlane.endpointModel(name),
  });
  stops.push(() => runtime.close());
  targets.runtime = runtime.url;

  const lambdaLog = fs.createWriteStream(path.join(ctx.outDir, 'lambda-logs.jsonl'));
  stops.push(() => new Promise<void>((resolve) => lambdaLog.end(() => resolve())));
  const baseEnvironment = {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    // moto 5.2.1 rejects compressed PutMetricData bodies over 10 KiB.
    AWS_DISABLE_REQUEST_COMPRESSION: 'true',
  };
  const lambda = new LambdaRuntime(functions, {
    baseEnvironment,
    accessKeyOf,
    onLog: (fn, line) => lambdaLog.write(`${JSON.stringify({ function: fn, line })}\n`),
  });
  stops.push(() => lambda.close());

  const athena: LocalAthena = await startLocalAthena({ glue: new GlueClient(config(ACTOR_KEYS.rehearsal)), s3 });
  stops.push(() => athena.close());
  targets.byTarget['AmazonAthena.'] = athena.url;

  log(`rehearse: local services on ${endpoint} (moto ${moto.url}, pids ${moto.pids.join(', ')})`);
  const deployment = await deployLocally(assembly, s3, config(ACTOR_KEYS.rehearsal), {
    fixturesDir: path.join(ctx.projectDir, 'test', 'fixtures', 'jumpstart'),
    ...REHEARSAL_MODEL,
  });

  // Every state machine of the app (the run's, the janitor's, the provider framework's waiter),
  // resolved now that the deployment gave the key, the buckets and the topic their local values.
  const runMachineArn = assembly.stateMachineOfOutput(
    Object.keys(assembly.stacks).find((s) => assembly.stacks[s].template.Outputs?.StateMachineArn !== undefined) ?? '',
    'StateMachineArn',
  ).arn;
  // EventBridge starts the janitor workflow (a state machine target) through the local Step Functions.
  let startExecution: StartExecution = () => {
    throw new RehearsalError('the local Step Functions is not running yet');
  };
  const rules = new LocalEventRules(assembly, lambda, {
    retryAttempts: 2,
    retryDelayMs: scaledMs(60),
    startExecution: (arn, executionName, input) => startExecution(arn, executionName, input),
  });
  let progress = { state: '', states: 0 };
  const sfn: LocalStepFunctions = await startLocalStepFunctions({
    stateMachines: assembly.stateMachines().map((m) => ({ arn: m.arn, name: m.name, definition: m.definition as never })),
    tasks: {
      lambda,
      sagemaker: new SageMakerClient(config(ACTOR_KEYS.stateMachine)),
      logs: new CloudWatchLogsClient(config(ACTOR_KEYS.stateMachine)),
      sns: new SNSClient(config(ACTOR_KEYS.stateMachine)),
    },
    getObjectText: async (bucket, key) => {
      try {
        const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return await object.Body!.transformToString('utf8');
      } catch (error) {
        if ((error as Error).name === 'NoSuchKey') return undefined;
        throw error;
      }
    },
    secondsToMs: scaledMs,
    onStatusChange: (event) => rules.put(event),
    onEvent: (execution, event) => {
      if (execution.stateMachineArn === runMachineArn && event.type.endsWith('StateEntered'))
        progress = { state: event.stateName ?? '', states: progress.states + 1 };
    },
  });
  stops.push(() => sfn.close());
  startExecution = sfn.start;
  targets.byTarget['AWSStepFunctions.'] = sfn.url;
  const customResources = await createCustomResources(assembly, lambda);
  log(`rehearse: deployed locally: ${deployment.created.length} resources, ${customResources.length} custom resource(s)`);

  // The CLI, as a user runs it: its own process, one setting pointing it at the local services.
  const pkg = JSON.parse(fs.readFileSync(path.join(ctx.projectDir, 'package.json'), 'utf8')) as { bin?: Record<string, string> };
  const bin = path.join(ctx.projectDir, pkg.bin?.impressions ?? 'bin/impressions.cjs');
  const cliEnv: NodeJS.ProcessEnv = { ...process.env, ...baseEnvironment, AWS_ACCESS_KEY_ID: ACTOR_KEYS.cli, AWS_SECRET_ACCESS_KEY: 'local-secret' };
  for (const key of Object.keys(cliEnv)) if (key.startsWith('AWS_ENDPOINT_URL_') || key === 'AWS_PROFILE' || key === 'AWS_SESSION_TOKEN') delete cliEnv[key];
  cliEnv.AWS_CONFIG_FILE = path.join(ctx.work, 'no-aws-config');
  cliEnv.AWS_SHARED_CREDENTIALS_FILE = path.join(ctx.work, 'no-aws-credentials');
  const commands: { args: string[]; code: number; log: string }[] = [];
  const cli = (args: string[]): { promise: Promise<number>; stop: () => void; log: string } => {
    const logFile = path.join(ctx.cliDir, `${String(commands.length + 1).padStart(2, '0')}-${args[0]}.log`);
    const entry = { args, code: -1, log: logFile };
    commands.push(entry);
    log(`rehearse: npx impressions ${args.join(' ')}`);
    const proc = runProcess(process.execPath, [bin, ...args], { cwd: ctx.projectDir, env: cliEnv, logFile });
    // Stopped with everything else should the rehearsal end early (a failure, Ctrl-C).
    stops.push(proc.stop);
    return {
      promise: proc.promise.then((code) => ((entry.code = code), code)),
      stop: proc.stop,
      log: logFile,
    };
  };
  const mustSucceed = async (args: string[]): Promise<string> => {
    const run = cli(args);
    const code = await run.promise;
    const output = fs.readFileSync(run.log, 'utf8');
    if (code !== 0) throw new RehearsalError(`impressions ${args.join(' ')} failed (exit ${code}):\n${output.split('\n').slice(-12).join('\n')}`);
    return output;
  };

  // The sample inputs cut to --records dev studies per set (every train row kept), then prepared and
  // uploaded exactly as a user would: the prepared folder goes to upload unchanged.
  const inputs = sampleInputs(ctx.projectDir, path.join(ctx.work, 'inputs'), ctx.records);
  const prepared = path.join(ctx.work, 'prepared');
  await mustSucceed(['prepare', '--split', inputs.split, '--mimic-zip', SAMPLE.zip, '--indiana', inputs.indiana, '--out', prepared]);
  for (const set of ['dev1', 'dev2']) {
    for (const line of headLines(path.join(prepared, `${set}.jsonl`), Number.MAX_SAFE_INTEGER)) known.push(JSON.parse(line) as KnownRecord);
  }
  await mustSucceed(['upload', '--dir', prepared]);

  const runArgs = ['run', '--name', 'rehearsal', ...(fault === 'destroy' ? ['--keep-endpoints'] : [])];
  const runOutput = await mustSucceed(runArgs);
  const name = /started run (\S+)/.exec(runOutput)?.[1];
  if (name === undefined) throw new RehearsalError(`impressions run printed no run name:\n${runOutput}`);
  const execution = [...sfn.executions.values()].find((e) => e.name === name && e.stateMachineArn === runMachineArn);
  if (execution === undefined) throw new RehearsalError(`impressions run started ${name}, which the local Step Functions does not know`);

  const watch = cli(['status', name, '--watch']);
  const progressTimer = startProgressLine(ctx, execution, () => progress, lambda, runtime);
  let aborted = false;
  if (fault === 'abort') {
    // Stop mid-run: once an endpoint is InService (resources exist and cost money), as an operator would.
    const sfnClient = new SFNClient(config(ACTOR_KEYS.cli));
    while (execution.status === 'RUNNING' && !controlPlane.live().some((r) => r.kind === 'endpoint' && r.status === 'InService')) {
      await new Promise((r) => setTimeout(r, 50));
    }
    if (execution.status === 'RUNNING') {
      log('rehearse: fault abort: stopping the execution (StopExecution)');
      await sfnClient.send(new StopExecutionCommand({ executionArn: execution.arn, cause: 'rehearsal fault abort' }));
      aborted = true;
    }
  }
  await execution.done;
  clearInterval(progressTimer);
  if (ctx.progressLine === true) process.stderr.write('\n');
  const ruleInvocations = await rules.settled();
  watch.stop();
  await watch.promise;
  log(`rehearse: execution ${name} ${execution.status}${execution.error !== undefined ? ` (${execution.error})` : ''}`);

  const finalStatus = await cli(['status', name]).promise.then(() => fs.readFileSync(commands[commands.length - 1].log, 'utf8'));
  const runId = name;
  const predictionKeys = await listKeys(s3, dataBucket(assembly), `prediction_data/predictions/run_id=${runId}/`);
  let reportCode: number | undefined;
  if (predictionKeys.length > 0) {
    reportCode = await cli(['report', '--run', runId, '--html', path.join(ctx.outDir, 'report.html')]).promise;
  }
  const runsCode = await cli(['runs']).promise;
  const runsOutput = fs.readFileSync(commands[commands.length - 1].log, 'utf8');

  let sweep: string | undefined;
  if (fault === 'destroy') {
    log('rehearse: fault destroy: deleting the custom resources as `cdk destroy` does (the sweep)');
    sweep = await deleteCustomResources(customResources, lambda);
  }

  // Output folder: the bucket's objects under their keys, the history, the tables, the summary.
  const bucket = dataBucket(assembly);
  const objects = await copyBucket(s3, bucket, path.join(ctx.outDir, 'bucket'));
  const runs = stateRuns(execution.history);
  fs.writeFileSync(path.join(ctx.outDir, 'execution-history.tsv'), historyTsv(runs));
  fs.writeFileSync(
    path.join(ctx.outDir, 'execution-history.json'),
    `${JSON.stringify({ execution: { name, status: execution.status, error: execution.error, cause: execution.cause }, states: runs }, null, 2)}\n`,
  );
  const fates = resourceFates(controlPlane.ledger, controlPlane.live());
  const table = resourceTable(fates, ctx.started);
  fs.writeFileSync(path.join(ctx.outDir, 'resources.txt'), table);

  const rows = objects.filter((k) => k.startsWith(`prediction_data/predictions/run_id=${runId}/`));
  const rowStats = countRows(path.join(ctx.outDir, 'bucket'), rows);
  const summaryLines = objects.filter((k) => k.startsWith(`prediction_data/summary/run_id=${runId}/`));
  const summaryRows = summaryLines.reduce((n, k) => n + countLines(path.join(ctx.outDir, 'bucket', k)), 0);
  const partitions = await countPartitions(assembly, new GlueClient(config(ACTOR_KEYS.rehearsal)), runId);
  const failure = failureOf(execution);

  const checks = evaluateChecks({
    fault,
    execution,
    aborted,
    records: ctx.records,
    rowStats,
    fates,
    finalStatus,
    reportCode,
    runsCode,
    runsOutput,
    runId,
    ruleInvocations,
    sweep,
    throttled: runtime.stats.throttled + runtime.stats.serverErrors,
    failure,
  });
  const counts = {
    states: execution.history.filter((e) => e.type.endsWith('StateEntered')).length,
    lambdaInvocations: lambda.invocations.length,
    predictionRows: rowStats.rows,
    summaryRows,
    partitions,
    throttled: runtime.stats.throttled,
    serverErrors: runtime.stats.serverErrors,
    rowErrors: rowStats.errors,
  };
  const ok = checks.every((c) => c.ok);
  const wall = (Date.now() - ctx.started.getTime()) / 1000;
  const byFunction = new Map<string, number>();
  const label = (functionName: string): string => functions.find((f) => f.name === functionName)?.environment.POWERTOOLS_SERVICE_NAME ?? functionName;
  for (const i of lambda.invocations) byFunction.set(label(i.functionName), (byFunction.get(label(i.functionName)) ?? 0) + 1);
  const summary = [
    `Rehearsal ${ok ? 'PASSED' : 'FAILED'}: run ${name} ${execution.status}${fault !== undefined ? ` (fault ${fault}: ${FAULTS[fault]})` : ''}`,
    ...(failure !== undefined ? [`  failed at: ${failure}`] : []),
    `  states run ${counts.states} (history in execution-history.tsv); Lambda invocations ${counts.lambdaInvocations} (${[...byFunction.entries()].map(([f, n]) => `${f} ${n}`).join(', ')})`,
    `  records evaluated ${ctx.records} per dev set; prediction rows written ${counts.predictionRows} (errors ${counts.rowErrors}); summary rows ${summaryRows}; partitions registered ${partitions}`,
    `  endpoint requests ${runtime.stats.requests} (throttled ${runtime.stats.throttled}, 5xx ${runtime.stats.serverErrors}); SageMaker resources created ${fates.filter((f) => f.created !== undefined).length}, deleted ${fates.filter((f) => f.deleted !== undefined).length}, left ${fates.filter((f) => f.left).length}`,
    ...ruleInvocations.map((r) => `  ${describeInvocation(r)}`),
    ...(sweep !== undefined ? [`  sweep: ${sweep}`] : []),
    `  wall time ${wall.toFixed(1)} s; output in ${ctx.outDir} (bucket/, execution-history.tsv, resources.txt, report.html, cli/, lambda-logs.jsonl)`,
    '',
    table,
    'Checks:',
    ...checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`),
    '',
  ].join('\n');
  fs.writeFileSync(path.join(ctx.outDir, 'summary.txt'), summary);
  return {
    ok,
    executionName: name,
    status: execution.status,
    error: execution.error,
    cause: execution.cause,
    failure,
    checks,
    fates,
    summary,
    outDir: ctx.outDir,
    commands,
    ruleInvocations,
    counts,
  };
}

function startProgressLine(
  ctx: Context,
  execution: LocalExecution,
  progress: () => { state: string; states: number },
  lambda: LambdaRuntime,
  runtime: StandIn,
): NodeJS.Timeout {
  const timer = setInterval(() => {
    if (ctx.progressLine !== true) return;
    const seconds = ((Date.now() - ctx.started.getTime()) / 1000).toFixed(0);
    const p = progress();
    const line = `rehearse ${seconds}s | ${execution.status} | ${p.state.slice(0, 40)} | states ${p.states} | lambdas ${lambda.invocations.length} | requests ${runtime.stats.requests}`;
    process.stderr.write(`\r${line.padEnd(110).slice(0, 110)}`);
  }, 250);
  timer.unref();
  return timer;
}

function dataBucket(assembly: CloudAssembly): string {
  for (const name of Object.keys(assembly.stacks)) {
    if (assembly.stacks[name].template.Outputs?.DataBucketName !== undefined) return assembly.output(name, 'DataBucketName');
  }
  throw new RehearsalError('no stack has a DataBucketName output');
}

async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key);
    token = page.NextContinuationToken;
  } while (token !== undefined);
  return keys;
}

async function copyBucket(s3: S3Client, bucket: string, dir: string): Promise<string[]> {
  const keys = await listKeys(s3, bucket, '');
  for (const key of keys) {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const file = path.join(dir, ...key.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, await object.Body!.transformToByteArray());
  }
  return keys;
}

function countLines(file: string): number {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '').length;
}

function countRows(dir: string, keys: readonly string[]): { rows: number; errors: number; byModel: Record<string, number> } {
  let rows = 0;
  let errors = 0;
  const byModel: Record<string, number> = {};
  for (const key of keys) {
    for (const line of fs.readFileSync(path.join(dir, key), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const row = JSON.parse(line) as { error?: string | null; model?: string; dataset?: string };
      rows += 1;
      if (row.error !== null && row.error !== undefined) errors += 1;
      const k = `${row.dataset ?? '?'}/${row.model ?? '?'}`;
      byModel[k] = (byModel[k] ?? 0) + 1;
    }
  }
  return { rows, errors, byModel };
}

async function countPartitions(assembly: CloudAssembly, glue: GlueClient, runId: string): Promise<number> {
  let n = 0;
  for (const { stack, resource } of assembly.resourcesOfType('AWS::Glue::Table')) {
    const p = assembly.resolve(stack, resource.Properties ?? {}) as { DatabaseName: string; TableInput: { Name: string } };
    const result = await glue.send(new GetPartitionsCommand({ DatabaseName: p.DatabaseName, TableName: p.TableInput.Name })).catch(() => undefined);
    n += (result?.Partitions ?? []).filter((part) => part.Values?.[0] === runId).length;
  }
  return n;
}

/** One line of the summary for a delivery of an EventBridge rule (the janitor workflow, a Lambda target). */
export function describeInvocation(r: RuleInvocation): string {
  if (r.kind === 'state-machine') {
    const e = r.execution;
    const head = `${r.target} (state machine, started by EventBridge rule): ${e === undefined ? `not started: ${r.error ?? '?'}` : `execution ${e.name} ${e.status}`}`;
    if (e !== undefined && !r.ok) return `${head}: ${r.error ?? ''}`.slice(0, 800);
    // The janitor workflow's output holds its last pass (ids and counts only).
    const last = (r.result as { last?: unknown; pass?: number } | undefined)?.last;
    return last !== undefined ? `${head} after ${((r.result as { pass?: number }).pass ?? 0) + 1} pass(es): ${JSON.stringify(last)}` : head;
  }
  return `${r.target} (Lambda, EventBridge rule): ${r.ok ? 'ok' : `failed: ${r.error}`} after ${r.attempts} attempt(s)${r.ok ? `: ${JSON.stringify(r.result)}` : ''}`;
}

/**
 * The message of an execution's cause, alone or after the run's own words (its failure note says
 * `Aggregate (run …) failed: {…}`, `Fine-tune (training job …) failed: {…}`): a Lambda error payload's
 * `errorMessage`; a failed training job's description as `training job <name>: <FailureReason>`;
 * otherwise the cause itself. The embedded
 * description need not be valid JSON once `States.Format` has put it in a sentence (a hyperparameter
 * holding quotes loses its escapes), so the two fields are also read by pattern.
 */
export function causeMessage(cause: string): string {
  const start = cause.indexOf('{');
  if (start < 0) return cause;
  try {
    const payload = JSON.parse(cause.slice(start)) as { errorMessage?: string; FailureReason?: string; TrainingJobName?: string };
    if (typeof payload.errorMessage === 'string') return payload.errorMessage;
    if (typeof payload.FailureReason === 'string') return `training job ${payload.TrainingJobName ?? '?'}: ${payload.FailureReason}`;
  } catch {
    const field = (name: string): string | undefined => {
      const m = new RegExp(`"${name}":"((?:[^"\\\\]|\\\\.)*)"`).exec(cause);
      return m === null ? undefined : m[1];
    };
    const reason = field('FailureReason');
    if (reason !== undefined) return `training job ${field('TrainingJobName') ?? '?'}: ${reason}`;
  }
  return cause;
}

/** Where an execution failed: the state whose failure ended it, and the error with its message. */
export function failureOf(execution: LocalExecution): string | undefined {
  if (execution.status !== 'FAILED') return undefined;
  // The first state that failed with the run's error is where it came from (catches and the final Fail state re-raise it).
  const failed = execution.history.find((e) => e.type === 'StateFailed' && e.error === execution.error);
  const message = causeMessage(execution.cause ?? '');
  return `state "${failed?.stateName ?? '?'}"${failed?.scope !== undefined ? ` (${failed.scope})` : ''}: ${execution.error ?? '?'}: ${message.slice(0, 600)}`;
}

/** A custom resource created at deploy: its user handlers (provider framework) and physical id. */
interface CustomResource {
  readonly id: string;
  readonly onEvent: string;
  readonly isComplete?: string;
  readonly properties: Record<string, unknown>;
  readonly physicalId: string;
}

/**
 * Runs each provider-backed custom resource's Create, as CloudFormation and the aws-cdk-lib provider
 * framework do at deploy: the framework's onEvent function names the user handlers in its
 * environment (`USER_ON_EVENT_FUNCTION_ARN`, `USER_IS_COMPLETE_FUNCTION_ARN`).
 */
async function createCustomResources(assembly: CloudAssembly, lambda: LambdaRuntime): Promise<CustomResource[]> {
  const created: CustomResource[] = [];
  for (const stack of Object.values(assembly.stacks)) {
    for (const [logicalId, resource] of Object.entries(stack.template.Resources)) {
      if (!resource.Type.startsWith('Custom::') && resource.Type !== 'AWS::CloudFormation::CustomResource') continue;
      const props = assembly.resolve(stack.name, resource.Properties ?? {}) as Record<string, unknown>;
      const framework = lambda.find(String(props.ServiceToken));
      const onEvent = framework?.environment.USER_ON_EVENT_FUNCTION_ARN;
      if (onEvent === undefined) continue;
      const request = { RequestType: 'Create', LogicalResourceId: logicalId, ResourceType: resource.Type, ResourceProperties: props, StackId: stack.name };
      const response = (await lambda.invoke(onEvent, request)) as { PhysicalResourceId?: string };
      created.push({
        id: `${stack.name}/${logicalId}`,
        onEvent,
        isComplete: framework?.environment.USER_IS_COMPLETE_FUNCTION_ARN,
        properties: props,
        physicalId: response.PhysicalResourceId ?? logicalId,
      });
    }
  }
  return created;
}

/** Runs each custom resource's Delete (onEvent, then isComplete until complete), as `cdk destroy` does. */
async function deleteCustomResources(resources: readonly CustomResource[], lambda: LambdaRuntime): Promise<string> {
  const outcomes: string[] = [];
  for (const r of resources) {
    const request = { RequestType: 'Delete', PhysicalResourceId: r.physicalId, ResourceProperties: r.properties };
    await lambda.invoke(r.onEvent, request);
    let polls = 0;
    let complete = r.isComplete === undefined;
    while (!complete && polls < 60) {
      polls += 1;
      await new Promise((resolve) => setTimeout(resolve, scaledMs(60)));
      complete = ((await lambda.invoke(r.isComplete!, request)) as { IsComplete?: boolean }).IsComplete === true;
    }
    outcomes.push(`${r.id} ${complete ? `deleted after ${polls} isComplete poll(s)` : `NOT complete after ${polls} polls`}`);
  }
  return outcomes.join('; ');
}

interface CheckInput {
  readonly fault?: FaultName;
  readonly execution: LocalExecution;
  readonly aborted: boolean;
  readonly records: number;
  readonly rowStats: { rows: number; errors: number; byModel: Record<string, number> };
  readonly fates: readonly ResourceFate[];
  readonly finalStatus: string;
  readonly reportCode?: number;
  readonly runsCode: number;
  readonly runsOutput: string;
  readonly runId: string;
  readonly ruleInvocations: readonly RuleInvocation[];
  readonly sweep?: string;
  readonly throttled: number;
  readonly failure?: string;
}

/** Rows a successful run writes per record and set: both models and every baseline. */
const ROW_SOURCES = MODEL_ORDER.length;

function evaluateChecks(input: CheckInput): RehearsalCheck[] {
  const checks: RehearsalCheck[] = [];
  const check = (name: string, ok: boolean, detail: string): void => void checks.push({ name, ok, detail });
  const { execution, fault } = input;
  const expectedStatus = fault === 'training-fails' || fault === 'endpoint-fails' ? 'FAILED' : fault === 'abort' ? 'ABORTED' : 'SUCCEEDED';
  check(
    'execution status',
    execution.status === expectedStatus,
    `${execution.status}${execution.status !== expectedStatus ? `, expected ${expectedStatus}${input.failure !== undefined ? `; ${input.failure}` : ''}` : ''}`,
  );
  if (fault === 'training-fails')
    check(
      'error of the failed training',
      execution.error === 'States.TaskFailed' && /AlgorithmError/.test(execution.cause ?? ''),
      `${execution.error}: ${(execution.cause ?? '').slice(0, 120)}`,
    );
  if (fault === 'endpoint-fails')
    check(
      'error of the failed endpoint',
      execution.error === 'EndpointFailed' && /ping health check/.test(execution.cause ?? ''),
      `${execution.error}: ${execution.cause ?? ''}`,
    );
  if (fault === 'abort')
    check('stopped mid-run', input.aborted, input.aborted ? 'StopExecution while an endpoint was InService' : 'the run ended before an endpoint was InService');
  if (execution.status === 'SUCCEEDED') {
    const expected = input.records * 2 * ROW_SOURCES;
    check(
      'prediction rows',
      input.rowStats.rows === expected,
      `${input.rowStats.rows} of ${expected} (${input.records} records × 2 sets × ${ROW_SOURCES} models and baselines)`,
    );
    check('rows with an error', input.rowStats.errors === 0, `${input.rowStats.errors}`);
    check('report --html', input.reportCode === 0, `exit ${input.reportCode ?? 'not run'}`);
    check(
      'runs lists the run',
      input.runsCode === 0 && input.runsOutput.includes(input.runId),
      `exit ${input.runsCode}${input.runsOutput.includes(input.runId) ? '' : `; ${input.runId} not listed`}`,
    );
  }
  if (fault === 'throttled-evaluation')
    check('throttling injected', input.throttled > 0, `${input.throttled} requests throttled or failed with 5xx, all retried`);
  if (execution.status === 'FAILED' || execution.status === 'ABORTED') {
    const janitor = input.ruleInvocations;
    check(
      'janitor ran on the ended run',
      janitor.length > 0 && janitor.every((j) => j.ok),
      janitor
        .map((j) => `${j.target}: ${j.ok ? (j.execution !== undefined ? `execution ${j.execution.name} ${j.execution.status}` : 'ok') : j.error}`)
        .join('; ') || 'not invoked',
    );
  }
  if (fault === 'destroy') {
    const kept = input.fates.some((f) => f.kind === 'endpoint' && f.name.endsWith('-ft') && f.deleted?.by === 'sweep');
    check('sweep deleted the kept endpoint', kept, input.sweep ?? 'no sweep');
  }
  const left = input.fates.filter((f) => f.left);
  check(
    'nothing left running',
    left.length === 0,
    left.length === 0 ? 'every endpoint, config and model deleted, no training job running' : left.map((f) => `${f.kind} ${f.name} (${f.status})`).join(', '),
  );
  // `status` against the real (local) execution: every field it shows must be known.
  const unknown = input.finalStatus.split('\n').filter((line) => /(^|[\s(/])\?($|[\s,;)])/.test(line));
  check(
    'status shows the run',
    input.finalStatus.includes(`run ${execution.name}: ${execution.status}`) && unknown.length === 0,
    unknown.length === 0 ? `run ${execution.name}: ${execution.status}` : `fields shown as "?": ${unknown.map((l) => l.trim()).join(' | ')}`,
  );
  return checks;
}
