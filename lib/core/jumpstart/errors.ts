import { RUN_ERROR_NAMES } from '../run/run-lambda-contracts';

/**
 * The one error JumpStart resolution throws. Its message always names the model, the version (or
 * the requested version when none could be selected), the region and the missing field, because
 * those four are what an operator needs to fix config or choose another version.
 */
export class ModelResolutionError extends Error {
  constructor(
    public readonly modelId: string,
    public readonly version: string,
    public readonly region: string,
    public readonly field: string,
    detail: string,
  ) {
    super(`JumpStart model ${modelId} version ${version} in region ${region}: ${field}: ${detail}`);
    this.name = RUN_ERROR_NAMES.modelResolution;
  }
}
