import {
  classifyStepFunctionsError,
  GENERIC_TRANSIENT_DELAYS_SECONDS,
  isSdkNotFound,
  isSdkTransient,
  matchesAny,
  namedRetryLongestSeconds,
  sageMakerCallLongestSeconds,
  TRANSIENT_CAUSE_PATTERNS,
} from '../../../../lib/core/run/sagemaker-errors';

const v1 = (message: string, code: string, status = 400) =>
  `${message} (Service: AmazonSageMaker; Status Code: ${status}; Error Code: ${code}; Request ID: 1a2b; Proxy: null)`;
const v2 = (message: string, status = 400) => `${message} (Service: SageMaker, Status Code: ${status}, Request ID: 1a2b)`;
const v2WithCode = (message: string, code: string, status = 400) =>
  `${message} (Service: SageMaker, Status Code: ${status}, Error Code: ${code}, Request ID: 1a2b)`;

describe('classifyStepFunctionsError', () => {
  test.each([
    // Throttling under every name it can carry.
    ['SageMaker.AmazonSageMakerException', v1('Rate exceeded', 'ThrottlingException'), 'transient'],
    ['SageMaker.SageMakerException', v2('Rate exceeded'), 'transient'],
    ['SageMaker.SageMakerException', v2WithCode('Rate exceeded', 'ThrottlingException'), 'transient'],
    ['SageMaker.SageMakerException', v2('Too many requests', 429), 'transient'],
    ['SageMaker.ThrottlingException', v2('Rate exceeded'), 'transient'],
    ['ThrottlingException', undefined, 'transient'],
    // Server-side errors.
    ['SageMaker.AmazonSageMakerException', v1('We encountered an internal error. Please try again.', 'InternalFailure', 500), 'transient'],
    ['SageMaker.SageMakerException', v2('We encountered an internal error. Please try again.', 500), 'transient'],
    ['SageMaker.SageMakerException', v2('Service Unavailable', 503), 'transient'],
    ['SageMaker.SdkClientException', 'Unable to execute HTTP request: Connection reset', 'transient'],
    // Not found, only with a message that says so (or the modelled ResourceNotFound).
    ['SageMaker.AmazonSageMakerException', v1('Could not find endpoint "arn:aws:sagemaker:eu-west-1:1:endpoint/x".', 'ValidationException'), 'not-found'],
    ['SageMaker.SageMakerException', v2('Could not find model "arn:aws:sagemaker:eu-west-1:1:model/x".'), 'not-found'],
    ['SageMaker.ResourceNotFoundException', v2('Requested resource not found.'), 'not-found'],
    ['SageMaker.ValidationException', v2('Could not find endpoint "x".'), 'not-found'],
    ['SageMaker.ValidationException', v2('Cannot update in-progress endpoint "x".'), 'other'],
    // Everything else fails the step.
    ['SageMaker.SageMakerException', v2('Cannot update in-progress endpoint "x".'), 'other'],
    ['SageMaker.SageMakerException', undefined, 'other'],
    ['SageMaker.ResourceLimitExceededException', v2("The account-level service limit 'ml.g5.2xlarge for endpoint usage' is 1 Instances"), 'other'],
    ['SageMaker.ResourceInUseException', v2('Training job names must be unique'), 'other'],
    ['States.TaskFailed', '{"TrainingJobStatus":"Failed","FailureReason":"not found"}', 'other'],
    ['EndpointFailed', 'Could not find the model artifacts', 'other'],
  ])('%s — %s → %s', (error, cause, kind) => {
    expect(classifyStepFunctionsError({ Error: error, Cause: cause })).toBe(kind);
  });
});

test('the cause patterns are Step Functions StringMatches patterns (only * is special)', () => {
  expect(matchesAny('a Rate exceeded b', TRANSIENT_CAUSE_PATTERNS)).toBe(true);
  expect(matchesAny('Status Code: 400,', TRANSIENT_CAUSE_PATTERNS)).toBe(false);
  expect(matchesAny('x (Service: SageMaker, Status Code: 502, Request ID: y)', TRANSIENT_CAUSE_PATTERNS)).toBe(true);
});

test('JavaScript SDK v3 errors: not found and transient', () => {
  expect(isSdkNotFound({ name: 'ResourceNotFound', message: 'Requested resource not found.' })).toBe(true);
  expect(isSdkNotFound({ name: 'ValidationException', message: 'Could not find endpoint "x".' })).toBe(true);
  expect(isSdkNotFound({ name: 'ValidationException', message: 'Cannot update in-progress endpoint' })).toBe(false);
  expect(isSdkNotFound(new Error('Could not find'))).toBe(false);
  expect(isSdkTransient({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } })).toBe(true);
  expect(isSdkTransient({ name: 'InternalFailure', $metadata: { httpStatusCode: 500 } })).toBe(true);
  expect(isSdkTransient({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } })).toBe(false);
  expect(isSdkTransient(undefined)).toBe(false);
});

test('the longest a SageMaker call keeps retrying is bounded and stated', () => {
  // Retry by name: 2 + 4 + 8 + 16 + 32 s.
  expect(namedRetryLongestSeconds()).toBe(62);
  // Six generic waits (with at most 4 s of jitter each) plus a full named Retry on each of the seven visits.
  expect(sageMakerCallLongestSeconds()).toBe(GENERIC_TRANSIENT_DELAYS_SECONDS.reduce((a, b) => a + b, 0) + 6 * 4 + 7 * 62);
  expect(sageMakerCallLongestSeconds()).toBeLessThan(15 * 60);
});
