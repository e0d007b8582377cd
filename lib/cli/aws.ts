/**
 * The AWS side of the CLI: SDK clients that remember which call failed on which resource, and the
 * one translation of an AWS failure into a message that says what failed (service, call,
 * resource, region), why in plain words (no credentials, no region, stack not deployed, access
 * denied, endpoint unreachable, ...) and what to do. Every command builds its clients with
 * {@link awsClients}; `runCli` (program.ts) sends every error through {@link describeAwsFailure}.
 *
 * Error shapes handled, as the SDK v3 (3.11xx) produces them with real clients (see
 * test/lib/cli/aws.test.ts, which provokes each against a closed port, moto server and an empty
 * environment): `CredentialsProviderError` "Could not load credentials from any providers";
 * a plain `Error` "Region is missing"; Node's network errors (`code` ECONNREFUSED, ENOTFOUND, ...,
 * with `$metadata.attempts` after the SDK's retries); service exceptions with `name` (the error
 * code) and `$metadata.httpStatusCode`. S3 answers a HEAD request it refuses with a bare 403 and no
 * body, which the SDK names `Forbidden` or `Unknown`: any 403 counts as access denied.
 */
import type { AthenaClient } from '@aws-sdk/client-athena';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { describeFailure, INVOKE_TIMEOUT_MS } from '../core/evaluation/retry';

/** The call that failed, recorded by the middleware of {@link instrument}. */
export interface FailedCall {
  /** `S3`, `CloudFormation`, `Step Functions`, ... */
  readonly service: string;
  /** The API operation, e.g. `HeadObject`. */
  readonly operation: string;
  /** The IAM action the call needs, e.g. `s3:GetObject`. */
  readonly action: string;
  /** What the call was about, e.g. `s3://bucket/key` or `stack impressions-data`, when the input names it. */
  readonly resource?: string;
  /** The client's region, when one is set. */
  readonly region?: string;
}

/**
 * The failed calls, one registry per process: each command of the built CLI is its own bundle with its
 * own copy of this module (bin/cli-build.cjs), and the program that reports the error is another, so the
 * map lives on `globalThis` under a registered symbol rather than in the module.
 */
const registry = globalThis as unknown as Record<symbol, WeakMap<object, FailedCall> | undefined>;
const FAILED_CALLS = Symbol.for('radiology-impressions.failedCalls');
const failedCalls = (registry[FAILED_CALLS] ??= new WeakMap<object, FailedCall>());

/** The call recorded for `error` by an instrumented client, if any. */
export function failedCallOf(error: unknown): FailedCall | undefined {
  return typeof error === 'object' && error !== null ? failedCalls.get(error) : undefined;
}

/** The part of an SDK v3 client {@link instrument} uses. */
interface InstrumentableClient {
  readonly middlewareStack: {
    add(middleware: unknown, options: { step: 'initialize'; name: string; priority: 'high' }): void;
  };
  readonly config: { readonly region: unknown };
}

type Handler = (args: { input: object }) => Promise<unknown>;

/**
 * Adds a middleware (first of the initialize step, so it sees every later failure: credentials,
 * region, network, service) that records the failed call for {@link describeAwsFailure}.
 */
export function instrument<C extends InstrumentableClient>(client: C): C {
  const middleware =
    (next: Handler, context: { clientName?: string; commandName?: string }): Handler =>
    async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (typeof error === 'object' && error !== null && !failedCalls.has(error)) {
          failedCalls.set(error, await describeCall(client, context, args.input as Record<string, unknown>));
        }
        throw error;
      }
    };
  client.middlewareStack.add(middleware, { step: 'initialize', name: 'impressionsFailedCall', priority: 'high' });
  return client;
}

const SERVICES: Readonly<Record<string, { readonly label: string; readonly iamPrefix: string }>> = {
  S3Client: { label: 'S3', iamPrefix: 's3' },
  CloudFormationClient: { label: 'CloudFormation', iamPrefix: 'cloudformation' },
  SFNClient: { label: 'Step Functions', iamPrefix: 'states' },
  SageMakerClient: { label: 'SageMaker', iamPrefix: 'sagemaker' },
  SageMakerRuntimeClient: { label: 'SageMaker Runtime', iamPrefix: 'sagemaker' },
  AthenaClient: { label: 'Athena', iamPrefix: 'athena' },
  CognitoIdentityProviderClient: { label: 'Cognito', iamPrefix: 'cognito-idp' },
  ResourceGroupsTaggingAPIClient: { label: 'Resource Groups Tagging', iamPrefix: 'tag' },
};

