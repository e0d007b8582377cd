/**
 * Resolution end to end: read the manifest, select the version, read the spec, resolve. Storage is
 * injected (`readText`), so this runs against S3 in the Lambda and against files in tests.
 */
import type { ResolvedModel } from '../run/contracts';
import type { ResolveModelEvent } from '../run/run-lambda-contracts';
import { ModelResolutionError } from './errors';
import { parseManifest, selectManifestEntry } from './manifest';
import { jumpStartBucket, resolveModel } from './resolve';
import { parseSpecJson } from './spec-json';

/** Key of the manifest in the JumpStart bucket. */
export const MANIFEST_KEY = 'models_manifest.json';

/** Reads an object as text; resolves `undefined` when it does not exist. */
export type ReadText = (bucket: string, key: string) => Promise<string | undefined>;

/**
 * Resolves the run's model in `region`.
 * @throws ModelResolutionError when the manifest or spec is missing or unreadable, or the spec lacks
 *   what the run needs. Other errors (access denied, throttling) propagate unchanged for retries.
 */
export async function loadResolvedModel(readText: ReadText, event: ResolveModelEvent, region: string): Promise<ResolvedModel> {
  const requested = event.run.modelVersion;
  const bucket = jumpStartBucket(region);
  const manifestText = await readText(bucket, MANIFEST_KEY);
  if (manifestText === undefined) {
    throw new ModelResolutionError(event.modelId, requested, region, MANIFEST_KEY, `not found in s3://${bucket}`);
  }
  let entries;
  try {
    entries = parseManifest(JSON.parse(manifestText));
  } catch (error) {
    throw new ModelResolutionError(event.modelId, requested, region, MANIFEST_KEY, `unreadable (${(error as Error).message})`);
  }
  const entry = selectManifestEntry(entries, event.modelId, requested, region);
  const specText = await readText(bucket, entry.spec_key);
  if (specText === undefined) {
    throw new ModelResolutionError(event.modelId, entry.version, region, 'spec_key', `s3://${bucket}/${entry.spec_key} not found`);
  }
  let spec;
  try {
    spec = parseSpecJson(specText);
  } catch (error) {
    throw new ModelResolutionError(
      event.modelId,
      entry.version,
      region,
      'spec_key',
      `s3://${bucket}/${entry.spec_key} is not JSON (${(error as Error).message})`,
    );
  }
  return resolveModel({
    run: event.run,
    modelId: event.modelId,
    version: entry.version,
    region,
    specKey: entry.spec_key,
    spec,
    trainingInstanceType: event.trainingInstanceType,
    inferenceInstanceType: event.inferenceInstanceType,
    trainingVolumeGb: event.trainingVolumeGb,
    maxTrainingHours: event.maxTrainingHours,
  });
}
