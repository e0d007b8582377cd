/**
 * One local address for every AWS service of the rehearsal, so a single setting,
 * `AWS_ENDPOINT_URL=http://127.0.0.1:<port>` (the AWS SDK's own endpoint variable), points every SDK
 * client (the CLI's, the Lambdas', the task adapters') at the local stand-ins, the way one
 * LocalStack edge port does. It forwards each request unchanged to the server that implements it:
 * - `X-Amz-Target` of SageMaker, the Resource Groups Tagging API or Service Quotas → the SageMaker
 *   control plane; of Step Functions → the local Step Functions; of Athena → the local Athena;
 * - `POST /endpoints/<name>/invocations` → the SageMaker runtime stand-in;
 * - everything else (S3, KMS, Glue, CloudFormation, CloudWatch, SNS, …) → moto.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Where requests go. */
export interface RouterTargets {
  /** moto: every request no other target claims. */
  readonly moto: string;
  /** `X-Amz-Target` prefix (e.g. `SageMaker.`) → base URL. */
  readonly byTarget: Readonly<Record<string, string>>;
  /** SageMaker runtime invocations. */
  readonly runtime?: string;
}

/** A running router. */
export interface EndpointRouter {
  readonly url: string;
  /** Requests forwarded, by target URL. */
  readonly forwarded: Readonly<Record<string, number>>;
  close(): Promise<void>;
}

/** Picks the base URL a request goes to. */
export function routeOf(targets: RouterTargets, method: string, url: string, amzTarget: string | undefined): string {
  if (amzTarget !== undefined) {
    for (const [prefix, base] of Object.entries(targets.byTarget)) if (amzTarget.startsWith(prefix)) return base;
  }
  if (targets.runtime !== undefined && method === 'POST' && /^\/endpoints\/[^/]+\/invocations(\?|$)/.test(url)) return targets.runtime;
  return targets.moto;
}

/** Starts the router on 127.0.0.1 and a free port. */
export async function startEndpointRouter(targets: RouterTargets): Promise<EndpointRouter> {
  const forwarded: Record<string, number> = {};
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const server = http.createServer((req, res) => {
    const base = routeOf(targets, req.method ?? 'GET', req.url ?? '/', req.headers['x-amz-target'] as string | undefined);
    forwarded[base] = (forwarded[base] ?? 0) + 1;
    const upstream = new URL(req.url ?? '/', base);
    const proxied = http.request(upstream, { method: req.method, headers: { ...req.headers, host: upstream.host }, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    proxied.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `local endpoint router: ${base} did not answer (${error.message})` }));
    });
    req.pipe(proxied);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    forwarded,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}
