import { Size, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { NamedQuerySpec } from '../core/analytics/queries';
import { DataPrefix, DataStore } from './data-store';

/** Properties of {@link AthenaWorkgroup}. */
export interface AthenaWorkgroupProps {
  /** The data bucket and key: results go to its `athena-results/` prefix, encrypted with its key. */
  readonly dataStore: DataStore;
  /** Physical name of the workgroup (needed by the CLI and QuickSight). */
  readonly workGroupName: string;
  /** Glue database the named queries run in. */
  readonly databaseName: string;
  /**
   * Queries saved in the workgroup.
   * @default - none
   */
  readonly namedQueries?: readonly NamedQuerySpec[];
  /**
   * A query that scans more than this is cancelled.
   * @default Size.gibibytes(10)
   */
  readonly bytesScannedCutoffPerQuery?: Size;
}

/** Athena engine the workgroup pins (Trino-based). */
export const ATHENA_ENGINE_VERSION = 'Athena engine version 3';

/**
 * An Athena workgroup whose settings clients cannot override: results under `athena-results/` of
 * the data bucket, SSE-KMS with the data key, only if the bucket is owned by this account, engine
 * version 3, a per-query scan limit, and CloudWatch metrics. Holds the named queries.
 *
 * Query results contain report text: they live in the data bucket under the same key and expire
 * with the bucket's `athena-results/` lifecycle rule.
 */
export class AthenaWorkgroup extends Construct {
  /** Name of the workgroup. */
  public readonly workGroupName: string;
  /** ARN of the workgroup. */
  public readonly workGroupArn: string;
  private readonly dataStore: DataStore;

  constructor(scope: Construct, id: string, props: AthenaWorkgroupProps) {
    super(scope, id);
    const cutoff = props.bytesScannedCutoffPerQuery ?? Size.gibibytes(10);
    // Athena's minimum cutoff is 10 MB.
    if (!cutoff.isUnresolved() && cutoff.toBytes() < 10_000_000) {
      throw new Error(`AthenaWorkgroup: bytesScannedCutoffPerQuery must be at least 10 MB, got ${cutoff.toBytes()} bytes`);
    }
    this.dataStore = props.dataStore;
    const stack = Stack.of(this);
    const workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: props.workGroupName,
      description: 'radiology-impressions: queries over the run results (enforced encryption and scan limit)',
      state: 'ENABLED',
      // Lets `cdk destroy` remove the workgroup with its saved queries and query history.
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: cutoff.toBytes(),
        requesterPaysEnabled: false,
        engineVersion: { selectedEngineVersion: ATHENA_ENGINE_VERSION },
        resultConfiguration: {
          outputLocation: `s3://${props.dataStore.bucket.bucketName}/${DataPrefix.ATHENA_RESULTS}`,
          expectedBucketOwner: stack.account,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: props.dataStore.key.keyArn },
        },
      },
    });
    this.workGroupName = workGroup.ref;
    this.workGroupArn = stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: workGroup.ref });

    for (const query of props.namedQueries ?? []) {
      const named = new athena.CfnNamedQuery(this, `Query-${query.name}`, {
        name: query.name,
        description: query.description,
        database: props.databaseName,
        workGroup: workGroup.ref,
        queryString: query.sql,
      });
      named.addResourceDependency(workGroup);
    }
  }

  /**
   * Lets `grantee` run queries in this workgroup and read and write their results (S3 and KMS):
   * Athena reads and writes query results with the caller's credentials, multipart uploads
   * included, and never deletes them (the bucket's `athena-results/` lifecycle rule expires them).
   * The tables' Glue metadata and data need their own grants.
   */
  public grantQuery(grantee: iam.IGrantable): iam.Grant {
    const athenaGrant = iam.Grant.addToPrincipal({
      grantee,
      actions: [
        'athena:GetWorkGroup',
        'athena:StartQueryExecution',
        'athena:StopQueryExecution',
        'athena:GetQueryExecution',
        'athena:BatchGetQueryExecution',
        'athena:GetQueryResults',
        'athena:GetQueryResultsStream',
      ],
      resourceArns: [this.workGroupArn],
    });
    return athenaGrant
      .combine(this.dataStore.grantRead(grantee, DataPrefix.ATHENA_RESULTS))
      .combine(this.dataStore.grantWrite(grantee, DataPrefix.ATHENA_RESULTS));
  }
}