/** S3 operations whose IAM action has another name. */
const S3_ACTIONS: Readonly<Record<string, string>> = {
  HeadObject: 's3:GetObject',
  ListObjectsV2: 's3:ListBucket',
  CreateMultipartUpload: 's3:PutObject',
  UploadPart: 's3:PutObject',
  CompleteMultipartUpload: 's3:PutObject',
};

async function describeCall(
  client: InstrumentableClient,
  context: { clientName?: string; commandName?: string },
  input: Record<string, unknown>,
): Promise<FailedCall> {
  const service = SERVICES[context.clientName ?? ''] ?? { label: (context.clientName ?? 'AWS').replace(/Client$/, ''), iamPrefix: '' };
  const operation = (context.commandName ?? 'call').replace(/Command$/, '');
  let region: string | undefined;
  try {
    const provider = client.config.region;
    const value: unknown = typeof provider === 'function' ? await (provider as () => Promise<unknown>)() : provider;
    region = typeof value === 'string' && value !== '' ? value : undefined;
  } catch {
    region = undefined;
  }
  const action = service.iamPrefix === 's3' ? (S3_ACTIONS[operation] ?? `s3:${operation}`) : `${service.iamPrefix || 'aws'}:${operation}`;
  return { service: service.label, operation, action, resource: resourceOf(input ?? {}), region };
}

/** The resource an operation's input names, in the words the README uses. */
function resourceOf(input: Record<string, unknown>): string | undefined {
  const text = (field: string): string | undefined => (typeof input[field] === 'string' && input[field] !== '' ? (input[field] as string) : undefined);
  const bucket = text('Bucket');
  if (bucket !== undefined) return `s3://${bucket}/${text('Key') ?? text('Prefix') ?? ''}`;
  const named: readonly (readonly [string, string])[] = [
    ['StackName', 'stack'],
    ['executionArn', 'execution'],
    ['stateMachineArn', 'state machine'],
    ['EndpointName', 'endpoint'],
    ['TrainingJobName', 'training job'],
    ['QueryExecutionId', 'Athena query'],
    ['WorkGroup', 'Athena workgroup'],
    ['UserPoolId', 'user pool'],
  ];
  for (const [field, label] of named) {
    const value = text(field);
    if (value !== undefined) return `${label} ${value}`;
  }
  return undefined;
}

/** The fields of an SDK or network error read here. */
interface ErrorLike {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly address?: unknown;
  readonly port?: unknown;
  readonly hostname?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown; readonly attempts?: unknown };
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'UND_ERR_SOCKET']);
const INVALID_CREDENTIALS = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'AuthFailure',
  'IncompleteSignature',
]);
const EXPIRED_CREDENTIALS = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired']);
const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'Forbidden', 'UnauthorizedOperation', 'AuthorizationError', 'NotAuthorized']);
const THROTTLED = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'SlowDown', 'RequestLimitExceeded']);
const NOT_FOUND = new Set([
  'NoSuchBucket',
  'NoSuchKey',
  'NotFound',
  'ResourceNotFound',
  'ResourceNotFoundException',
  'ExecutionDoesNotExist',
  'StateMachineDoesNotExist',
]);

const CREDENTIALS_HELP =
  "configure credentials for the deployment's account: AWS_PROFILE with a profile of ~/.aws/config (aws configure, or aws sso login), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY";

/** Is this an AWS SDK or network failure that {@link describeAwsFailure} can explain? */
export function isAwsFailure(error: unknown): boolean {
  if (failedCallOf(error) !== undefined) return true;
  if (typeof error !== 'object' || error === null) return false;
  const e = error as ErrorLike;
  return e.$metadata !== undefined || e.name === 'CredentialsProviderError' || e.message === 'Region is missing';
}

/**
 * What failed, why and what to do, for an AWS failure: a first line
 * `<Service> <Operation> failed for <resource> in <region>: <why>.` and a second `What to do: ...`.
 * Never the text of an InvokeEndpoint error (the container's message may quote the findings).
 */
