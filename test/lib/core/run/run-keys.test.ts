import { runSummaryKey, shardManifestKey } from '../../../../lib/core/evaluation/keys';
import { matchesIamPattern } from '../../../../lib/core/iam-pattern';
import { RUN_KEY_PATTERNS, RUNS_PREFIX } from '../../../../lib/core/run/run-keys';
import { samplePlan } from '../../../helpers/jumpstart';

/** The key under `runs/` of an s3://data-bucket/runs/… URI. */
const underRuns = (uri: string): string => uri.replace(`s3://data-bucket/${RUNS_PREFIX}`, '');

describe('RUN_KEY_PATTERNS: the keys a run writes lie inside what the roles are granted', () => {
  const plan = samplePlan({}, 'exec-7');

  test('shard manifests (read by the Distributed Map, written under evaluation/ by plan-evaluation)', () => {
    for (const model of ['pretrained', 'fine-tuned']) {
      const key = shardManifestKey(plan.runId, model).slice(RUNS_PREFIX.length);
      expect(matchesIamPattern(key, RUN_KEY_PATTERNS.shardManifests)).toBe(true);
      expect(matchesIamPattern(key, RUN_KEY_PATTERNS.evaluation)).toBe(true);
    }
  });

  test('the run summary (aggregate)', () => {
    expect(matchesIamPattern(runSummaryKey(plan.runId).slice(RUNS_PREFIX.length), RUN_KEY_PATTERNS.runSummary)).toBe(true);
  });

  test("training output and checkpoints (the training role), and the output's model data (the hosting role)", () => {
    const output = `${underRuns(plan.outputPath)}${plan.names.trainingJob}/output/model.tar.gz`;
    expect(matchesIamPattern(output, RUN_KEY_PATTERNS.model)).toBe(true);
    expect(matchesIamPattern(`${underRuns(plan.checkpointPath)}checkpoint-100/model.safetensors`, RUN_KEY_PATTERNS.checkpoints)).toBe(true);
  });

  test('given model data (skipTraining) that validation accepts is readable by the hosting role', () => {
    const given = samplePlan({ skipTraining: true, modelData: 's3://data-bucket/runs/old/model/old-train/output/model/' });
    expect(matchesIamPattern(`${underRuns(given.modelData!)}config.json`, RUN_KEY_PATTERNS.model)).toBe(true);
  });

  test('no pattern reaches another run artefact kind or outside runs/', () => {
    expect(matchesIamPattern('r/checkpoints/x', RUN_KEY_PATTERNS.model)).toBe(false);
    expect(matchesIamPattern('r/model/x', RUN_KEY_PATTERNS.shardManifests)).toBe(false);
    expect(matchesIamPattern('r/evaluation/pretrained/notes.txt', RUN_KEY_PATTERNS.shardManifests)).toBe(false);
  });
});
