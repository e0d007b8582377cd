/**
 * Real AWS SDK clients in tests, without AWS: a moto server (5.2.1, `moto_server`) on a free
 * loopback port, started and stopped by its pid, and a controlled AWS environment for the code
 * under test (credentials, region, endpoint, no shared config files, no instance metadata).
 *
 * Tests that need moto are skipped, with a message, when `moto_server` is not on the PATH.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** Whether moto_server can be started here. */
export const MOTO_AVAILABLE = spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status === 0;

/** `describe`, or `describe.skip` with a message when moto_server is not installed. */
export function describeWithMoto(file: string): jest.Describe {
  if (!MOTO_AVAILABLE) process.stderr.write(`${path.basename(file)}: moto tests SKIPPED, no moto_server on the PATH (pip install 'moto[server]==5.2.1')\n`);
  return MOTO_AVAILABLE ? describe : describe.skip;
}

/** A running moto server. */
export interface Moto {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  /** Stops the server (by its pid) and waits for it to exit. */
  stop(): Promise<void>;
}

/** A port nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts moto_server on 127.0.0.1. `env` is added to its environment, e.g.
 * `INITIAL_NO_AUTH_ACTION_COUNT: '0'` to make it check IAM credentials and policies.
 */
export async function startMoto(env: Record<string, string> = {}): Promise<Moto> {
  const port = await freePort();
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited: ${stderr.slice(-500)}`);
    if (await answers(port)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`moto_server did not answer on port ${port} within 60 s: ${stderr.slice(-500)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { endpoint: `http://127.0.0.1:${port}`, port, stop };
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/moto-api/', timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode !== undefined && response.statusCode < 500);
    });
    request.on('error', () => resolve(false));
    request.on('timeout', () => {
      request.destroy();
      resolve(false);
    });
  });
}

/** Variables of the AWS environment the SDK reads; every one is cleared by {@link withAwsEnv} first. */
const AWS_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME',
  'AWS_EC2_METADATA_DISABLED',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
];

/**
 * The environment of a machine with nothing configured: no credentials, no region, empty shared
 * config and credentials files, instance metadata off (so no 1 s probe of 169.254.169.254).
 * Add `AWS_REGION`, keys or `AWS_ENDPOINT_URL` on top.
 */
export function bareAwsEnv(extra: Record<string, string> = {}): Record<string, string> {
  const empty = path.join(os.tmpdir(), 'impressions-empty-aws-config');
  if (!fs.existsSync(empty)) fs.writeFileSync(empty, '');
  return { AWS_CONFIG_FILE: empty, AWS_SHARED_CREDENTIALS_FILE: empty, AWS_EC2_METADATA_DISABLED: 'true', ...extra };
}

/** Runs `fn` with the AWS variables of `process.env` replaced by `env`, restoring them afterwards. */
export async function withAwsEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = new Map(AWS_VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of AWS_VARIABLES) delete process.env[name];
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const name of [...AWS_VARIABLES, ...Object.keys(env)]) delete process.env[name];
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
  }
}

/** Test credentials moto accepts when it does not check IAM. */
export const MOTO_KEYS = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };

/**
 * Creates an IAM user with an access key and no policy, on a moto started with
 * `INITIAL_NO_AUTH_ACTION_COUNT: '2'` (these are its two unauthenticated calls). Requests signed
 * with the key are then refused by every service moto checks (S3 among them), as AWS refuses a
 * principal without permissions.
 */
export async function userWithoutPolicies(moto: Moto): Promise<{ AWS_ACCESS_KEY_ID: string; AWS_SECRET_ACCESS_KEY: string }> {
  const iam = async (body: string): Promise<string> => {
    const response = await fetch(`${moto.endpoint}/`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: 'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: `${body}&Version=2010-05-08`,
    });
    return response.text();
  };
  await iam('Action=CreateUser&UserName=no-permissions');
  const key = await iam('Action=CreateAccessKey&UserName=no-permissions');
  const id = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(key)?.[1];
  const secret = /<SecretAccessKey>([^<]+)<\/SecretAccessKey>/.exec(key)?.[1];
  if (id === undefined || secret === undefined) throw new Error(`moto did not create an access key: ${key.slice(0, 300)}`);
  return { AWS_ACCESS_KEY_ID: id, AWS_SECRET_ACCESS_KEY: secret };
}
