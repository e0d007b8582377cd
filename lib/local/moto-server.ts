/**
 * Starts moto's server (`moto_server`, from `pip install "moto[server]==5.2.1"`) on 127.0.0.1 and a
 * free port, for the rehearsal's S3, KMS, Glue, CloudFormation, CloudWatch and SNS. The server runs
 * under a small shell guard that reads its standard input: when the rehearsal ends in any way,
 * even killed, the pipe closes and the guard stops moto, so nothing outlives the rehearsal.
 * `stop()` also kills both processes by their ids.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';

/** moto is not installed (or not on PATH). */
export class MotoNotInstalledError extends Error {
  constructor(detail: string) {
    super(
      `moto_server was not found (${detail}). The rehearsal needs moto's server for S3, KMS, Glue and CloudFormation: ` +
        'install it with  pip install "moto[server]==5.2.1"  (Python 3.9+), make sure `moto_server` is on PATH, then run again.',
    );
    this.name = 'MotoNotInstalledError';
  }
}

/** A running moto server. */
export interface MotoServer {
  readonly url: string;
  readonly port: number;
  /** Process ids of the guard shell and of moto itself. */
  readonly pids: readonly number[];
  /** Stops moto (by pid) and waits for it to exit. */
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (asked from the kernel, then released for the server to bind). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Throws {@link MotoNotInstalledError} unless `moto_server` runs. */
export function checkMotoInstalled(command = 'moto_server'): void {
  const probe = spawnSync(command, ['--help'], { encoding: 'utf8', timeout: 20_000 });
  if (probe.error !== undefined) throw new MotoNotInstalledError(`${command}: ${(probe.error as NodeJS.ErrnoException).code ?? probe.error.message}`);
  if (probe.status !== 0) throw new MotoNotInstalledError(`${command} --help exited with ${probe.status}`);
}

async function waitUntilReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with code ${child.exitCode} before it answered`);
    try {
      const response = await fetch(`${url}/moto-api/data.json`);
      if (response.ok) return;
      lastError = `HTTP ${response.status}`;
    } catch (error) {
      lastError = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`moto_server did not answer on ${url} within ${timeoutMs} ms (${lastError})`);
}

/** Starts moto on 127.0.0.1 and a free port; resolves once it answers. */
export async function startMoto(options: { command?: string; timeoutMs?: number; log?: (line: string) => void } = {}): Promise<MotoServer> {
  const command = options.command ?? 'moto_server';
  checkMotoInstalled(command);
  const port = await freePort();
  // The guard: moto in the background, its pid on stdout, then wait for stdin to close and stop it.
  const guard = `"$1" -H 127.0.0.1 -p "$2" >/dev/null 2>&1 & m=$!; echo "$m"; trap 'kill "$m" 2>/dev/null' EXIT INT TERM; cat >/dev/null; kill "$m" 2>/dev/null; wait "$m" 2>/dev/null`;
  const child = spawn('sh', ['-c', guard, 'moto-guard', command, String(port)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const motoPid = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once('exit', (code) => reject(new Error(`moto guard exited with ${code}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      process.kill(motoPid, 'SIGTERM');
    } catch {
      // already gone
    }
    child.stdin?.end();
    const timer = setTimeout(() => {
      for (const pid of [motoPid, child.pid!]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }, 5_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitUntilReady(url, child, options.timeoutMs ?? 30_000);
  } catch (error) {
    await stop();
    throw error;
  }
  options.log?.(`moto_server ${url} (pid ${motoPid})`);
  return { url, port, pids: [child.pid!, motoPid], stop };
}
