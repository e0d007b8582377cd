/**
 * aggregate: reads every part file of a run, writes the summary rows
 * (`prediction_data/summary/run_id=<id>/summary.jsonl`) and the run summary
 * (`runs/<id>/run-summary.json`: means, paired differences, cost, stemmer setting, aggregation
 * method), and emits each summary figure as a CloudWatch metric (namespace `RadiologyImpressions`,
 * dimensions Run, Dataset, Model, Metric). Logs counts only.
 *
 * The metrics are embedded metric format lines in the function's log (Powertools for AWS Lambda
 * Metrics), which CloudWatch Logs turns into metrics: no PutMetricData call to throttle, retry or
 * grant. EMF: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import { DescribeTrainingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import {
  buildRunSummary,
  describeErrors,
  errorCounts,
  errorReport,
  estimateCost,
  EVALUATION_ENV,
  isAgreementMetric,
  mapPool,
  METRIC_NAMESPACE,
  parseAggregateEvent,
  parsePartKey,
  predictionsPrefix,
  RUN_METRIC_DIMENSIONS,
  RUN_METRIC_NAMES,
  runSummaryKey,
  secondsBetween,
  summaryKey,
  summaryRows,
  toJsonl,
  type AggregateEvent,
  type AggregateResult,
  type UsageInput,
} from '../../lib/core/evaluation';
import type { PredictionRow, SummaryRow } from '../../lib/core/run/contracts';
import { listKeys, readText, writeText } from '../../lib/aws/s3-text';
import { requiredEnv } from '../common/env';
import { parseJsonlLines } from '../../lib/core/jsonl';

const logger = new Logger();
const s3 = new S3Client({});
const sagemaker = new SageMakerClient({});
const metrics = runMetrics(process.env[EVALUATION_ENV.metricNamespace] ?? METRIC_NAMESPACE);

/**
 * A Powertools Metrics writer for the run metrics: `namespace`, and no default dimension (Powertools
 * adds a `service` dimension unless told not to, which would make each data point a different metric
 * from the one the README documents and a dashboard or alarm would read).
 */
export function runMetrics(namespace: string): Metrics {
  const writer = new Metrics({ namespace });
  writer.clearDefaultDimensions();
  return writer;
}

/** Every part key of the run, sorted (shard order, so rows come back in record order). */
export async function listPartKeys(client: S3Client, bucket: string, runId: string): Promise<string[]> {
  return (await listKeys(client, bucket, predictionsPrefix(runId))).filter((key) => parsePartKey(key) !== undefined);
}

/** Parses a part file; a bad line is an error naming the key and line (the line's text is not shown). */
export function parseRows(key: string, body: string): PredictionRow[] {
  return parseJsonlLines<PredictionRow>(body, key);
}

/** The training job's billable seconds and instances, from DescribeTrainingJob. */
export async function trainingUsage(client: SageMakerClient, trainingJobName: string): Promise<NonNullable<NonNullable<AggregateEvent['usage']>['training']>> {
  const job = await client.send(new DescribeTrainingJobCommand({ TrainingJobName: trainingJobName }));
  return {
    instanceType: job.ResourceConfig?.InstanceType ?? 'unknown',
    instanceCount: job.ResourceConfig?.InstanceCount ?? 1,
    billableSeconds: job.BillableTimeInSeconds ?? job.TrainingTimeInSeconds ?? 0,
  };
}

/** Usage lines from the event's measurements (`training` given, or read from `trainingJobName`). */
export function usageLines(event: AggregateEvent, training?: NonNullable<AggregateEvent['usage']>['training']): UsageInput[] {
  const lines: UsageInput[] = [];
  const t = event.usage?.training ?? training;
  if (t !== undefined && t !== null)
    lines.push({ item: 'training', instanceType: t.instanceType, instanceCount: t.instanceCount ?? 1, seconds: t.billableSeconds });
  for (const e of event.usage?.endpoints ?? []) {
    const item = e.kept === true ? `endpoint ${e.model} (kept running: billed until deleted)` : `endpoint ${e.model}`;
    lines.push({ item, instanceType: e.instanceType, seconds: secondsBetween(e.inServiceAt, e.deletedAt) });
  }
  return lines;
}

