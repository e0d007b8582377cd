/**
 * Evaluation of a run: payload contracts, prompt, retries and worker pool, shard planning, part
 * keys, rows, baselines, aggregation and cost. No AWS SDK and no CDK here; the Lambdas do the I/O.
 */
export * from './aggregate';
export * from './agreement-summary';
export * from './baselines';
export * from './cost';
export * from './evaluate-shard';
export * from './keys';
export * from './payload';
export * from './pool';
export * from './prompt';
export * from './record-limits';
export * from './retry';
export * from './rows';
export * from './scoring';
export * from './shards';
export * from './evaluation-lambda-contracts';
export * from './fan-out';
export * from './trust';
