/**
 * `impressions endpoints`: the SageMaker endpoints of this app that exist (and bill) now, and
 * `impressions endpoints delete --run <id>`: removes a run's endpoints, endpoint configs and models
 * in the safe order (endpoint, wait until it is gone, config, model), kept ones included, and stops
 * its training job if it still runs. The same pass as the janitor (lib/aws/sagemaker-cleanup.ts),
 * repeated until nothing is left, with one progress line per change.
 */
import { DescribeEndpointCommand, DescribeEndpointConfigCommand } from '@aws-sdk/client-sagemaker';
import { Command, InvalidArgumentError } from 'commander';
import { cleanUpPass, findRunResources, findTaggedResources, isClean, type CleanupClients } from '../../aws/sagemaker-cleanup';
import { unlessGone } from '../../core/run/cleanup-plan';
import { awsClients } from '../aws';
import { CliError } from '../errors';
import { loadProject } from '../project';

/** Clients, settings and output of the command, injectable for tests. */
export interface EndpointsDeps extends CleanupClients {
  readonly resourcePrefix: string;
  /** USD per instance-hour by instance type (config `hourlyPrices`). */
  readonly hourlyPrices: Readonly<Record<string, number>>;
  readonly out: NodeJS.WritableStream;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Time between two passes of `delete`. @default 15000 */
  readonly intervalMs?: number;
}

/** One endpoint of the app as `impressions endpoints` lists it. */
export interface EndpointListing {
  readonly name: string;
  readonly runId: string | null;
  readonly status: string;
  readonly kept: boolean;
  readonly instanceType: string | null;
  readonly instances: number;
  /** USD per hour at the configured price, or null when the instance type has none. */
  readonly usdPerHour: number | null;
}

/** Every endpoint tagged with the app's prefix that exists now. */
export async function listEndpoints(deps: EndpointsDeps): Promise<EndpointListing[]> {
  const tagged = (await findTaggedResources(deps.tagging, deps.resourcePrefix, 'app')).filter((r) => r.kind === 'endpoint');
  const listings: EndpointListing[] = [];
  for (const r of tagged) {
    const endpoint = await unlessGone(() => deps.sagemaker.send(new DescribeEndpointCommand({ EndpointName: r.name })));
    if (endpoint === undefined) continue;
    const config =
      endpoint.EndpointConfigName === undefined
        ? undefined
        : await unlessGone(() => deps.sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: endpoint.EndpointConfigName })));
    const variant = config?.ProductionVariants?.[0];
    const instanceType = variant?.InstanceType ?? null;
    const instances = endpoint.ProductionVariants?.[0]?.CurrentInstanceCount ?? variant?.InitialInstanceCount ?? 1;
    const price = instanceType === null ? undefined : deps.hourlyPrices[instanceType];
    listings.push({
      name: r.name,
      runId: r.runId ?? null,
      status: endpoint.EndpointStatus ?? 'Unknown',
      kept: r.kept,
      instanceType,
      instances,
      usdPerHour: price === undefined ? null : price * instances,
    });
  }
  return listings;
}

/** The lines `impressions endpoints` prints. */
export function endpointLines(listings: readonly EndpointListing[]): string[] {
  if (listings.length === 0) return ['No endpoint of this app exists: nothing is billing for hosting.'];
  const lines = listings.map(
    (e) =>
      `${e.name}  run ${e.runId ?? '(none)'}  ${e.status}  ${e.instances} × ${e.instanceType ?? '?'}  ${e.usdPerHour === null ? 'price not configured' : `about ${e.usdPerHour.toFixed(2)} USD/h`}${e.kept ? '  kept (keepEndpoints)' : ''}`,
  );
  const total = listings.reduce((sum, e) => sum + (e.usdPerHour ?? 0), 0);
  return [...lines, `${listings.length} endpoint(s), about ${total.toFixed(2)} USD per hour until deleted: npx impressions endpoints delete --run <run id>`];
}

