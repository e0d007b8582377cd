/**
 * Run ids and the physical names of the SageMaker resources a run creates. The state machine, the
 * janitor (which only knows the execution name) and the CLI all derive names here, so the same
 * execution always maps to the same resources.
 */
import { createHash } from 'node:crypto';

/** Longest run id. Keeps `<prefix>-<runId>-train` within SageMaker's 63 characters for a 20-character prefix. */
export const MAX_RUN_ID_LENGTH = 32;

/** Longest SageMaker resource name (training job, model, endpoint config, endpoint). */
export const MAX_SAGEMAKER_NAME_LENGTH = 63;

/** A run id taken as is: letters and digits, single or repeated hyphens inside only. */
const RUN_ID_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;

/** SageMaker's name pattern (anchored at both ends here). */
const SAGEMAKER_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/** Characters of the hash suffix of a slugged run id. */
const HASH_LENGTH = 8;

/**
 * The run id of a Step Functions execution: the execution name itself when it is a valid
 * SageMaker name fragment of at most 32 characters, else a deterministic slug
 * `<sanitised start>-<8 hex chars of sha256(name)>` of at most 32 characters. Sanitising keeps
 * letters, digits and inner hyphens; a name with none of those becomes `run-<hash>`.
 *
 * Case is kept. SageMaker lower-cases names inside ARNs, so code that matches ARNs to names must
 * compare without case (see {@link sameSageMakerName}).
 */
export function runIdFromExecutionName(executionName: string): string {
  if (executionName.length <= MAX_RUN_ID_LENGTH && RUN_ID_PATTERN.test(executionName)) return executionName;
  const hash = createHash('sha256').update(executionName, 'utf8').digest('hex').slice(0, HASH_LENGTH);
  const room = MAX_RUN_ID_LENGTH - HASH_LENGTH - 1;
  const sanitised = executionName
    .replace(/[^a-zA-Z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, room)
    .replace(/-+$/, '');
  return `${sanitised === '' ? 'run' : sanitised}-${hash}`;
}

/** Names of the three SageMaker resources that serve one model (separate namespaces, so one name). */
export interface HostingNames {
  readonly model: string;
  readonly endpointConfig: string;
  readonly endpoint: string;
}

/** Every SageMaker name a run uses. */
export interface RunResourceNames {
  /** `<prefix>-<runId>-train` */
  readonly trainingJob: string;
  /** `<prefix>-<runId>-pt` for model, endpoint config and endpoint. */
  readonly pretrained: HostingNames;
  /** `<prefix>-<runId>-ft` for model, endpoint config and endpoint. */
  readonly fineTuned: HostingNames;
}

/**
 * The SageMaker names of a run. Deterministic: the same prefix and run id always give the same names.
 * @throws Error when a name would break SageMaker's length or character rules (a prefix outside
 *   the config's pattern, or a run id not made by {@link runIdFromExecutionName}).
 */
export function runResourceNames(prefix: string, runId: string): RunResourceNames {
  const base = `${prefix}-${runId}`;
  const trainingJob = `${base}-train`;
  const pt = `${base}-pt`;
  const ft = `${base}-ft`;
  for (const name of [trainingJob, pt, ft]) {
    if (name.length > MAX_SAGEMAKER_NAME_LENGTH || !SAGEMAKER_NAME_PATTERN.test(name)) {
      throw new Error(
        `SageMaker name "${name}" (prefix "${prefix}", run id "${runId}") must be 1-${MAX_SAGEMAKER_NAME_LENGTH} ` + 'letters, digits and inner hyphens',
      );
    }
  }
  return {
    trainingJob,
    pretrained: { model: pt, endpointConfig: pt, endpoint: pt },
    fineTuned: { model: ft, endpointConfig: ft, endpoint: ft },
  };
}

/** Whether two SageMaker names denote the same resource (SageMaker ARNs carry names in lower case). */
export function sameSageMakerName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
