/**
 * `impressions rehearse` end to end, as CI runs it: the app synthesized once (bundles included),
 * then the happy path, a training failure, throttled evaluation and an aborted run, each a full
 * rehearsal (moto server, local stand-ins, the real Lambda bundles, the CLI in its own processes).
 * Two deliberate contract breaks between pieces (a renamed field in a handler's output, a changed
 * S3 key) must fail the rehearsal with a message naming the state and the field or key.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudAssembly } from '../../../lib/local/cloud-assembly';
import { runRehearsal, synthesizeForRehearsal, type FaultName, type RehearsalOutcome } from '../../../lib/local/rehearsal';

const PROJECT = path.join(__dirname, '..', '..', '..');
const RECORDS = 2;
let tmp: string;
let assemblyDir: string;
const outcomes: Record<string, RehearsalOutcome> = {};

// The rehearsals mostly wait (timers, child processes), so they run side by side to keep CI short.
beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearse-test-'));
  assemblyDir = await synthesizeForRehearsal(PROJECT, path.join(tmp, 'cdk.out'), RECORDS, path.join(tmp, 'synth.log'));
  const renamedField = breakAssembly('renamed-field', 'plan-evaluation', (code) => code.replace(/manifestKey:/g, 'manifestUri:'));
  const changedKey = breakAssembly('changed-key', 'aggregate', (code) => code.split('"prediction_data/predictions/"').join('"prediction_data/prediction/"'));
  const runs: [string, FaultName | undefined, string][] = [
    ['happy', undefined, assemblyDir],
    ['training-fails', 'training-fails', assemblyDir],
    ['throttled', 'throttled-evaluation', assemblyDir],
    ['abort', 'abort', assemblyDir],
    ['renamed-field', undefined, renamedField],
    ['changed-key', undefined, changedKey],
  ];
  await Promise.all(
    runs.map(async ([name, fault, assembly]) => {
      outcomes[name] = await rehearse(name, fault, assembly);
    }),
  );
}, 600_000);

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function rehearse(name: string, fault?: FaultName, assembly = assemblyDir): Promise<RehearsalOutcome> {
  const lines: string[] = [];
  const outcome = await runRehearsal({
    records: RECORDS,
    fault,
    outDir: path.join(tmp, name),
    projectDir: PROJECT,
    assemblyDir: assembly,
    log: (l) => lines.push(l),
  });
  return outcome;
}

/** Every check passes, `status` against the real execution included (it once printed `aggregation ?`, a field nothing produced). */
function expectChecksPass(outcome: RehearsalOutcome): void {
  expect(outcome.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`)).toEqual([]);
}

/** The processes the rehearsal started are gone. */
function expectNothingRunning(outcome: RehearsalOutcome): void {
  expect(outcome.commands.every((c) => c.code >= 0)).toBe(true);
  expect(outcome.fates.filter((f) => f.left)).toEqual([]);
}

function readOut(outcome: RehearsalOutcome, file: string): string {
  return fs.readFileSync(path.join(outcome.outDir, file), 'utf8');
}

describe('impressions rehearse', () => {
  test('happy path: the run succeeds on both dev sets; rows, summary, partitions, report, runs and status from the real pieces', async () => {
    const outcome = outcomes.happy;
    expect(outcome.status).toBe('SUCCEEDED');
    expectChecksPass(outcome);
    expectNothingRunning(outcome);
    // Every record of both sets for both models and the three baselines, none with an error.
    expect(outcome.counts.predictionRows).toBe(RECORDS * 2 * 5);
    expect(outcome.counts.rowErrors).toBe(0);
    // 2 sets × 5 sources × (4 ROUGE + 3 agreement) summary rows; 10 prediction partitions + 1 summary partition in Glue.
    expect(outcome.counts.summaryRows).toBe(2 * 5 * 7);
    expect(outcome.counts.partitions).toBe(11);
    // The CLI as a user runs it, each command in its own process.
    expect(outcome.commands.map((c) => c.args[0])).toEqual(['prepare', 'upload', 'run', 'status', 'status', 'report', 'runs']);
    expect(outcome.commands.filter((c) => c.args[0] !== 'status').every((c) => c.code === 0)).toBe(true);
    const runs = fs.readFileSync(outcome.commands[6].log, 'utf8');
    expect(runs).toContain(outcome.executionName);
    expect(runs).toMatch(/dev1 +2 +0 /);
    // Output folder: the bucket under its real key layout, the history, the report, the summary.
    const bucket = path.join(outcome.outDir, 'bucket');
    expect(fs.existsSync(path.join(bucket, 'eval_data', 'dev1.jsonl'))).toBe(true);
    expect(fs.existsSync(path.join(bucket, 'runs', outcome.executionName!, 'run-summary.json'))).toBe(true);
    expect(fs.existsSync(path.join(bucket, 'runs', outcome.executionName!, 'evaluation', 'pretrained', 'shards.jsonl'))).toBe(true);
    expect(fs.existsSync(path.join(bucket, 'prediction_data', 'summary', `run_id=${outcome.executionName}`, 'summary.jsonl'))).toBe(true);
    expect(readOut(outcome, 'report.html')).toContain('<html');
    const history = readOut(outcome, 'execution-history.tsv').split('\n');
    expect(history[0]).toBe('state\tscope\tentered\texited\tduration_ms\terror');
    expect(history.some((l) => /evaluate shard\t.+ #\d+\t/.test(l))).toBe(true);
    expect(readOut(outcome, 'summary.txt')).toContain('What was created / what was deleted / what is left');
    // Both endpoints were created and deleted by the state machine itself.
    const endpoints = outcome.fates.filter((f) => f.kind === 'endpoint');
    expect(endpoints).toHaveLength(2);
    expect(endpoints.every((f) => f.created?.by === 'state machine' && f.deleted?.by === 'state machine')).toBe(true);
    // The fine-tuned stand-in "learned" part of the references: it scores above the pretrained one.
    const summary = readOut(outcome, `bucket/prediction_data/summary/run_id=${outcome.executionName}/summary.jsonl`)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { dataset: string; model: string; metric: string; mean: number });
    const mean = (model: string): number => summary.filter((s) => s.model === model && s.metric === 'rouge1').reduce((a, s) => a + s.mean, 0);
    expect(mean('fine-tuned')).toBeGreaterThanOrEqual(mean('pretrained'));
  });

  test('training fails: the run fails with the training error, the pretrained hosting is deleted, the janitor finds nothing left', async () => {
    const outcome = outcomes['training-fails'];
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('States.TaskFailed');
    expect(outcome.failure).toMatch(/^state "training: fine-tune": States\.TaskFailed: training job impressions-.+-train: AlgorithmError/);
    expectChecksPass(outcome);
    expectNothingRunning(outcome);
    // EventBridge started the janitor workflow (a state machine target) with the failed run; its one pass found the run had cleaned up.
    expect(outcome.ruleInvocations).toEqual([
      expect.objectContaining({
        kind: 'state-machine',
        ok: true,
        execution: expect.objectContaining({ status: 'SUCCEEDED' }),
        result: expect.objectContaining({
          execution: expect.objectContaining({ status: 'FAILED' }),
          last: expect.objectContaining({ action: 'skipped', done: true, remaining: [] }),
        }),
      }),
    ]);
    expect(outcome.fates.some((f) => f.name.endsWith('-ft'))).toBe(false);
  });

  test('throttled evaluation: 10 % 429 and 1 % 5xx are retried by the evaluate Lambda; no row is lost', async () => {
    const outcome = outcomes.throttled;
    expect(outcome.status).toBe('SUCCEEDED');
    expectChecksPass(outcome);
    expect(outcome.counts.throttled + outcome.counts.serverErrors).toBeGreaterThan(0);
    expect(outcome.counts.predictionRows).toBe(RECORDS * 2 * 5);
    expect(outcome.counts.rowErrors).toBe(0);
  });

  test('abort mid-run: the execution is ABORTED, the running training job is stopped, the janitor deletes the rest', async () => {
    const outcome = outcomes.abort;
    expect(outcome.status).toBe('ABORTED');
    expectChecksPass(outcome);
    expectNothingRunning(outcome);
    const janitor = outcome.ruleInvocations;
    expect(janitor).toHaveLength(1);
    expect(janitor[0]).toMatchObject({ kind: 'state-machine', ok: true, execution: { status: 'SUCCEEDED' } });
    expect(janitor[0].result).toMatchObject({ execution: { status: 'ABORTED' }, last: { action: 'cleaning', done: true, remaining: [] } });
    // What the run had created is gone, deleted by the janitor (the state machine's own clean-up never ran).
    const hosting = outcome.fates.filter((f) => f.kind !== 'training-job');
    expect(hosting.length).toBeGreaterThan(0);
    expect(hosting.every((f) => f.deleted?.by === 'janitor')).toBe(true);
    expect(readOut(outcome, 'resources.txt')).toMatch(/by janitor/);
  });

  test('a renamed field in a handler output fails the rehearsal naming the state and the field', async () => {
    const outcome = outcomes['renamed-field'];
    expect(outcome.ok).toBe(false);
    expect(outcome.status).toBe('FAILED');
    expect(outcome.failure).toMatch(/^state "[a-z-]+: plan shards": States\.Runtime: .*\$\.manifestKey/);
    expect(outcome.checks.find((c) => c.name === 'execution status')?.detail).toContain('plan shards');
    // States.Runtime is not caught by the run's Catch: the janitor (FAILED execution) is what cleans up.
    expectNothingRunning(outcome);
  });

  test('a changed S3 key between two pieces fails the rehearsal naming the state and the key', async () => {
    const outcome = outcomes['changed-key'];
    expect(outcome.ok).toBe(false);
    expect(outcome.status).toBe('FAILED');
    expect(outcome.failure).toMatch(/^state "Aggregate results": Error: run .+: no prediction part files under prediction_data\/prediction\/run_id=/);
    expectNothingRunning(outcome);
  });
});

/** A copy of the synthesized assembly with one function's bundle changed by `patch` (which must change it). */
function breakAssembly(name: string, service: string, patch: (code: string) => string): string {
  const dir = path.join(tmp, `assembly-${name}`);
  fs.cpSync(assemblyDir, dir, { recursive: true });
  const fn = CloudAssembly.load(dir)
    .functions()
    .find((f) => f.environment.POWERTOOLS_SERVICE_NAME === service);
  if (fn === undefined) throw new Error(`no ${service} function in the assembly`);
  const file = path.join(fn.bundleDir, 'index.js');
  const code = fs.readFileSync(file, 'utf8');
  const changed = patch(code);
  if (changed === code) throw new Error(`the patch changed nothing in ${service}'s bundle`);
  fs.writeFileSync(file, changed);
  return dir;
}