/** Options of {@link deleteRunEndpoints}. */
export interface DeleteOptions {
  /** Keep passing until nothing is left (default) or stop after one pass. */
  readonly wait: boolean;
  /** Give up waiting after this long. @default 2 h */
  readonly timeoutMs?: number;
}

/**
 * Deletes what run `runId` left (kept endpoints included), pass after pass. Returns what is still
 * there when it stops (empty when all is gone).
 * @throws CliError when it gives up waiting, naming what is left.
 */
export async function deleteRunEndpoints(runId: string, options: DeleteOptions, deps: EndpointsDeps): Promise<readonly string[]> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const interval = deps.intervalMs ?? 15000;
  const deadline = (options.timeoutMs ?? 2 * 3600_000) / interval;
  let last = '';
  for (let pass = 0; ; pass++) {
    const resources = await findRunResources(deps.tagging, deps.resourcePrefix, runId);
    if (pass === 0 && resources.every((r) => r.unlisted === true)) {
      deps.out.write(`run ${runId}: no resource tagged with this run; nothing to delete\n`);
    }
    const report = await cleanUpPass(deps, resources, { includeKept: true });
    for (const name of report.stoppedTrainingJobs) deps.out.write(`stopped training job ${name}\n`);
    for (const name of report.deletedEndpoints) deps.out.write(`deleting endpoint ${name}\n`);
    for (const name of report.deletedEndpointConfigs) deps.out.write(`deleted endpoint config ${name}\n`);
    for (const name of report.deletedModels) deps.out.write(`deleted model ${name}\n`);
    if (isClean(report)) {
      deps.out.write(`run ${runId}: nothing is left\n`);
      return [];
    }
    const waiting = `waiting for: ${report.remaining.join('; ')}`;
    if (waiting !== last) deps.out.write(`${waiting}\n`);
    last = waiting;
    if (!options.wait) return report.remaining;
    if (pass + 1 >= deadline) throw new CliError(`run ${runId}: gave up waiting; still there: ${report.remaining.join('; ')} (run the command again later)`);
    await sleep(interval);
  }
}

function runIdArgument(value: string): string {
  if (!/^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/.test(value) || value.length > 32) throw new InvalidArgumentError('a run id is 1-32 letters, digits and inner hyphens');
  return value;
}

/** Registers `impressions endpoints` and `impressions endpoints delete`. */
export function register(program: Command): void {
  const depsFromProject = (region: string | undefined): EndpointsDeps => {
    const { config } = loadProject();
    const aws = awsClients({ region });
    return {
      sagemaker: aws.sageMaker,
      tagging: aws.tagging,
      resourcePrefix: config.resourcePrefix,
      hourlyPrices: config.hourlyPrices,
      out: process.stdout,
    };
  };
  const endpoints = program
    .command('endpoints')
    .description("list this app's SageMaker endpoints that exist (and bill) now, kept ones marked")
    .option('--region <region>', 'AWS region (default: from the AWS configuration)')
    .action(async (options: { region?: string }) => {
      const deps = depsFromProject(options.region);
      deps.out.write(`${endpointLines(await listEndpoints(deps)).join('\n')}\n`);
    });
  endpoints
    .command('delete')
    .description("delete a run's endpoints, endpoint configs and models in the safe order (kept ones too), and stop its training job")
    .requiredOption('--run <id>', 'run id (the execution name, as `impressions status` shows it)', runIdArgument)
    .option('--no-wait', 'one pass only: do not wait for deleting endpoints to be gone before deleting their configs and models')
    .option('--region <region>', 'AWS region (default: from the AWS configuration)')
    .action(async (options: { run: string; wait: boolean; region?: string }) => {
      // Commander gives an option the parent also declares to the parent, wherever it stands.
      const region = options.region ?? (endpoints.opts() as { region?: string }).region;
      await deleteRunEndpoints(options.run, { wait: options.wait }, depsFromProject(region));
    });
}
