import * as path from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Repository root, from which Lambda entry files are resolved. */
const PROJECT_ROOT = path.join(__dirname, '..', '..');

/** How a function is invoked, which decides the HIPAA LambdaDLQ acknowledgement. */
export enum InvocationMode {
  /** Called and awaited by Step Functions or the custom-resource framework; the caller sees and retries every error. */
  SYNCHRONOUS = 'synchronous',
  /** Invoked asynchronously (EventBridge); failed events go to a dead-letter queue. */
  ASYNCHRONOUS = 'asynchronous',
}

/** Properties of {@link ImpressionsFunction}. */
export interface ImpressionsFunctionProps {
  /** Folder under `lambda/` holding the handler's `index.ts` (exporting `handler`, or `handlerName`). */
  readonly handlerDir: string;
  /** What the function does, shown in the console. */
  readonly description: string;
  /** Key encrypting the log group. */
  readonly logKey: kms.IKey;
  /** Synchronous (Step Functions, custom resource) or asynchronous (EventBridge). */
  readonly invocation: InvocationMode;
  /**
   * Exported handler name in `index.ts`.
   * @default 'handler'
   */
  readonly handlerName?: string;
  /** @default Duration.minutes(1) */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /**
   * Concurrent executions reserved for (and capping) this function.
   * @default 2
   */
  readonly reservedConcurrentExecutions?: number;
  /** Extra environment variables (no secrets). */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Log retention.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
  /** @default 'INFO' */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /**
   * Dead-letter queue for asynchronous invocations (required when `invocation` is asynchronous).
   * @default - none
   */
  readonly deadLetterQueue?: sqs.IQueue;
}

/**
 * The one way this app builds a Lambda function: Node.js 24, bundled locally by esbuild (no
 * Docker), ARM64, X-Ray tracing, Powertools environment, a KMS-encrypted log group with retention,
 * reserved concurrency, and for asynchronous functions a dead-letter queue with two retries. The
 * Powertools service name (`POWERTOOLS_SERVICE_NAME`) is the handler's folder, e.g. `validate-input`:
 * handlers create `new Logger()` and never name the service themselves (a lint rule holds it).
 *
 * The function is not placed in a VPC: it reaches only AWS APIs (SageMaker, S3, Service Quotas)
 * over TLS with IAM authentication, and the account has no VPC of this app to join; the HIPAA
 * LambdaInsideVPC finding is acknowledged here with that reason. It cannot check that the handler
 * file exports the named handler; esbuild only checks that it bundles.
 */
export class ImpressionsFunction extends nodejs.NodejsFunction {
  /** The function's log group (KMS-encrypted). */
  public readonly logGroupEncrypted: logs.LogGroup;
  /** The function's role (no managed policies). */
  public readonly executionRole: iam.Role;

  constructor(scope: Construct, id: string, props: ImpressionsFunctionProps) {
    if (props.invocation === InvocationMode.ASYNCHRONOUS && props.deadLetterQueue === undefined) {
      throw new Error(`ImpressionsFunction ${id}: an asynchronously invoked function needs a deadLetterQueue`);
    }
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      encryptionKey: props.logKey,
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Our own role: no AWS managed policy; log writing is granted on this log group only.
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `radiology-impressions ${props.handlerDir} function`,
    });
    logGroup.grantWrite(role);
    const entry = path.join(PROJECT_ROOT, 'lambda', props.handlerDir, 'index.ts');
    super(scope, id, {
      entry,
      handler: props.handlerName ?? 'handler',
      description: props.description,
      role,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: props.timeout ?? Duration.minutes(1),
      memorySize: props.memorySize ?? 512,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions ?? 2,
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      projectRoot: PROJECT_ROOT,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.handlerDir,
        LOG_LEVEL: props.logLevel ?? 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      deadLetterQueueEnabled: props.deadLetterQueue !== undefined ? true : undefined,
      deadLetterQueue: props.deadLetterQueue,
      retryAttempts: props.invocation === InvocationMode.ASYNCHRONOUS ? 2 : undefined,
      maxEventAge: props.invocation === InvocationMode.ASYNCHRONOUS ? Duration.hours(6) : undefined,
      bundling: {
        minify: true,
        sourceMap: true,
        target: 'node24',
        format: nodejs.OutputFormat.CJS,
        // The v3 SDK ships with the runtime, but pinning our own keeps behaviour identical to the tests.
        externalModules: [],
      },
    });
    this.logGroupEncrypted = logGroup;
    this.executionRole = role;

    Validations.of(role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
      },
      {
        id: 'HIPAA.Security-IAMNoInlinePolicy',
        reason:
          'The policy is built from CDK grants scoped to this function (its log group, prefixes, resource-name prefixes); an inline policy keeps it deleted with the role.',
      },
    );

    Validations.of(this).acknowledge({
      id: 'HIPAA.Security-LambdaInsideVPC',
      reason:
        'The function calls only AWS APIs (SageMaker, S3, Service Quotas, tagging) over TLS with IAM auth; the app owns no VPC and no private network resource to reach.',
    });
    if (props.invocation === InvocationMode.SYNCHRONOUS) {
      Validations.of(this).acknowledge({
        id: 'HIPAA.Security-LambdaDLQ',
        reason:
          'Invoked synchronously (Step Functions task or CloudFormation custom-resource framework): the caller receives every error and retries it; a DLQ only applies to asynchronous invocations.',
      });
    }
  }
}
