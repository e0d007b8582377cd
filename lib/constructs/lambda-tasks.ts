/**
 * The one retry policy of the run's Lambda tasks, on top of the one CDK adds.
 *
 * `LambdaInvoke` already retries Lambda's transient service errors: with `retryOnServiceExceptions`
 * (on by default) it adds a first retrier for `Lambda.ClientExecutionTimeoutException`,
 * `Lambda.ServiceException`, `Lambda.AWSLambdaException` and `Lambda.SdkClientException` (2 s, 6
 * attempts, back-off 2; aws-cdk-lib/aws-stepfunctions-tasks/lib/lambda/invoke.js), the retrier the
 * Step Functions guide recommends ("Handle Lambda service exceptions",
 * https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html). Step
 * Functions applies the first retrier whose `ErrorEquals` names the error, so naming those errors
 * again in a later retrier would never take effect. This policy covers what CDK leaves out, per the
 * same guide: `Lambda.Unknown` (an unhandled failure such as running out of memory or the function
 * timing out) and `Lambda.TooManyRequestsException` (the function is at its concurrency limit).
 */
import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';

/** Errors of a Lambda task retried beyond CDK's default retrier. */
export const LAMBDA_TASK_RETRY_ERRORS = ['Lambda.Unknown', 'Lambda.TooManyRequestsException'] as const;

/** Back-off for {@link LAMBDA_TASK_RETRY_ERRORS} (and, on a task with a timeout, `States.Timeout`): 5 s, 10 s, 20 s, jittered. */
export function lambdaTaskRetry(options: { readonly orTimeout?: boolean } = {}): sfn.RetryProps {
  return {
    errors: [...LAMBDA_TASK_RETRY_ERRORS, ...(options.orTimeout === true ? [sfn.Errors.TIMEOUT] : [])],
    interval: Duration.seconds(5),
    backoffRate: 2,
    maxAttempts: 3,
    jitterStrategy: sfn.JitterType.FULL,
  };
}
