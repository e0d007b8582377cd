/** Helpers for tests that mock Athena: result pages shaped as GetQueryResults returns them. */
import type { GetQueryResultsCommandOutput } from '@aws-sdk/client-athena';

/** One page of results; the first page of a SELECT repeats the column names as its first row. */
export function resultPage(
  columns: readonly [string, string][],
  rows: readonly (readonly (string | null)[])[],
  options: { header?: boolean; nextToken?: string } = {},
): Partial<GetQueryResultsCommandOutput> {
  const datum = (v: string | null) => (v === null ? {} : { VarCharValue: v });
  const allRows = [...(options.header === true ? [columns.map(([name]) => name)] : []), ...rows];
  return {
    ResultSet: {
      ResultSetMetadata: { ColumnInfo: columns.map(([Name, Type]) => ({ Name, Label: Name, Type })) },
      Rows: allRows.map((r) => ({ Data: r.map(datum) })),
    },
    NextToken: options.nextToken,
  };
}
