/**
 * resolve-model: reads `models_manifest.json` and the selected spec from the region's public
 * JumpStart bucket and returns the resolved model (lib/core/jumpstart).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { S3Client } from '@aws-sdk/client-s3';
import { ModelResolutionError } from '../../lib/core/jumpstart/errors';
import { loadResolvedModel, type ReadText } from '../../lib/core/jumpstart/load';
import { readTextIfExists } from '../../lib/aws/s3-text';
import { parseResolveModelEvent, type ResolveModelResult } from '../../lib/core/run/run-lambda-contracts';

export { ModelResolutionError };

const logger = new Logger();
/** Follows redirects so a `region` other than the Lambda's still reads its own bucket. */
const s3 = new S3Client({ followRegionRedirects: true });

const readText: ReadText = (bucket, key) => readTextIfExists(s3, bucket, key);

/** Resolves the run's model; throws `ModelResolutionError` (no retry) naming model, version, region and field. */
export async function handler(raw: unknown): Promise<ResolveModelResult> {
  const event = parseResolveModelEvent(raw);
  const region = event.region ?? process.env.AWS_REGION;
  if (region === undefined || region === '') throw new Error('no region: set event.region or AWS_REGION');
  try {
    const resolved = await loadResolvedModel(readText, event, region);
    logger.info('model resolved', {
      runId: event.run.runId,
      modelId: resolved.modelId,
      version: resolved.version,
      region,
      payloadContract: resolved.inference.payloadContract,
      channels: resolved.training.inputDataConfig.length,
    });
    return resolved;
  } catch (error) {
    if (error instanceof ModelResolutionError) {
      logger.warn('model not resolved', { runId: event.run.runId, modelId: error.modelId, version: error.version, region, field: error.field });
    }
    throw error;
  }
}
