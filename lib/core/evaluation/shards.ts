/**
 * Shard planning: a dataset's N records split into slices of `evalShardSize`, one Distributed Map
 * item (one evaluate Lambda invocation) each. Items carry everything the evaluate Lambda needs, so
 * the map needs no ItemSelector.
 */
import type { ModelName, PayloadContract } from '../run/contracts';
import { BASELINE_MODELS, isBaseline } from './baselines';
import { partKey } from './keys';

/** Where each evaluation set comes from (the `data_source` column). */
export const DATA_SOURCES: Readonly<Record<string, string>> = { dev1: 'mimic-cxr', dev2: 'indiana-university' };

/** The data source of a dataset name; unknown names are their own source. */
export function dataSourceOf(dataset: string): string {
  return DATA_SOURCES[dataset] ?? dataset;
}

/** One line of the shard manifest: records `[start, end)` of one dataset for one model. */
export interface ShardItem {
  readonly runId: string;
  readonly dataset: string;
  readonly dataSource: string;
  readonly model: ModelName;
  readonly modelVersion: string;
  /** `endpoint`: invoke the model; `baseline`: compute a baseline, no endpoint. */
  readonly kind: 'endpoint' | 'baseline';
  readonly shardIndex: number;
  /** First record (0-based, counting non-blank lines). */
  readonly start: number;
  /** One past the last record. */
  readonly end: number;
  readonly evalDataUri: string;
  /** Set for `endpoint` shards. */
  readonly endpointName?: string;
  /** Set for `endpoint` shards. */
  readonly contract?: PayloadContract;
  /** Where this shard's rows go (deterministic). */
  readonly partKey: string;
}

/** One dataset to plan. */
export interface PlannedDataset {
  readonly dataset: string;
  readonly evalDataUri: string;
  readonly recordCount: number;
}

/** What to plan. */
export interface ShardPlanInput {
  readonly runId: string;
  readonly model: ModelName;
  readonly modelVersion: string;
  readonly endpointName: string;
  readonly contract: PayloadContract;
  readonly datasets: readonly PlannedDataset[];
  readonly shardSize: number;
  /** Also plan the baselines (once per run, e.g. with the pretrained model). */
  readonly includeBaselines: boolean;
}

/** Ranges `[start, end)` covering `count` records in slices of `size` (the last may be shorter). */
export function shardRanges(count: number, size: number): { start: number; end: number }[] {
  if (!Number.isInteger(size) || size < 1) throw new Error(`shard size must be a whole number ≥ 1, got ${size}`);
  if (!Number.isInteger(count) || count < 0) throw new Error(`record count must be a whole number ≥ 0, got ${count}`);
  const ranges: { start: number; end: number }[] = [];
  for (let start = 0; start < count; start += size) ranges.push({ start, end: Math.min(count, start + size) });
  return ranges;
}

/** Plans every shard: the model's shards for each dataset, then (optionally) each baseline's. */
export function planShards(input: ShardPlanInput): ShardItem[] {
  if (isBaseline(input.model)) throw new Error(`model ${input.model} is a baseline; plan baselines with includeBaselines`);
  const items: ShardItem[] = [];
  const models: ModelName[] = [input.model, ...(input.includeBaselines ? BASELINE_MODELS : [])];
  for (const ds of input.datasets) {
    const ranges = shardRanges(ds.recordCount, input.shardSize);
    for (const model of models) {
      const baseline = isBaseline(model);
      ranges.forEach((range, shardIndex) => {
        items.push({
          runId: input.runId,
          dataset: ds.dataset,
          dataSource: dataSourceOf(ds.dataset),
          model,
          modelVersion: baseline ? '' : input.modelVersion,
          kind: baseline ? 'baseline' : 'endpoint',
          shardIndex,
          start: range.start,
          end: range.end,
          evalDataUri: ds.evalDataUri,
          ...(baseline ? {} : { endpointName: input.endpointName, contract: input.contract }),
          partKey: partKey(input.runId, ds.dataset, model, shardIndex),
        });
      });
    }
  }
  return items;
}
