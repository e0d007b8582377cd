/**
 * The shape of the evaluation fan-out: how many evaluate Lambdas run at once (the Distributed Map's
 * `maxConcurrency`) and how many requests each keeps in flight, so the endpoint sees about
 * `evalConcurrencyPerEndpoint` requests at a time.
 *
 * Choice: a few Lambdas with a small pool each (default 2 requests per Lambda), not one Lambda
 * with every request nor one request per Lambda. Two or more Lambdas overlap each other's shard
 * start-up and tail (the last requests of a shard), which keeps the endpoint busy; a small pool per
 * Lambda keeps the number of Lambdas (and S3 reads of the evaluation set) low. In flight at most
 * maxConcurrency × requestsPerLambda, which equals the configured concurrency when it is even
 * (and exceeds it by one when it is odd and above 1).
 */

/** Requests each evaluate Lambda keeps in flight unless told otherwise. */
export const DEFAULT_REQUESTS_PER_LAMBDA = 2;

/** Map concurrency and per-Lambda pool size for a per-endpoint concurrency. */
export function fanOutShape(
  concurrencyPerEndpoint: number,
  requestsPerLambda = DEFAULT_REQUESTS_PER_LAMBDA,
): { maxConcurrency: number; requestsPerLambda: number } {
  if (!Number.isInteger(concurrencyPerEndpoint) || concurrencyPerEndpoint < 1)
    throw new Error(`concurrency per endpoint must be a whole number ≥ 1, got ${concurrencyPerEndpoint}`);
  if (!Number.isInteger(requestsPerLambda) || requestsPerLambda < 1)
    throw new Error(`requests per Lambda must be a whole number ≥ 1, got ${requestsPerLambda}`);
  const perLambda = Math.min(requestsPerLambda, concurrencyPerEndpoint);
  return { maxConcurrency: Math.ceil(concurrencyPerEndpoint / perLambda), requestsPerLambda: perLambda };
}