export function describeAwsFailure(error: unknown): string {
  const call = failedCallOf(error);
  const e = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const message = typeof e.message === 'string' ? e.message : '';
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  // Node's own network errors carry `code`; where the SDK re-wrapped one ("AWS SDK error wrapper
  // for Error: connect ECONNREFUSED 127.0.0.1:9"), the code and address are read from the text.
  const wrapped = /^AWS SDK error wrapper for .*?\b(E[A-Z]+|UND_ERR_SOCKET)\b(?: ([\w.:-]+))?/.exec(message);
  const code = typeof e.code === 'string' ? e.code : wrapped?.[1];
  const where = call === undefined ? 'An AWS call' : `${call.service} ${call.operation}`;
  const on = [call?.resource !== undefined ? ` for ${call.resource}` : '', call?.region !== undefined ? ` in ${call.region}` : ''].join('');
  const regionWord = call?.region ?? 'the configured region';
  const [why, todo] = explain();
  return `${where} failed${on}: ${why}.\n  What to do: ${todo}.`;

  function explain(): [string, string] {
    if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
      if (/expired|refresh/i.test(message))
        return ['the AWS credentials have expired', `renew them (aws sso login, or new keys), then ${CREDENTIALS_HELP.replace(/^configure/, 'check')}`];
      return ['no AWS credentials were found', CREDENTIALS_HELP];
    }
    if (message === 'Region is missing') {
      return [
        'no AWS region is set',
        "set AWS_REGION (or a region in the profile of ~/.aws/config) to the deployment's region, or pass --region where the command has it",
      ];
    }
    if (code !== undefined && NETWORK_CODES.has(code)) {
      const host =
        typeof e.hostname === 'string'
          ? e.hostname
          : typeof e.address === 'string'
            ? `${e.address}${typeof e.port === 'number' ? `:${e.port}` : ''}`
            : wrapped?.[2];
      const attempts = typeof e.$metadata?.attempts === 'number' ? `, ${e.$metadata.attempts} attempts` : '';
      return [
        `the endpoint${host !== undefined ? ` ${host}` : ''} is unreachable (${code}${attempts})`,
        'check the network connection and any proxy, that the region is right, and AWS_ENDPOINT_URL if it is set',
      ];
    }
    if (name === 'TimeoutError' || name === 'RequestTimeout' || name === 'RequestTimeoutException') {
      return ['the request timed out', 'check the network connection, then run the command again'];
    }
    if (call?.operation === 'InvokeEndpoint' && (name === 'ModelError' || status === 429 || (status ?? 0) >= 500)) {
      // The error's message may quote the container's answer; only its name and status are shown.
      return [`the endpoint did not answer with an impression (${describeFailure(error, 1).replace(/ after 1 attempt$/, '')})`, endpointHelp(name, status)];
    }
    if (EXPIRED_CREDENTIALS.has(name)) return ['the AWS credentials have expired', `renew them (aws sso login, or new keys)`];
    if (INVALID_CREDENTIALS.has(name)) {
      return [
        `AWS rejected the credentials (${name})`,
        `check the access key or profile in use, and that it belongs to the deployment's account; ${CREDENTIALS_HELP}`,
      ];
    }
    if (call?.operation === 'DescribeStacks' && /does not exist/.test(message)) {
      return [
        `the stack is not deployed in ${regionWord} for this account`,
        `deploy it (npx cdk deploy --all), or set AWS_REGION / AWS_PROFILE to the region and account of the deployment`,
      ];
    }
    if (ACCESS_DENIED.has(name) || status === 403) {
      const s3 = call?.action.startsWith('s3:') === true ? ' (and kms:Decrypt / kms:GenerateDataKey on the data key: the bucket is SSE-KMS)' : '';
      return [
        `access denied to ${call?.resource ?? 'the resource'}${name !== 'AccessDenied' && name !== 'AccessDeniedException' ? ` (${name}, HTTP ${status ?? '?'})` : ''}`,
        `use credentials whose IAM policy allows ${call?.action ?? 'the call'}${call?.resource !== undefined ? ` on ${call.resource}` : ''}${s3}`,
      ];
    }
    if (name === 'NoSuchBucket') return [`the bucket does not exist for these credentials`, 'check --bucket, or the data stack outputs (npx cdk deploy --all)'];
    if (NOT_FOUND.has(name) || status === 404 || (status === 400 && /\b(not found|does not exist|could not find)\b/i.test(message))) {
      return [`${call?.resource ?? 'the resource'} does not exist in ${regionWord}`, 'check the name, and AWS_REGION / AWS_PROFILE'];
    }
    if (THROTTLED.has(name) || status === 429) return [`AWS throttled the requests (${name})`, 'wait a minute and run the command again'];
    if (status !== undefined && status >= 500) return [`AWS answered with a server error (${name}, HTTP ${status})`, 'run the command again later'];
    // An InvokeEndpoint message may quote the container's answer (report text): never shown.
    const shown =
      call?.operation === 'InvokeEndpoint' ? (status !== undefined ? ` (HTTP ${status})` : '') : message !== '' && message !== name ? `: ${message}` : '';
    return [`${name}${shown}`, 'run the command again with --debug for the details'];
  }
}

