/** Recorded JumpStart fixtures (test/fixtures/jumpstart, recorded public documents; see its README) and a run plan for resolution tests. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunPlan } from '../../lib/core/run/run-lambda-contracts';
import { planRun } from '../../lib/core/run/run-input';

export const JUMPSTART_FIXTURES = path.join(__dirname, '..', 'fixtures', 'jumpstart');

/** The text of a fixture file. */
export function fixtureText(name: string): string {
  return fs.readFileSync(path.join(JUMPSTART_FIXTURES, name), 'utf8');
}

/** A run plan as validate-input makes it from an empty input, with optional input fields. */
export function samplePlan(input: Record<string, unknown> = {}, executionName = 'run-2024-01-01'): RunPlan {
  return planRun(
    {
      input,
      executionName,
      defaults: {
        bucketName: 'data-bucket',
        trainingData: 's3://data-bucket/train_data/',
        evalData: { dev1: 's3://data-bucket/eval_data/dev1.jsonl', dev2: 's3://data-bucket/eval_data/dev2.jsonl' },
        modelVersion: '2.*',
        resourcePrefix: 'impressions',
        hyperparameters: {},
        epochs: 3,
      },
    },
    new Date('2024-01-01T00:00:00Z'),
  );
}
