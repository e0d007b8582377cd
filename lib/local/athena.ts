/**
 * A local Athena for the rehearsal: moto's Athena runs no SQL (it answers canned results), so this
 * stand-in speaks the Athena JSON API (`X-Amz-Target: AmazonAthena.*`: CreateWorkGroup,
 * GetWorkGroup, StartQueryExecution (in an existing workgroup only), GetQueryExecution,
 * GetQueryResults, StopQueryExecution) and runs each query over what Athena would
 * read: the Glue table's columns and the partitions registered in Glue (moto), each partition's
 * JSON Lines objects under its S3 location, with the partition values as columns. A run that
 * registered no partition is invisible here too, as in Athena.
 *
 * The SQL engine is alasql, not Presto/Trino: quoted identifiers and `"db"."table"` names are
 * translated, `min`/`max` also order text (as Trino does), `nullif` is added, and `?` takes the
 * ExecutionParameters. Enough for the CLI's queries (`impressions runs`, `report --athena`); other
 * Trino functions or semantics (integer division, NULL ordering) are not reproduced.
 */
import { randomUUID } from 'node:crypto';
import alasql from 'alasql';
import { GetPartitionsCommand, GetTableCommand, type GlueClient } from '@aws-sdk/client-glue';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { AwsServiceError, startJsonProtocolServer } from './json-protocol-server';

/** A running local Athena. */
export interface LocalAthena {
  readonly url: string;
  /** Queries run, in order. */
  readonly queries: readonly { readonly id: string; readonly sql: string; readonly state: string; readonly reason?: string }[];
  close(): Promise<void>;
}

type Row = Record<string, unknown>;

interface Query {
  id: string;
  sql: string;
  state: 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  reason?: string;
  columns: { Name: string; Type: string }[];
  rows: Row[];
  submitted: Date;
  workGroup?: string;
  database?: string;
  scannedBytes: number;
}

// Trino's min/max order text too; alasql's built-ins only order numbers.
const extreme =
  (better: (a: unknown, b: unknown) => boolean) =>
  (value: unknown, acc: unknown, stage: number): unknown => {
    if (stage === 1) return value ?? undefined;
    if (stage === 2) return value === null || value === undefined ? acc : acc === null || acc === undefined ? value : better(value, acc) ? value : acc;
    return acc ?? null;
  };
const aggregates = alasql.aggr as Record<string, unknown>;
aggregates.TRINO_MIN = extreme((a, b) => (a as number) < (b as number));
aggregates.TRINO_MAX = extreme((a, b) => (a as number) > (b as number));
(alasql.fn as Record<string, unknown>).nullif = (a: unknown, b: unknown) => (a === b ? null : a);

/** Splits SQL into quoted strings and the rest, so rewrites never touch string literals. */
function rewriteOutsideStrings(sql: string, rewrite: (code: string) => string): string {
  return sql
    .split(/('(?:[^']|'')*')/)
    .map((part, i) => (i % 2 === 1 ? part : rewrite(part)))
    .join('');
}