/** One data point of a run metric. */
export interface RunMetricDatum {
  readonly name: (typeof RUN_METRIC_NAMES)[keyof typeof RUN_METRIC_NAMES];
  readonly dimensions: { readonly [D in (typeof RUN_METRIC_DIMENSIONS)[number]]: string };
  readonly value: number;
}

/**
 * Each summary row's figure as a metric data point (rows without a mean are skipped): `MeanF` for
 * the ROUGE means, `AgreementF1` for the clinical agreement rows (AGREEMENT_METRICS).
 */
export function metricData(summary: readonly SummaryRow[]): RunMetricDatum[] {
  return summary
    .filter((s): s is SummaryRow & { mean: number } => s.mean !== null)
    .map((s) => ({
      name: isAgreementMetric(s.metric) ? RUN_METRIC_NAMES.agreementF1 : RUN_METRIC_NAMES.meanF,
      dimensions: { Run: s.run_id, Dataset: s.dataset, Model: s.model, Metric: s.metric },
      value: s.mean,
    }));
}

/**
 * Writes each data point as its own EMF line (each has its own dimension values), stamped `timestamp`.
 * Returns how many were written.
 */
export function emitMetrics(writer: Metrics, data: readonly RunMetricDatum[], timestamp: Date): number {
  for (const datum of data) {
    writer.addDimensions({ ...datum.dimensions });
    writer.addMetric(datum.name, MetricUnit.NoUnit, datum.value);
    writer.setTimestamp(timestamp);
    writer.publishStoredMetrics();
  }
  return data.length;
}

function parsePrices(): Record<string, number> {
  const raw = process.env[EVALUATION_ENV.hourlyPrices] ?? '{}';
  const parsed: unknown = JSON.parse(raw);
  if (typeof parsed !== 'object' || parsed === null || Object.values(parsed).some((v) => typeof v !== 'number')) {
    throw new Error(`environment variable ${EVALUATION_ENV.hourlyPrices} must be a JSON object of instance type to USD per hour`);
  }
  return parsed as Record<string, number>;
}

/** Aggregates a run with the given clients. */
export async function aggregate(
  raw: unknown,
  clients: { s3: S3Client; metrics: Metrics; sagemaker?: SageMakerClient },
  now = new Date(),
): Promise<AggregateResult> {
  const event = parseAggregateEvent(raw);
  const bucket = requiredEnv(EVALUATION_ENV.dataBucket);
  const runId = event.runId;
  const keys = await listPartKeys(clients.s3, bucket, runId);
  if (keys.length === 0) throw new Error(`run ${runId}: no prediction part files under ${predictionsPrefix(runId)}`);
  const parts = await mapPool(keys, 8, async (key) => parseRows(key, await readText(clients.s3, bucket, key)));
  const rows = parts.flat();
  const summary = summaryRows(runId, rows);
  const training =
    event.usage?.training === undefined && typeof event.training?.trainingJobName === 'string' && clients.sagemaker !== undefined
      ? await trainingUsage(clients.sagemaker, event.training.trainingJobName)
      : undefined;
  const cost = estimateCost(usageLines(event, training), parsePrices());
  const runSummary = buildRunSummary(runId, rows, summary, cost, now);
  const errors = runSummary.errors ?? errorReport(errorCounts(rows));
  await writeText(clients.s3, bucket, summaryKey(runId), toJsonl(summary), 'application/x-ndjson');
  await writeText(clients.s3, bucket, runSummaryKey(runId), JSON.stringify(runSummary, null, 2) + '\n', 'application/json');
  const metricsPublished = emitMetrics(clients.metrics, metricData(summary), now);
  return {
    runId,
    summaryKey: summaryKey(runId),
    runSummaryKey: runSummaryKey(runId),
    partFiles: keys.length,
    rows: rows.length,
    errors: runSummary.rows.errors,
    errorReport: errors,
    metricsPublished,
    costUsd: cost.totalUsd,
  };
}

/** Lambda entry point. */
export async function handler(event: unknown): Promise<AggregateResult> {
  logger.appendKeys({ runId: parseAggregateEvent(event).runId });
  const result = await aggregate(event, { s3, metrics, sagemaker });
  logger.info('run aggregated', { ...result });
  if (!result.errorReport.trustworthy) logger.warn('results not trustworthy', { errors: describeErrors(result.errorReport) });
  return result;
}
