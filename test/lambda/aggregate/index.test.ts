import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { DescribeTrainingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { Uint8ArrayBlobAdapter } from '@smithy/core/serde';
import { mockClient } from 'aws-sdk-client-mock';
import { aggregate, runMetrics } from '../../../lambda/aggregate';
import { evaluate } from '../../../lambda/evaluate';
import type { SummaryRow } from '../../../lib/core/run/contracts';
import { standInClient, startStandIn } from '../../../lib/local/sagemaker-runtime';
import { dev2, indiana, memoryBucket, readJsonl, setEvaluationEnv, shardOf } from '../../helpers/evaluation-bucket';

beforeEach(setEvaluationEnv);

/** An EMF document as Powertools writes it (only the fields the tests read are typed). */
interface EmfDocument {
  _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [member: string]: unknown;
}

/** Captures what is written to stdout (Powertools Metrics writes its EMF lines there, through its own Console). */
function captureEmf(): { documents: () => EmfDocument[]; restore: () => void } {
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  return {
    documents: () =>
      written
        .join('')
        .split('\n')
        .filter((line) => line.includes('"_aws"'))
        .map((line) => JSON.parse(line) as EmfDocument),
    restore: () => spy.mockRestore(),
  };
}

describe('aggregate', () => {
  it('reads every part, writes summary rows and run summary, publishes mean metrics', async () => {
    const store = memoryBucket({ 'eval_data/dev2.jsonl': dev2 });
    const runtime = new SageMakerRuntimeClient({ region: 'us-east-1' });
    mockClient(runtime)
      .on(InvokeEndpointCommand)
      .resolves({ Body: Uint8ArrayBlobAdapter.fromString('[{"generated_text":"No acute cardiopulmonary abnormality."}]') });
    for (const model of ['pretrained', 'fine-tuned', 'baseline-normal'] as const) await evaluate(shardOf(model), { s3: store.client, runtime });
    const emf = captureEmf();
    const result = await aggregate(
      {
        runId: 'run-7',
        usage: {
          training: { instanceType: 'ml.p3.16xlarge', billableSeconds: 3600 },
          endpoints: [
            { model: 'pretrained', instanceType: 'ml.g5.2xlarge', inServiceAt: '2025-01-01T00:00:00Z', deletedAt: '2025-01-01T02:00:00Z', kept: false },
            { model: 'fine-tuned', instanceType: 'ml.g5.2xlarge', inServiceAt: '2025-01-01T02:30:00Z', deletedAt: '2025-01-01T03:30:00Z', kept: true },
          ],
        },
      },
      { s3: store.client, metrics: runMetrics('RadiologyImpressions') },
      new Date('2025-01-01T03:00:00Z'),
    ).finally(() => emf.restore());
    expect(result).toEqual({
      runId: 'run-7',
      summaryKey: 'prediction_data/summary/run_id=run-7/summary.jsonl',
      runSummaryKey: 'runs/run-7/run-summary.json',
      // 3 models × (4 ROUGE + 3 agreement rows).
      partFiles: 3,
      rows: 39,
      errors: 3,
      // The bad record is an error row of every model: 1 of 13 (7.7 %), above 1 %.
      errorReport: {
        maxErrorRate: 0.01,
        byDatasetAndModel: ['pretrained', 'fine-tuned', 'baseline-normal'].map((model) => ({
          dataset: 'dev2',
          model,
          rows: 13,
          errors: 1,
          errorRate: 1 / 13,
          trustworthy: false,
        })),
        trustworthy: false,
      },
      metricsPublished: 21,
      costUsd: 28.152 + 2 * 1.515 + 1.515,
    });
    const summary = readJsonl<SummaryRow>(store.objects.get(result.summaryKey)!);
    expect(summary.map((s) => s.model).filter((m, i, a) => a.indexOf(m) === i)).toEqual(['pretrained', 'fine-tuned', 'baseline-normal']);
    expect(summary[0]).toMatchObject({ run_id: 'run-7', dataset: 'dev2', metric: 'rouge1', count: 13, errors: 1 });
    const runSummary = JSON.parse(store.objects.get(result.runSummaryKey)!);
    expect(runSummary.scoring.stemmer).toBe(false);
    expect(runSummary.cost.lines.map((l: { item: string; seconds: number }) => [l.item, l.seconds])).toEqual([
      ['training', 3600],
      ['endpoint pretrained', 7200],
      ['endpoint fine-tuned (kept running: billed until deleted)', 3600],
    ]);
    expect(runSummary.pairedDifferences).toHaveLength(4);
    expect(runSummary.pairedDifferences[0]).toMatchObject({ dataset: 'dev2', metric: 'rouge1', pairs: 12, difference: 0 });
    // Agreement rows from the labels the evaluate step stored: 12 labelled records, the bad one an error.
    expect(summary.filter((s) => s.model === 'fine-tuned' && s.metric.startsWith('chexpert_'))).toEqual([
      expect.objectContaining({ metric: 'chexpert_micro_f1_13', count: 12, errors: 1, std: null }),
      expect.objectContaining({ metric: 'chexpert_macro_f1_14', count: 12, errors: 1 }),
      expect.objectContaining({ metric: 'chexpert_micro_f1_14', count: 12, errors: 1 }),
    ]);
    expect(runSummary.pairedAgreement).toEqual([expect.objectContaining({ dataset: 'dev2', metric: 'chexpert_micro_f1_13', pairs: 12, difference: 0 })]);
    // One embedded-metric-format line per figure (EMF specification: _aws.CloudWatchMetrics directives,
    // the dimension and metric values as root members), no PutMetricData call.
    const lines = emf.documents();
    expect(lines).toHaveLength(21);
    for (const line of lines) {
      expect(line._aws.Timestamp).toBe(Date.parse('2025-01-01T03:00:00Z'));
      expect(line._aws.CloudWatchMetrics).toEqual([
        { Namespace: 'RadiologyImpressions', Dimensions: [['Run', 'Dataset', 'Model', 'Metric']], Metrics: [{ Name: expect.any(String), Unit: 'None' }] },
      ]);
      // Only the documented dimensions: no `service` dimension that would make it another metric.
      expect(Object.keys(line).sort()).toEqual(['Dataset', 'Metric', 'Model', 'Run', '_aws', line._aws.CloudWatchMetrics[0].Metrics[0].Name].sort());
    }
    // 3 models × 4 ROUGE means, 3 models × 3 agreement figures.
    expect(lines.filter((l) => 'MeanF' in l)).toHaveLength(12);
    expect(lines.filter((l) => 'AgreementF1' in l).map((l) => l.Metric)).toEqual(summary.filter((r) => r.metric.startsWith('chexpert_')).map((r) => r.metric));
    const agreementRow = summary.find((r) => r.metric === 'chexpert_micro_f1_13')!;
    expect(lines.find((l) => l.Metric === 'chexpert_micro_f1_13')).toMatchObject({ AgreementF1: agreementRow.mean });
    expect(lines[0]).toMatchObject({ Run: 'run-7', Dataset: 'dev2', Model: 'pretrained', Metric: 'rouge1', MeanF: summary[0].mean });
  });
  it("reads the training job's billable seconds when no usage is given", async () => {
    const store = memoryBucket({ 'eval_data/dev2.jsonl': dev2 });
    await evaluate(shardOf('baseline-normal'), { s3: store.client, runtime: new SageMakerRuntimeClient({ region: 'us-east-1' }) });
    const metrics = runMetrics('RadiologyImpressions');
    const emf = captureEmf();
    const sagemaker = new SageMakerClient({ region: 'us-east-1' });
    const sm = mockClient(sagemaker);
    sm.on(DescribeTrainingJobCommand).resolves({
      BillableTimeInSeconds: 7200,
      ResourceConfig: { InstanceType: 'ml.p3.16xlarge', InstanceCount: 1, VolumeSizeInGB: 300 },
    } as never);
    const result = await aggregate({ runId: 'run-7', training: { trainingJobName: 'impressions-run-7-train' } }, { s3: store.client, metrics, sagemaker });
    expect(sm.commandCalls(DescribeTrainingJobCommand)[0].args[0].input).toEqual({ TrainingJobName: 'impressions-run-7-train' });
    expect(result.costUsd).toBeCloseTo(2 * 28.152, 10);
    const skipped = await aggregate({ runId: 'run-7', training: { trainingJobName: null } }, { s3: store.client, metrics, sagemaker }).finally(() =>
      emf.restore(),
    );
    expect(skipped.costUsd).toBe(0);
    expect(sm.commandCalls(DescribeTrainingJobCommand)).toHaveLength(1);
  });

  it('fails clearly when the run has no part files', async () => {
    const store = memoryBucket({});
    await expect(aggregate({ runId: 'run-8' }, { s3: store.client, metrics: runMetrics('RadiologyImpressions') })).rejects.toThrow(
      'run run-8: no prediction part files under prediction_data/predictions/run_id=run-8/',
    );
  });
});

describe('evaluate + aggregate under heavy faults (stand-in, 70 % of requests refused)', () => {
  it('the rows whose retries ran out are counted per model and data set, and the results are marked not trustworthy', async () => {
    const forty =
      indiana
        .slice(0, 40)
        .map((r) => JSON.stringify(r))
        .join('\n') + '\n';
    const standIn = await startStandIn({ throttleRate: 0.5, serverErrorRate: 0.2, seed: 11 });
    const emf = captureEmf();
    try {
      const store = memoryBucket({ 'eval_data/dev2.jsonl': forty });
      const evaluated = await evaluate(shardOf('fine-tuned', 'dev2', 0, 40), { s3: store.client, runtime: standInClient(standIn) });
      expect(evaluated.errors).toBeGreaterThan(0);
      const result = await aggregate({ runId: 'run-7' }, { s3: store.client, metrics: runMetrics('RadiologyImpressions') });
      expect(result.errorReport).toEqual({
        maxErrorRate: 0.01,
        byDatasetAndModel: [{ dataset: 'dev2', model: 'fine-tuned', rows: 40, errors: evaluated.errors, errorRate: evaluated.errors / 40, trustworthy: false }],
        trustworthy: false,
      });
      const runSummary = JSON.parse(store.objects.get(result.runSummaryKey)!);
      expect(runSummary.errors).toEqual(result.errorReport);
    } finally {
      emf.restore();
      await standIn.close();
    }
  });
});
