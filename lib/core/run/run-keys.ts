/**
 * Where a run keeps its artefacts under `runs/<run id>/` of the data bucket (DESIGN.md "S3
 * layout"), and the same places as IAM key patterns relative to `runs/`. One role serves every
 * run and the run id exists only once the run starts, so in IAM the run id is a `*`: the patterns
 * name what a run writes (its model, checkpoints, shard manifests, run summary), never "anything
 * under `runs/`". The key builders (run-input.ts, evaluation/keys.ts) produce keys inside these
 * patterns; a test holds them to it.
 */

/** The key prefix of every run's artefacts in the data bucket. */
export const RUNS_PREFIX = 'runs/';

/** Paths inside `runs/<run id>/`. */
export const RUN_PATHS = {
  /** Training output (`<job>/output/model.tar.gz` or `<job>/output/model/`): `OutputDataConfig.S3OutputPath`. */
  model: 'model/',
  /** Spot training checkpoints: `CheckpointConfig.S3Uri`. */
  checkpoints: 'checkpoints/',
  /** Evaluation shard manifests (`<model>/shards.jsonl`). */
  evaluation: 'evaluation/',
  /** The run summary (cost, counts) the CLI reads. */
  runSummary: 'run-summary.json',
} as const;

/** IAM key patterns relative to `runs/`, by what lives there. */
export const RUN_KEY_PATTERNS = {
  /** A run's model: written by training, read by hosting. */
  model: `*/${RUN_PATHS.model}*`,
  /** A run's spot checkpoints: written and read back by training. */
  checkpoints: `*/${RUN_PATHS.checkpoints}*`,
  /** A run's evaluation files: written by plan-evaluation. */
  evaluation: `*/${RUN_PATHS.evaluation}*`,
  /** A run's shard manifests: read by the Distributed Map. */
  shardManifests: `*/${RUN_PATHS.evaluation}*/shards.jsonl`,
  /** A run's summary: written by aggregate. */
  runSummary: `*/${RUN_PATHS.runSummary}`,
} as const;