function endpointHelp(name: string, status: number | undefined): string {
  if (name === 'ModelError') return "read the endpoint's CloudWatch logs (/aws/sagemaker/Endpoints/<endpoint>), then try again";
  return status === 429 ? 'wait a minute and try again' : 'check that the endpoint is InService, then try again';
}

/** Options of the CLI's clients. */
export interface AwsClientOptions {
  /** Region of every client; the SDK's default chain (AWS_REGION, the profile) when absent. */
  readonly region?: string;
}

/** The SDK clients of a command, created on first use, each {@link instrument}ed. */
export interface AwsClients {
  readonly s3: S3Client;
  readonly cloudFormation: CloudFormationClient;
  readonly sfn: SFNClient;
  readonly sageMaker: SageMakerClient;
  readonly athena: AthenaClient;
  /** With the SDK's retries off: the evaluation's retry policy is the only one and counts attempts. */
  readonly sageMakerRuntime: SageMakerRuntimeClient;
  /** The readers' user pool of the review stack. */
  readonly cognito: CognitoIdentityProviderClient;
  /** Finds this app's SageMaker resources by their tags. */
  readonly tagging: ResourceGroupsTaggingAPIClient;
}

/**
 * The clients of a command, created on first use: a command loads only the SDK packages it uses
 * (loading them all costs about 0.4 s of start-up).
 */
export function awsClients(options: AwsClientOptions = {}): AwsClients {
  const config = options.region !== undefined ? { region: options.region } : {};
  const cache = new Map<string, unknown>();
  const lazy = <T extends InstrumentableClient>(key: string, create: () => T): T => {
    if (!cache.has(key)) cache.set(key, instrument(create()));
    return cache.get(key) as T;
  };
  /* eslint-disable @typescript-eslint/no-require-imports */
  return {
    get s3() {
      return lazy('s3', () => new (require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3')).S3Client(config));
    },
    get cloudFormation() {
      return lazy(
        'cloudFormation',
        () => new (require('@aws-sdk/client-cloudformation') as typeof import('@aws-sdk/client-cloudformation')).CloudFormationClient(config),
      );
    },
    get sfn() {
      return lazy('sfn', () => new (require('@aws-sdk/client-sfn') as typeof import('@aws-sdk/client-sfn')).SFNClient(config));
    },
    get sageMaker() {
      return lazy('sageMaker', () => new (require('@aws-sdk/client-sagemaker') as typeof import('@aws-sdk/client-sagemaker')).SageMakerClient(config));
    },
    get athena() {
      return lazy('athena', () => new (require('@aws-sdk/client-athena') as typeof import('@aws-sdk/client-athena')).AthenaClient(config));
    },
    get sageMakerRuntime() {
      return lazy(
        'sageMakerRuntime',
        () =>
          new (require('@aws-sdk/client-sagemaker-runtime') as typeof import('@aws-sdk/client-sagemaker-runtime')).SageMakerRuntimeClient({
            ...config,
            maxAttempts: 1,
            requestHandler: { requestTimeout: INVOKE_TIMEOUT_MS },
          }),
      );
    },
    get cognito() {
      return lazy(
        'cognito',
        () =>
          new (
            require('@aws-sdk/client-cognito-identity-provider') as typeof import('@aws-sdk/client-cognito-identity-provider')
          ).CognitoIdentityProviderClient(config),
      );
    },
    get tagging() {
      return lazy(
        'tagging',
        () =>
          new (
            require('@aws-sdk/client-resource-groups-tagging-api') as typeof import('@aws-sdk/client-resource-groups-tagging-api')
          ).ResourceGroupsTaggingAPIClient(config),
      );
    },
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}
