/**
 * A local HTTP stand-in for the CloudWatch Logs control-plane calls the log-group custom resource
 * makes, spoken in the service's own protocol (AWS JSON 1.1, `X-Amz-Target: Logs_20140328.<Operation>`),
 * so the real SDK client is exercised end to end. moto 5.2 has no AssociateKmsKey or
 * DisassociateKmsKey, hence this. It follows the documented behaviour of each call: CreateLogGroup
 * fails with ResourceAlreadyExistsException for an existing name; AssociateKmsKey,
 * DisassociateKmsKey, PutRetentionPolicy and DeleteRetentionPolicy fail with
 * ResourceNotFoundException for a missing one; PutRetentionPolicy accepts only CloudWatch Logs'
 * retention values (InvalidParameterException); DescribeLogGroups matches by prefix and pages.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { LOG_RETENTION_DAYS } from '../../lib/core/run/log-group-adoption';

/** A stored log group. */
export interface StoredLogGroup {
  kmsKeyId?: string;
  retentionInDays?: number;
}

/** A running stand-in. */
export interface CloudWatchLogsStandIn {
  readonly url: string;
  readonly groups: Map<string, StoredLogGroup>;
  /** Operations received, in order, as `<Operation> <logGroupName or prefix>`. */
  readonly calls: string[];
  /** Runs once before the next answer to `operation` (e.g. create a group behind the caller's back). */
  before(operation: string, hook: () => void): void;
  /** A client pointed at the stand-in. */
  client(): CloudWatchLogsClient;
  close(): Promise<void>;
}

/** Starts a stand-in on 127.0.0.1 (a free port); DescribeLogGroups answers `pageSize` groups per page. */
export async function startCloudWatchLogsStandIn(pageSize = 2): Promise<CloudWatchLogsStandIn> {
  const groups = new Map<string, StoredLogGroup>();
  const calls: string[] = [];
  const hooks = new Map<string, () => void>();
  const fail = (res: http.ServerResponse, type: string, message: string): void => {
    res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type });
    res.end(JSON.stringify({ __type: type, message }));
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const operation = String(req.headers['x-amz-target'] ?? '').replace('Logs_20140328.', '');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      const name = body.logGroupName as string | undefined;
      calls.push(`${operation} ${String(name ?? body.logGroupNamePrefix ?? '')}`);
      const hook = hooks.get(operation);
      if (hook !== undefined) {
        hooks.delete(operation);
        hook();
      }
      const group = name === undefined ? undefined : groups.get(name);
      const missing = (): void => fail(res, 'ResourceNotFoundException', 'The specified log group does not exist.');
      const ok = (answer: object = {}): void => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(answer));
      };
      switch (operation) {
        case 'CreateLogGroup':
          if (group !== undefined) return fail(res, 'ResourceAlreadyExistsException', 'The specified log group already exists');
          groups.set(name!, { kmsKeyId: body.kmsKeyId as string | undefined });
          return ok();
        case 'AssociateKmsKey':
          if (group === undefined) return missing();
          group.kmsKeyId = body.kmsKeyId as string;
          return ok();
        case 'DisassociateKmsKey':
          if (group === undefined) return missing();
          delete group.kmsKeyId;
          return ok();
        case 'PutRetentionPolicy': {
          if (group === undefined) return missing();
          const days = body.retentionInDays as number;
          if (!(LOG_RETENTION_DAYS as readonly number[]).includes(days)) return fail(res, 'InvalidParameterException', `invalid retention ${days}`);
          group.retentionInDays = days;
          return ok();
        }
        case 'DeleteRetentionPolicy':
          if (group === undefined) return missing();
          delete group.retentionInDays;
          return ok();
        case 'DescribeLogGroups': {
          const prefix = (body.logGroupNamePrefix as string | undefined) ?? '';
          const names = [...groups.keys()].filter((n) => n.startsWith(prefix)).sort();
          const start = Number((body.nextToken as string | undefined) ?? '0');
          const page = names.slice(start, start + pageSize);
          return ok({
            logGroups: page.map((n) => ({ logGroupName: n, arn: `arn:aws:logs:us-east-1:123456789012:log-group:${n}:*`, ...groups.get(n) })),
            ...(start + pageSize < names.length ? { nextToken: String(start + pageSize) } : {}),
          });
        }
        default:
          return fail(res, 'UnknownOperationException', `${operation} is not served by the stand-in`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    groups,
    calls,
    before: (operation, hook) => hooks.set(operation, hook),
    client: () =>
      new CloudWatchLogsClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 }),
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
