/**
 * The one place that knows how a SageMaker error looks by the time our code sees it, and how long
 * we keep trying. Three callers see three shapes of the same service error:
 *
 * 1. Step Functions' optimized integrations (`arn:aws:states:::sagemaker:createTrainingJob.sync`, and
 *    `createModel`, `createEndpointConfig`, `createEndpoint` should a state use them) call SageMaker
 *    with the AWS SDK for Java v1. An error the API model declares keeps its name with an
 *    `Exception` suffix (`SageMaker.ResourceLimitExceededException`); one it does not declare
 *    (ValidationException, ThrottlingException, InternalFailure) surfaces as the SDK's base class,
 *    `SageMaker.AmazonSageMakerException`, and its code is only in the Cause, in the v1 form
 *    `<message> (Service: AmazonSageMaker; Status Code: 400; Error Code: ThrottlingException; Request ID: …; Proxy: null)`.
 *    Sources: the Step Functions developer guide's SageMaker page ("Create and manage Amazon
 *    SageMaker AI jobs with Step Functions", connect-sagemaker) retries its training-job example on
 *    `SageMaker.AmazonSageMakerException` and `SageMaker.ResourceLimitExceededException`; aws/aws-step-functions-data-science-sdk-python
 *    issue #191 shows a throttled training job failing as `SageMaker.AmazonSageMakerException`
 *    with ThrottlingException only in the cause ("retry policies only check the error name").
 * 2. Step Functions' AWS SDK integrations (`arn:aws:states:::aws-sdk:sagemaker:<action>`, every other
 *    SageMaker call of the run) use the SDK for Java v2. The developer guide ("AWS SDK service
 *    integrations", supported-services-awssdk) names errors `<Service>.<Error>` with an `Exception`
 *    suffix added where the API reference has none (`SageMaker.ResourceNotFoundException` for
 *    `ResourceNotFound`). An undeclared error is the v2 base class `SageMaker.SageMakerException`;
 *    its cause is `<message> (Service: SageMaker, Status Code: 400, Request ID: …)`, the v2 form
 *    (localstack/localstack issue #12139 quotes one from AWS), which carries the HTTP status but,
 *    depending on the SDK release, not always the error code. Hence the status and message
 *    patterns below besides the codes.
 * 3. The JavaScript SDK v3 in our Lambdas and CLI: `error.name` is the code (`ValidationException`,
 *    `ThrottlingException`, `ResourceNotFound`), `error.message` the message, and
 *    `$metadata.httpStatusCode` the status.
 *
 * Whatever the name, a "not found" is never decided from a name alone: a generic name needs a
 * not-found message (SageMaker reports a missing endpoint, endpoint config or model as a
 * ValidationException "Could not find …"), and the clean-up describes a resource after any failed
 * delete before it moves on (lib/constructs/endpoint-teardown-stage.ts).
 *
 * Pure: used by the constructs (to render Retry/Catch/Choice), the Lambdas and the CLI.
 */

/** Service prefix Step Functions puts before SageMaker error names. */
const PREFIX = 'SageMaker.';

/**
 * Names under which Step Functions reports a SageMaker call that failed for a reason SageMaker's
 * API model does not declare: the SDK v1 base class (optimized integrations) and the SDK v2 base
 * class (AWS SDK integrations), and `SageMaker.ValidationException`, the name an integration that
 * derived names from error codes would give them (SageMaker reports "not found", "in progress" and
 * bad input alike as ValidationException). Their meaning is in the Cause.
 */
export const SAGEMAKER_GENERIC_ERRORS = [`${PREFIX}AmazonSageMakerException`, `${PREFIX}SageMakerException`, `${PREFIX}ValidationException`] as const;

/**
 * Names that always mean "try again": throttling and server-side or network failures, under every
 * name they can carry (the code with and without the service prefix and `Exception` suffix, as a
 * future integration that maps codes to names would report them; the SDKs' client-side failure
 * `SdkClientException`, as Step Functions reports it for Lambda, `Lambda.SdkClientException`).
 */
export const SAGEMAKER_TRANSIENT_ERRORS = [
  `${PREFIX}ThrottlingException`,
  'ThrottlingException',
  `${PREFIX}InternalFailureException`,
  `${PREFIX}InternalFailure`,
  `${PREFIX}InternalServerException`,
  `${PREFIX}ServiceUnavailableException`,
  `${PREFIX}SdkClientException`,
  `${PREFIX}AmazonClientException`,
] as const;

/**
 * Cause patterns (Step Functions `StringMatches`, `*` is the only wildcard) that make a generic
 * error transient: the codes in either SDK's form, SageMaker's throttling message, HTTP 429 and any
 * 5xx status in the v1 (`Status Code: 503;`) and v2 (`Status Code: 503,`) forms.
 */
export const TRANSIENT_CAUSE_PATTERNS = [
  '*ThrottlingException*',
  '*Rate exceeded*',
  '*TooManyRequests*',
  '*InternalFailure*',
  '*ServiceUnavailable*',
  '*Status Code: 429*',
  '*Status Code: 5*',
] as const;

/** The modelled "no such resource" error (DescribeTrainingJob, StopTrainingJob, ListTags…), as Step Functions names it. */
export const SAGEMAKER_NOT_FOUND_ERROR = `${PREFIX}ResourceNotFoundException`;

/**
 * What SageMaker says in the message of an error about a resource that does not exist (it reports a
 * missing endpoint, endpoint config or model as a generic ValidationException, `Could not find
 * endpoint "…"`). The one list: {@link isSdkNotFound} reads SDK errors with it, and the state
 * machine's "gone?" choices match caught errors' causes with {@link NOT_FOUND_CAUSE_PATTERNS}.
 */
