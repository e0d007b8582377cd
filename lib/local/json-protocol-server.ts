/**
 * A loopback HTTP server speaking the AWS JSON protocols (awsJson1_0 / awsJson1_1): `POST /` with
 * `X-Amz-Target: <ServiceTarget>.<Operation>` and a JSON body, answered with JSON, timestamps as
 * epoch seconds, and errors as HTTP 4xx/5xx with `{"__type": "<Code>", "message": "…"}` and the
 * `x-amzn-errortype` header, which is how the AWS SDK v3 clients read them. The local stand-ins
 * (SageMaker control plane, Step Functions, Athena) register their operations here, so the real SDK
 * clients talk to them unchanged through `AWS_ENDPOINT_URL_<SERVICE>`.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** An error the service answers with (the SDK raises it as an exception named `code`). */
export class AwsServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

/** Who called: the access key id of the request's SigV4 credential (each local caller has its own). */
export interface CallContext {
  readonly accessKeyId: string;
}

/** An operation: request body → response body. */
export type Operation = (input: Record<string, unknown>, context: CallContext) => unknown;

/** A running server. */
export interface JsonProtocolServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Dates become epoch seconds, as the JSON protocols send timestamps. */
function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, toWire(v)]),
    );
  }
  return value;
}

/**
 * Starts a server on 127.0.0.1 and a free port. `operations` maps `<ServiceTarget>.<Operation>` to
 * its implementation; an unknown target answers `UnknownOperationException`.
 */
export async function startJsonProtocolServer(
  contentType: 'application/x-amz-json-1.0' | 'application/x-amz-json-1.1',
  operations: Record<string, Operation>,
): Promise<JsonProtocolServer> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const send = (status: number, body: unknown, errorType?: string): void => {
          const text = JSON.stringify(body);
          res.writeHead(status, {
            'content-type': contentType,
            'content-length': Buffer.byteLength(text),
            'x-amzn-requestid': `local-${Date.now().toString(36)}`,
            ...(errorType !== undefined ? { 'x-amzn-errortype': errorType } : {}),
          });
          res.end(text);
        };
        const target = String(req.headers['x-amz-target'] ?? '');
        const operation = operations[target];
        if (req.method !== 'POST' || operation === undefined) {
          send(
            400,
            { __type: 'UnknownOperationException', message: `local stand-in: no operation ${target || '(no X-Amz-Target)'}` },
            'UnknownOperationException',
          );
          return;
        }
        const credential = /Credential=([^/,\s]+)\//.exec(String(req.headers.authorization ?? ''));
        try {
          const text = Buffer.concat(chunks).toString('utf8');
          const input = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
          const output = await operation(input, { accessKeyId: credential?.[1] ?? '' });
          send(200, toWire(output ?? {}));
        } catch (error) {
          if (error instanceof AwsServiceError) send(error.status, { __type: error.code, message: error.message }, error.code);
          else send(500, { __type: 'InternalFailure', message: `local stand-in failed: ${(error as Error).message}` }, 'InternalFailure');
        }
      })();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
