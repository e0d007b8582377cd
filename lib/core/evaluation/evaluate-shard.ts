/**
 * Evaluates one shard: for each record, writes the impression (endpoint or baseline), scores it,
 * and builds its row. The endpoint call is injected (`invoke`), so this module needs no AWS SDK and
 * runs the same against SageMaker, a local stand-in or a fake. It logs nothing.
 */
import type { PredictionRow } from '../run/contracts';
import { baselineImpression, isBaseline } from './baselines';
import { buildRequest, parseResponse, type EndpointRequest, type GenerationSettings } from './payload';
import { mapPool } from './pool';
import { renderPrompt } from './prompt';
import type { ReadRecord } from '../eval-record';
import { PROMPT_LIMIT_BYTES, sizeProblem } from './record-limits';
import { describeFailure, withRetries, type RetryPolicy, type Sleep } from './retry';
import { failedRow, invalidRecordRow, scoredRow, type RougeFn, type RowContext } from './rows';
import type { ShardItem } from './shards';

/** Sends one request to the endpoint and returns the response body as text. */
export type InvokeFn = (endpointName: string, request: EndpointRequest) => Promise<string>;

/** What evaluating a shard needs besides the shard. */
export interface ShardDependencies {
  readonly invoke: InvokeFn;
  readonly rouge: RougeFn;
  readonly promptTemplate: string;
  readonly generation: GenerationSettings;
  /** Requests in flight at once for this shard. */
  readonly concurrency: number;
  readonly retry: RetryPolicy;
  readonly sleep?: Sleep;
  readonly random?: () => number;
  /** Monotonic milliseconds, for latency. */
  readonly clock?: () => number;
  /** Row time stamp. */
  readonly now?: () => Date;
}

/** Counts of one shard (ids and numbers only: safe to log and return). */
export interface ShardCounts {
  readonly rows: number;
  readonly scored: number;
  readonly errors: number;
  /** Records that could not be read, were over a size limit, or had a prompt too large to send (record-limits.ts). */
  readonly invalidRecords: number;
  /** Endpoint calls that failed and were retried. */
  readonly retries: number;
  /** Records whose endpoint call failed with a transient error after every attempt. */
  readonly exhaustedRetries: number;
}

/** The shard's rows (in record order) and counts. */
export interface ShardResult {
  readonly rows: PredictionRow[];
  readonly counts: ShardCounts;
}

/**
 * Evaluates records `[item.start, item.end)` taken from `records` (the whole file's records, as
 * numbered by `splitRecordLines`). Endpoint and parse failures become rows with errors, and so does a
 * prompt over PROMPT_LIMIT_BYTES (not sent, no text in its row); only a bug or a bad shard item throws.
 * @throws Error when the shard's range lies outside the file or an endpoint shard lacks its endpoint.
 */
export async function evaluateShard(item: ShardItem, records: readonly ReadRecord[], deps: ShardDependencies): Promise<ShardResult> {
  if (item.start < 0 || item.end > records.length || item.start > item.end) {
    throw new Error(
      `shard ${item.dataset}/${item.model}/${item.shardIndex}: records [${item.start}, ${item.end}) are outside the file's ${records.length} records`,
    );
  }
  const baseline = isBaseline(item.model);
  if (!baseline && (item.endpointName === undefined || item.contract === undefined)) {
    throw new Error(`shard ${item.dataset}/${item.model}/${item.shardIndex}: endpoint shards need endpointName and contract`);
  }
  const clock = deps.clock ?? (() => performance.now());
  const createdAt = (deps.now ?? (() => new Date()))().toISOString();
  const ctx: RowContext = {
    runId: item.runId,
    dataset: item.dataset,
    dataSource: item.dataSource,
    model: item.model,
    modelVersion: item.modelVersion,
    createdAt,
  };
  let retries = 0;
  let exhausted = 0;
  let unsent = 0;
  const slice = records.slice(item.start, item.end);

  const rows = await mapPool(slice, baseline ? 1 : deps.concurrency, async (read): Promise<PredictionRow> => {
    if (!read.ok) return invalidRecordRow(ctx, read.invalid);
    const record = read.record;
    if (isBaseline(item.model)) return scoredRow(ctx, record, baselineImpression(item.model, record.findings), null, deps.rouge);
    const prompt = renderPrompt(deps.promptTemplate, record.findings);
    const tooLarge = sizeProblem('prompt (template with findings)', prompt, PROMPT_LIMIT_BYTES);
    if (tooLarge !== undefined) {
      unsent += 1;
      // Not sent; the row carries the error and no text, like an unreadable record.
      return invalidRecordRow(ctx, {
        index: record.index,
        studyId: record.studyId,
        error: `record ${record.index}, study_id ${record.studyId}: ${tooLarge}; not sent`,
      });
    }
    const request = buildRequest(item.contract!, prompt, deps.generation);
    let started = 0;
    let firstStarted = 0;
    const outcome = await withRetries(
      async (attempt) => {
        if (attempt > 1) retries += 1;
        started = clock();
        if (attempt === 1) firstStarted = started;
        return deps.invoke(item.endpointName!, request);
      },
      deps.retry,
      deps.sleep,
      deps.random,
    );
    // Latency of the last attempt only: the time the endpoint took, without back-off.
    const ended = clock();
    const latency = Math.round(ended - started);
    if (!outcome.ok) {
      if (outcome.retryable) exhausted += 1;
      const timing = { lastAttemptMs: ended - started, totalMs: ended - firstStarted };
      return failedRow(ctx, record, describeFailure(outcome.error, outcome.attempts, timing), latency);
    }
    const parsed = parseResponse(item.contract!, outcome.value);
    if (!parsed.ok) return failedRow(ctx, record, parsed.error, latency);
    return scoredRow(ctx, record, parsed.text, latency, deps.rouge);
  });

  const errors = rows.filter((r) => r.error !== null).length;
  return {
    rows,
    counts: {
      rows: rows.length,
      scored: rows.length - errors,
      errors,
      invalidRecords: slice.filter((r) => !r.ok).length + unsent,
      retries,
      exhaustedRetries: exhausted,
    },
  };
}