export const NOT_FOUND_MESSAGES = ['Could not find', 'does not exist', 'not found'] as const;

/** Cause patterns of a generic error that says the resource does not exist ({@link NOT_FOUND_MESSAGES}). */
export const NOT_FOUND_CAUSE_PATTERNS: readonly string[] = NOT_FOUND_MESSAGES.map((message) => `*${message}*`);

const NOT_FOUND_MESSAGE = new RegExp(NOT_FOUND_MESSAGES.join('|'), 'i');

/** Cause pattern of a create call that finds its resource already there (a retried create that had succeeded). */
export const ALREADY_EXISTS_CAUSE_PATTERN = '*already exist*';

/** The modelled quota error (CreateEndpoint, CreateTrainingJob): not transient, the run fails and cleans up. */
export const SAGEMAKER_LIMIT_ERROR = `${PREFIX}ResourceLimitExceededException`;

/** `*` as a regular expression (the patterns above contain no other special character). */
function patternToRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`, 's');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether `text` matches one of the Step Functions `StringMatches` patterns. */
export function matchesAny(text: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => patternToRegExp(p).test(text));
}

/** A caught Step Functions error (`{ Error, Cause }`; Cause can be absent). */
export interface StepFunctionsError {
  readonly Error: string;
  readonly Cause?: string;
}

/** What a caught SageMaker task error means, decided exactly as the state machine's Choice decides it. */
export type SageMakerErrorKind = 'transient' | 'not-found' | 'other';

/**
 * The TypeScript twin of the Choice the constructs render (lib/constructs/sagemaker-call.ts): the
 * tests check the two agree on every error the simulator can raise.
 */
export function classifyStepFunctionsError(error: StepFunctionsError): SageMakerErrorKind {
  if ((SAGEMAKER_TRANSIENT_ERRORS as readonly string[]).includes(error.Error)) return 'transient';
  if (error.Error === SAGEMAKER_NOT_FOUND_ERROR) return 'not-found';
  if (error.Cause === undefined || !(SAGEMAKER_GENERIC_ERRORS as readonly string[]).includes(error.Error)) return 'other';
  if (matchesAny(error.Cause, TRANSIENT_CAUSE_PATTERNS)) return 'transient';
  if (matchesAny(error.Cause, NOT_FOUND_CAUSE_PATTERNS)) return 'not-found';
  return 'other';
}

/** The fields of a JavaScript SDK v3 error the classification reads. */
interface SdkV3Error {
  readonly name?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $retryable?: unknown;
}

/**
 * Whether a JavaScript SDK v3 SageMaker error means "no such resource": the modelled
 * `ResourceNotFound` (training jobs), or a ValidationException whose message says it could not be
 * found ({@link NOT_FOUND_MESSAGES}: endpoints, endpoint configs, models).
 */
export function isSdkNotFound(error: unknown): boolean {
  const e = error as SdkV3Error | undefined;
  if (e?.name === 'ResourceNotFound') return true;
  return e?.name === 'ValidationException' && NOT_FOUND_MESSAGE.test(e.message ?? '');
}

/** Whether a JavaScript SDK v3 error is worth retrying: throttling, 429, 5xx, or marked retryable by the SDK. */
export function isSdkTransient(error: unknown): boolean {
  const e = error as SdkV3Error | undefined;
  if (e === undefined || e === null) return false;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && (status === 429 || status >= 500)) return true;
  if (e.$retryable !== undefined) return true;
  return ['ThrottlingException', 'InternalFailure', 'ServiceUnavailable', 'TooManyRequestsException'].includes(e.name ?? '');
}

// ---------------------------------------------------------------------------------------------
// How long the state machine keeps trying one SageMaker call.

/**
 * Retry of a transient error that carries a specific name (a Step Functions `Retry`): first wait
 * `intervalSeconds`, doubling, at most `maxAttempts` retries, full jitter.
 */
export const NAMED_TRANSIENT_RETRY = { intervalSeconds: 2, backoffRate: 2, maxAttempts: 5, maxDelaySeconds: 60 } as const;

/**
 * Waits (seconds) between the attempts of a call whose transient error has a generic name (a
 * Catch → Choice → Wait loop, since `Retry` cannot read the Cause); its length is the number of
 * such retries. A few seconds of jitter are added to each.
 */
export const GENERIC_TRANSIENT_DELAYS_SECONDS = [5, 10, 20, 40, 80, 160] as const;

/** Upper bound of the jitter added to each generic-transient wait (exclusive). */
export const GENERIC_TRANSIENT_JITTER_SECONDS = 5;

/** Longest the named-transient `Retry` of one visit to a task can wait in total (no jitter exceeds its cap). */
export function namedRetryLongestSeconds(): number {
  let total = 0;
  for (let i = 0; i < NAMED_TRANSIENT_RETRY.maxAttempts; i++) {
    total += Math.min(NAMED_TRANSIENT_RETRY.intervalSeconds * NAMED_TRANSIENT_RETRY.backoffRate ** i, NAMED_TRANSIENT_RETRY.maxDelaySeconds);
  }
  return total;
}

/**
 * Longest one SageMaker call can keep retrying before its error is raised: every generic-transient
 * wait (with its jitter) plus a full named-transient `Retry` on each of its visits to the task
 * (a visit restarts the Retry's count). Request time itself is not counted.
 */
export function sageMakerCallLongestSeconds(): number {
  const visits = GENERIC_TRANSIENT_DELAYS_SECONDS.length + 1;
  const loopWaits = GENERIC_TRANSIENT_DELAYS_SECONDS.reduce((sum, d) => sum + d + GENERIC_TRANSIENT_JITTER_SECONDS - 1, 0);
  return loopWaits + visits * namedRetryLongestSeconds();
}
