import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ColumnSpec, ColumnType, PREDICTIONS_SCHEMA, REVIEW_SUMMARY_SCHEMA, REVIEWS_SCHEMA, SUMMARY_SCHEMA, TableSchema } from '../core/analytics/tables';
import { DataStore } from './data-store';

/** Properties of {@link ResultsCatalog}. */
export interface ResultsCatalogProps {
  /** The data bucket holding `prediction_data/`. */
  readonly dataStore: DataStore;
  /** Glue database name (lower-case letters, digits, underscores). */
  readonly databaseName: string;
  /**
   * Name of the predictions table.
   * @default 'predictions'
   */
  readonly predictionsTableName?: string;
  /**
   * Name of the summary table.
   * @default 'summary'
   */
  readonly summaryTableName?: string;
  /**
   * Name of the review rows table.
   * @default 'reviews'
   */
  readonly reviewsTableName?: string;
  /**
   * Name of the review figures table.
   * @default 'review_summary'
   */
  readonly reviewSummaryTableName?: string;
}

const GLUE_TYPES: Record<ColumnType, glue.Type> = {
  string: glue.Schema.STRING,
  double: glue.Schema.DOUBLE,
  bigint: glue.Schema.BIG_INT,
};

function glueColumns(columns: readonly ColumnSpec[]): glue.Column[] {
  return columns.map((c) => ({ name: c.name, type: GLUE_TYPES[c.type] }));
}

/**
 * The Glue database and the two JSON Lines tables over the run results in the data bucket:
 * `predictions` (partitioned by run_id, dataset, model) and `summary` (partitioned by run_id).
 *
 * No crawler and no partition projection: the run's final step registers each run's partitions
 * (see {@link grantRegisterPartitions}), so every run is queryable at once and queries over all
 * runs need no partition predicate. The objects are SSE-KMS: S3 decrypts them for any reader with
 * `kms:Decrypt` on the data key, so the tables are not flagged as client-side encrypted
 * (`has_encrypted_data` false); readers need the key grant, which the grant methods here do not give.
 */
export class ResultsCatalog extends Construct {
  /** The Glue database. */
  public readonly database: glue.Database;
  /** Table over `prediction_data/predictions/`. */
  public readonly predictionsTable: glue.S3Table;
  /** Table over `prediction_data/summary/`. */
  public readonly summaryTable: glue.S3Table;
  /** Review rows (radiologist judgements), partitioned by run_id and review_id. */
  public readonly reviewsTable: glue.S3Table;
  /** Review figures (preferences, ratings, agreement), partitioned by run_id and review_id. */
  public readonly reviewSummaryTable: glue.S3Table;

  constructor(scope: Construct, id: string, props: ResultsCatalogProps) {
    super(scope, id);
    if (!/^[a-z0-9_]{1,255}$/.test(props.databaseName)) {
      throw new Error(`ResultsCatalog: databaseName ${JSON.stringify(props.databaseName)} must be 1-255 lower-case letters, digits or underscores`);
    }
    // Only metadata: the rows stay in S3, and a redeploy recreates the tables (partitions are re-registered by the next run's final step).
    this.database = new glue.Database(this, 'Database', {
      databaseName: props.databaseName,
      description: 'radiology-impressions: generated impressions and ROUGE scores of every run',
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.predictionsTable = this.table(
      'Predictions',
      props.predictionsTableName ?? 'predictions',
      PREDICTIONS_SCHEMA,
      props.dataStore,
      'One row per report, model and run: generated and reference impression, ROUGE F/precision/recall, latency, error',
    );
    this.summaryTable = this.table(
      'Summary',
      props.summaryTableName ?? 'summary',
      SUMMARY_SCHEMA,
      props.dataStore,
      'One row per run, data set, model and metric: count, errors, mean with bootstrap CI, std, min, quartiles, max',
    );
    this.reviewsTable = this.table(
      'Reviews',
      props.reviewsTableName ?? 'reviews',
      REVIEWS_SCHEMA,
      props.dataStore,
      "One row per review item, reader and impression: the radiologist's ratings, harm flag, preference and correction, or why there is no answer",
    );
    this.reviewSummaryTable = this.table(
      'ReviewSummary',
      props.reviewSummaryTableName ?? 'review_summary',
      REVIEW_SUMMARY_SCHEMA,
      props.dataStore,
      'One row per review, data set, figure and model: preference rates, mean ratings, harm rates, inter-reader alpha, rank correlations, loop counts',
    );
  }

  private table<Row>(id: string, tableName: string, schema: TableSchema<Row>, dataStore: DataStore, description: string): glue.S3Table {
    const table = new glue.S3Table(this, id, {
      database: this.database,
      tableName,
      description,
      storage: glue.S3TableStorage.fromBucket(dataStore.bucket),
      s3Prefix: schema.prefix,
      dataFormat: glue.DataFormat.JSON,
      columns: glueColumns(schema.columns),
      partitionKeys: glueColumns(schema.partitionKeys),
      // SSE-KMS is transparent to Athena; `true` would mean client-side encryption (CSE-KMS).
      hasEncryptedData: false,
    });
    table.applyRemovalPolicy(RemovalPolicy.DESTROY);
    return table;
  }

  /** The ARNs a Glue call on the two tables is authorised against: catalog, database and tables. */
  private glueResources(): string[] {
    return [
      Stack.of(this).formatArn({ service: 'glue', resource: 'catalog' }),
      this.database.databaseArn,
      this.predictionsTable.tableArn,
      this.summaryTable.tableArn,
      this.reviewsTable.tableArn,
      this.reviewSummaryTable.tableArn,
    ];
  }

  /**
   * Lets `grantee` read the tables' metadata and partitions (what Athena needs from Glue to plan a
   * query). Reading the rows also needs the S3 and KMS grants of the data store.
   */
  public grantReadMetadata(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition'],
      resourceArns: this.glueResources(),
    });
  }

  /** Lets `grantee` read the two tables' definitions and add partitions to them (nothing else). */
  public grantRegisterPartitions(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['glue:GetTable', 'glue:BatchCreatePartition'],
      resourceArns: this.glueResources(),
    });
  }
}
