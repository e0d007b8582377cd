import { Annotations, ArnFormat, Aws, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** The prefixes of the data bucket (DESIGN.md "S3 layout"); each has its own grant. */
export enum DataPrefix {
  /** Training channel (`train_data/train.jsonl`). */
  TRAIN_DATA = 'train_data/',
  /** Evaluation sets (`eval_data/dev1.jsonl`, `eval_data/dev2.jsonl`). */
  EVAL_DATA = 'eval_data/',
  /** Per-run artefacts: training output, checkpoints, shard manifests. */
  RUNS = 'runs/',
  /** Prediction and summary rows read by Glue and Athena. */
  PREDICTION_DATA = 'prediction_data/',
  /** Athena query results. */
  ATHENA_RESULTS = 'athena-results/',
  /** Radiologist reviews' work area: descriptions, items with their hidden assignment, wait tokens. */
  REVIEWS = 'reviews/',
  /** Where A2I writes its output documents (inside `reviews/`). */
  A2I_OUTPUT = 'reviews/a2i-output/',
  /** Review rows and figures read by Glue and Athena (inside `prediction_data/`). */
  REVIEW_RESULTS = 'prediction_data/reviews/',
}

/** Properties of {@link DataStore}. */
export interface DataStoreProps {
  /**
   * Physical name of the data bucket.
   * @default - `llm-radiology-bucket-<account>-<region>`
   */
  readonly bucketName?: string;
  /**
   * Empty and delete the buckets and schedule the key's deletion when the stack is destroyed.
   * Patient data: a synth-time warning is added when true.
   * @default false - buckets and key are retained
   */
  readonly removeDataOnDestroy?: boolean;
  /**
   * How long noncurrent object versions are kept before they expire.
   * @default Duration.days(30)
   */
  readonly noncurrentVersionExpiration?: Duration;
  /**
   * How long Athena query results are kept.
   * @default Duration.days(30)
   */
  readonly athenaResultsExpiration?: Duration;
  /**
   * Alias of the customer-managed key.
   * @default - no alias
   */
  readonly keyAlias?: string;
}

/**
 * The encrypted home of all patient data: a customer-managed KMS key with rotation, the data bucket
 * (SSE-KMS with a bucket key, TLS 1.2+ only, public access blocked, versioned, access-logged) and
 * the bucket receiving its server access logs.
 *
 * The key policy lets CloudWatch Logs in this account and region use the key, so log groups in
 * other stacks can be encrypted with it without a dependency cycle back to this stack.
 */
export class DataStore extends Construct {
  /** The customer-managed key encrypting the bucket, logs, topics and SageMaker output. */
  public readonly key: kms.Key;
  /** The data bucket. */
  public readonly bucket: s3.Bucket;
  /** The bucket receiving server access logs of the data bucket (SSE-S3: S3 log delivery cannot use KMS). */
  public readonly accessLogsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: DataStoreProps = {}) {
    super(scope, id);
    validateProps(props);
    const removeData = props.removeDataOnDestroy ?? false;
    const removalPolicy = removeData ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    if (removeData) {
      Annotations.of(this).addWarningV2(
        'radiology-impressions:removeDataOnDestroy',
        'removeDataOnDestroy is true: `cdk destroy` empties and deletes the data bucket (patient data) and its access logs, and schedules the KMS key for deletion.',
      );
    }

    this.key = new kms.Key(this, 'Key', {
      description: 'radiology-impressions: encrypts patient data, logs, notifications and SageMaker output',
      enableKeyRotation: true,
      alias: props.keyAlias,
      removalPolicy,
      pendingWindow: Duration.days(30),
    });
    const stack = Stack.of(this);
    const anyLogGroup = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsOfThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        // A key policy's resource is always the key itself.
        resources: ['*'],
        conditions: {
          // CloudWatch Logs names the log group it encrypts for in the encryption context; only log
          // groups of this account and region match (the documented key policy for log groups:
          // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
          // That covers the app's own groups and SageMaker's /aws/sagemaker/TrainingJobs and
          // /aws/sagemaker/Endpoints/<endpoint> (lib/constructs/sagemaker-log-groups.ts).
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': anyLogGroup },
          // Confused-deputy keys: CloudWatch Logs does not document sending them on its KMS calls, and
          // an absent key would fail a plain StringEquals and stop every log write, so they bind the
          // request only when present; the encryption context above binds it always.
          StringEqualsIfExists: { 'aws:SourceAccount': stack.account },
          ArnLikeIfExists: { 'aws:SourceArn': anyLogGroup },
        },
      }),
    );

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      removalPolicy,
      autoDeleteObjects: removeData,
      lifecycleRules: [
        { id: 'archive-access-logs', transitions: [{ storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(90) }] },
        { id: 'expire-noncurrent-log-versions', noncurrentVersionExpiration: Duration.days(30) },
      ],
    });
    Validations.of(this.accessLogsBucket).acknowledge(
      {
        id: 'HIPAA.Security-S3DefaultEncryptionKMS',
        reason: 'S3 server access log delivery only supports SSE-S3 on the destination bucket; it holds request metadata, not report text.',
      },
      {
        id: 'HIPAA.Security-S3BucketReplicationEnabled',
        reason:
          'Single-region deployment by design: replicating logs of patient-data access to another region is a data-residency decision left to the account owner.',
      },
    );

    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: props.bucketName ?? `llm-radiology-bucket-${Aws.ACCOUNT_ID}-${Aws.REGION}`,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'data-bucket/',
      removalPolicy,
      autoDeleteObjects: removeData,
      lifecycleRules: [
        { id: 'expire-noncurrent-versions', noncurrentVersionExpiration: props.noncurrentVersionExpiration ?? Duration.days(30) },
        { id: 'expire-athena-results', prefix: DataPrefix.ATHENA_RESULTS, expiration: props.athenaResultsExpiration ?? Duration.days(30) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
    });
    this.denyOtherEncryption();
    Validations.of(this.bucket).acknowledge({
      id: 'HIPAA.Security-S3BucketReplicationEnabled',
      reason: 'Single-region deployment by design (data residency of patient data); durability comes from S3, versioning and retention on destroy.',
    });
  }

  /**
   * Bucket policy: an object may only be written under the data key. A request that names no
   * encryption gets the bucket default (SSE-KMS with the data key, bucket key on), so the Lambdas
   * and the CLI, which send no encryption header, keep working; Athena (workgroup SSE_KMS with the
   * key ARN) and SageMaker training output (`OutputDataConfig.KmsKeyId`, the key ARN) name this
   * very key. Denied for every principal: SSE-S3 or DSSE-KMS (`x-amz-server-side-encryption`
   * other than `aws:kms`), another KMS key, `aws:kms` without a key (S3 would use the AWS managed
   * `aws/s3` key, not the bucket default) and customer-provided keys (SSE-C). Condition keys:
   * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html#amazons3-policy-keys.
   * A negated operator matches a request without the key, so each "other than" is paired with
   * `Null: false` (the header is there). The access-log bucket is separate: S3 log delivery writes
   * there with SSE-S3.
   */
  private denyOtherEncryption(): void {
    const objects = this.bucket.arnForObjects('*');
    const SSE = 's3:x-amz-server-side-encryption';
    const KEY = 's3:x-amz-server-side-encryption-aws-kms-key-id';
    const deny = (sid: string, conditions: Record<string, Record<string, string>>): void => {
      this.bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid,
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['s3:PutObject'],
          resources: [objects],
          conditions,
        }),
      );
    };
    deny('DenyEncryptionOtherThanKms', { Null: { [SSE]: 'false' }, StringNotEquals: { [SSE]: 'aws:kms' } });
    deny('DenyKmsKeysOtherThanTheDataKey', { Null: { [KEY]: 'false' }, StringNotEquals: { [KEY]: this.key.keyArn } });
    deny('DenyKmsWithoutTheDataKey', { StringEquals: { [SSE]: 'aws:kms' }, Null: { [KEY]: 'true' } });
    deny('DenyCustomerProvidedKeys', { Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' } });
  }

  /**
   * Lets `grantee` read the objects under `prefix` whose key (after the prefix) matches the IAM
   * pattern `keys` (`*` matches any characters, `/` included), and decrypt them. The default is
   * every object under the prefix; the run state machine, for one, reads only the shard manifests.
   * Listing covers the whole bucket (key names: run ids, data set and model names, never report
   * text): S3 answers a read of a missing key with NoSuchKey only to a caller who may list, and
   * every reader's error messages rely on that.
   */
  public grantRead(grantee: iam.IGrantable, prefix: DataPrefix, keys = '*'): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetObject'], resourceArns: [this.bucket.arnForObjects(objectKeys(prefix, keys))] })
      .combine(iam.Grant.addToPrincipal({ grantee, actions: ['s3:ListBucket', 's3:GetBucketLocation'], resourceArns: [this.bucket.bucketArn] }))
      .combine(this.key.grant(grantee, 'kms:Decrypt'));
  }

  /**
   * Lets `grantee` put (create or overwrite, multipart included) the objects under `prefix` whose
   * key matches `keys`, encrypted with the data key: S3 asks KMS for a data key on every put, and
   * to decrypt it again when a multipart upload completes. Never delete: with versioning on, an
   * overwrite keeps the previous version, and nothing in the app deletes data.
   */
  public grantWrite(grantee: iam.IGrantable, prefix: DataPrefix, keys = '*'): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      resourceArns: [this.bucket.arnForObjects(objectKeys(prefix, keys))],
    })
      .combine(iam.Grant.addToPrincipal({ grantee, actions: ['s3:ListBucketMultipartUploads'], resourceArns: [this.bucket.bucketArn] }))
      .combine(this.key.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt'));
  }

  /** Lets `grantee` encrypt and decrypt with the key (logs, topics, SageMaker volumes). */
  public grantKeyEncryptDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.key.grantEncryptDecrypt(grantee);
  }
}

/** `<prefix><keys>`, refusing a pattern that would leave its prefix (`..`, a leading `/`). */
function objectKeys(prefix: DataPrefix, keys: string): string {
  if (keys === '' || keys.startsWith('/') || keys.split('/').includes('..'))
    throw new Error(`DataStore: ${JSON.stringify(keys)} is not a key pattern under ${prefix}`);
  return `${prefix}${keys}`;
}

function validateProps(props: DataStoreProps): void {
  const problems: string[] = [];
  const name = props.bucketName;
  if (name !== undefined && !Token.isUnresolved(name) && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name)) {
    problems.push(`bucketName ${JSON.stringify(name)} is not a valid S3 bucket name`);
  }
  for (const key of ['noncurrentVersionExpiration', 'athenaResultsExpiration'] as const) {
    const value = props[key];
    if (value !== undefined && !value.isUnresolved() && value.toHours({ integral: false }) < 24) problems.push(`${key} must be at least 1 day`);
  }
  if (problems.length > 0) throw new Error(`DataStore: ${problems.join('; ')}`);
}
