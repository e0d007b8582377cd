/**
 * The endpoint call over the AWS SDK: InvokeEndpoint with the contract's JSON body, response body
 * as text (lib/core/evaluation stays free of the SDK and takes it as an {@link InvokeFn}). Give
 * it a client with `maxAttempts: 1` so the evaluation's retry policy is the only one.
 */
import { InvokeEndpointCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { InvokeFn } from '../core/evaluation/evaluate-shard';

/** An {@link InvokeFn} over `client`. */
export function sdkInvoke(client: SageMakerRuntimeClient): InvokeFn {
  return async (endpointName, request) => {
    const response = await client.send(
      new InvokeEndpointCommand({
        EndpointName: endpointName,
        ContentType: request.contentType,
        Accept: request.accept,
        Body: new TextEncoder().encode(request.body),
      }),
    );
    return new TextDecoder().decode(response.Body ?? new Uint8Array());
  };
}
