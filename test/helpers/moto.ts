/**
 * A moto server (`moto_server`, installed on the development machine) on 127.0.0.1 and a free port,
 * for tests that use the real AWS SDK clients against it. Stopped by its pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

/** A running moto server. */
export interface MotoServer {
  readonly endpoint: string;
  /** An S3 client pointed at it (path-style, dummy credentials). */
  s3(): S3Client;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(endpoint: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('moto_server did not start within 20 s');
}

/** Starts a moto server; call `stop()` in afterAll (also after a failure). */
export async function startMoto(): Promise<MotoServer> {
  const port = await freePort();
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilUp(endpoint, child);
  } catch (error) {
    if (child.pid !== undefined) process.kill(child.pid);
    throw error;
  }
  return {
    endpoint,
    s3: () => new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.pid === undefined) return resolve();
        child.once('exit', () => resolve());
        process.kill(child.pid);
      }),
  };
}

/** Creates `bucket` on the server. */
export async function createBucket(s3: S3Client, bucket: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
}