/** Translates the query for alasql; returns it with the tables it reads (`db.table`). */
export function translate(
  sql: string,
  parameters: readonly string[],
  defaultDatabase: string | undefined,
): { sql: string; tables: { database: string; table: string; alias: string }[] } {
  let next = 0;
  const withParameters = rewriteOutsideStrings(sql, (code) =>
    code.replace(/\?/g, () => {
      if (next >= parameters.length) throw new AwsServiceError('InvalidRequestException', 'the query has more ? placeholders than ExecutionParameters');
      return parameters[next++];
    }),
  );
  const tables = new Map<string, { database: string; table: string; alias: string }>();
  const alias = (database: string, table: string): string => {
    const key = `${database}.${table}`;
    if (!tables.has(key)) tables.set(key, { database, table, alias: `t${tables.size}` });
    return `[${tables.get(key)!.alias}]`;
  };
  const translated = rewriteOutsideStrings(withParameters, (code) =>
    code
      .replace(/"([^"]+)"\s*\.\s*"([^"]+)"/g, (_, d: string, t: string) => alias(d, t))
      .replace(/\b(from|join)\s+"([^"]+)"(?!\s*\.)/gi, (_, kw: string, t: string) => `${kw} ${alias(defaultDatabase ?? 'default', t)}`)
      .replace(/"([^"]+)"/g, (_, id: string) => `[${id}]`)
      // Column names that are alasql keywords (Trino reads them as plain identifiers).
      .replace(/(?<![[\w])(count|min|max|sum|avg|value|key)\b(?!\s*\(|\])/gi, '[$1]')
      .replace(/\bmin\s*\(/gi, 'TRINO_MIN(')
      .replace(/\bmax\s*\(/gi, 'TRINO_MAX(')
      .replace(/\blower\s*\(/gi, 'LCASE('),
  );
  return { sql: translated, tables: [...tables.values()] };
}

/** Athena's type name of a result value. */
function typeOf(values: unknown[]): string {
  const present = values.filter((v) => v !== null && v !== undefined);
  if (present.length === 0) return 'varchar';
  if (present.every((v) => typeof v === 'number')) return present.every((v) => Number.isInteger(v)) ? 'bigint' : 'double';
  if (present.every((v) => typeof v === 'boolean')) return 'boolean';
  return 'varchar';
}

/** Starts the local Athena on 127.0.0.1 and a free port. */
export async function startLocalAthena(deps: { glue: GlueClient; s3: S3Client }): Promise<LocalAthena> {
  const queries = new Map<string, Query>();
  const workGroups = new Map<string, Record<string, unknown>>([['primary', {}]]);

  const readTable = async (database: string, table: string): Promise<{ rows: Row[]; bytes: number }> => {
    const described = await deps.glue.send(new GetTableCommand({ DatabaseName: database, Name: table })).catch((error: Error) => {
      throw new Error(`TABLE_NOT_FOUND: line 1: Table 'awsdatacatalog.${database}.${table}' does not exist (${error.name})`);
    });
    const columns = (described.Table?.StorageDescriptor?.Columns ?? []).map((c) => c.Name!);
    const keys = (described.Table?.PartitionKeys ?? []).map((c) => c.Name!);
    const partitions = [];
    let token: string | undefined;
    do {
      const page = await deps.glue.send(new GetPartitionsCommand({ DatabaseName: database, TableName: table, NextToken: token }));
      partitions.push(...(page.Partitions ?? []));
      token = page.NextToken;
    } while (token !== undefined && token !== '');
    const rows: Row[] = [];
    let bytes = 0;
    for (const partition of partitions) {
      const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(partition.StorageDescriptor?.Location ?? '');
      if (m === null) continue;
      const prefix = m[2].endsWith('/') ? m[2] : `${m[2]}/`;
      const listed = await deps.s3.send(new ListObjectsV2Command({ Bucket: m[1], Prefix: prefix }));
      for (const object of listed.Contents ?? []) {
        const body = await deps.s3.send(new GetObjectCommand({ Bucket: m[1], Key: object.Key! }));
        const text = await body.Body!.transformToString('utf8');
        bytes += Buffer.byteLength(text);
        for (const line of text.split('\n')) {
          if (line.trim() === '') continue;
          const json = JSON.parse(line) as Row;
          // The JSON SerDe maps keys to columns without case; absent keys are NULL.
          const lower = new Map(Object.entries(json).map(([k, v]) => [k.toLowerCase(), v]));
          const row: Row = {};
          for (const c of columns) row[c] = lower.get(c.toLowerCase()) ?? null;
          keys.forEach((k, i) => (row[k] = partition.Values?.[i] ?? null));
          rows.push(row);
        }
      }
    }
    return { rows, bytes };
  };

  const run = async (query: Query, parameters: readonly string[]): Promise<void> => {
    try {
      const { sql, tables } = translate(query.sql, parameters, query.database);
      const db = new alasql.Database();
      for (const t of tables) {
        const { rows, bytes } = await readTable(t.database, t.table);
        query.scannedBytes += bytes;
        db.exec(`CREATE TABLE [${t.alias}]`);
        (db.tables as Record<string, { data: Row[] }>)[t.alias].data = rows;
      }
      const result = db.exec(sql) as Row[];
      const names = result.length > 0 ? Object.keys(result[0]) : [];
      query.columns = names.map((n) => ({ Name: n, Type: typeOf(result.map((r) => r[n])) }));
      query.rows = result;
      query.state = 'SUCCEEDED';
    } catch (error) {
      query.state = 'FAILED';
      query.reason = (error as Error).message;
    }
  };

  const find = (input: Record<string, unknown>): Query => {
    const query = queries.get(String(input.QueryExecutionId));
    if (query === undefined) throw new AwsServiceError('InvalidRequestException', `QUERY_NOT_FOUND: ${String(input.QueryExecutionId)}`);
    return query;
  };
  const server = await startJsonProtocolServer('application/x-amz-json-1.1', {
    'AmazonAthena.CreateWorkGroup': (input) => {
      const name = String(input.Name);
      if (workGroups.has(name)) throw new AwsServiceError('InvalidRequestException', `WorkGroup ${name} is already created`);
      workGroups.set(name, (input.Configuration as Record<string, unknown> | undefined) ?? {});
      return {};
    },
    'AmazonAthena.GetWorkGroup': (input) => {
      const configuration = workGroups.get(String(input.WorkGroup));
      if (configuration === undefined) throw new AwsServiceError('InvalidRequestException', `WorkGroup ${String(input.WorkGroup)} is not found.`);
      return { WorkGroup: { Name: input.WorkGroup, State: 'ENABLED', Configuration: configuration } };
    },
    'AmazonAthena.StartQueryExecution': async (input) => {
      if (!workGroups.has(String(input.WorkGroup ?? 'primary')))
        throw new AwsServiceError('InvalidRequestException', `WorkGroup ${String(input.WorkGroup)} is not found.`);
      const context = input.QueryExecutionContext as { Database?: string } | undefined;
      const query: Query = {
        id: randomUUID(),
        sql: String(input.QueryString ?? ''),
        state: 'SUCCEEDED',
        columns: [],
        rows: [],
        submitted: new Date(),
        workGroup: input.WorkGroup as string | undefined,
        database: context?.Database,
        scannedBytes: 0,
      };
      queries.set(query.id, query);
      await run(query, (input.ExecutionParameters as string[] | undefined) ?? []);
      return { QueryExecutionId: query.id };
    },
    'AmazonAthena.GetQueryExecution': (input) => {
      const q = find(input);
      return {
        QueryExecution: {
          QueryExecutionId: q.id,
          Query: q.sql,
          WorkGroup: q.workGroup,
          QueryExecutionContext: { Database: q.database },
          Status: { State: q.state, StateChangeReason: q.reason, SubmissionDateTime: q.submitted, CompletionDateTime: q.submitted },
          Statistics: { DataScannedInBytes: q.scannedBytes },
        },
      };
    },
    'AmazonAthena.GetQueryResults': (input) => {
      const q = find(input);
      if (q.state !== 'SUCCEEDED') throw new AwsServiceError('InvalidRequestException', `Query has not yet finished. Current state: ${q.state}`);
      const start = input.NextToken === undefined ? 0 : Number(input.NextToken);
      const max = Number(input.MaxResults ?? 1000) || 1000;
      // The first page starts with a header row of the column names, as Athena's does.
      const all = [Object.fromEntries(q.columns.map((c) => [c.Name, c.Name])), ...q.rows];
      const page = all.slice(start, start + max);
      return {
        ResultSet: {
          ResultSetMetadata: { ColumnInfo: q.columns.map((c) => ({ Name: c.Name, Label: c.Name, Type: c.Type })) },
          Rows: page.map((row) => ({
            Data: q.columns.map((c) => (row[c.Name] === null || row[c.Name] === undefined ? {} : { VarCharValue: String(row[c.Name]) })),
          })),
        },
        NextToken: start + max < all.length ? String(start + max) : undefined,
      };
    },
    'AmazonAthena.StopQueryExecution': (input) => {
      find(input);
      return {};
    },
  });
  return {
    url: server.url,
    get queries() {
      return [...queries.values()].map((q) => ({ id: q.id, sql: q.sql, state: q.state, reason: q.reason }));
    },
    close: () => server.close(),
  };
}
