/**
 * `impressions rehearse [--records N] [--fault <name>] [--keep] [--out <dir>]`: the whole run on this
 * machine before a cent is spent (README "Rehearse before you spend"; lib/local/rehearsal.ts).
 */
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { CliError, EXIT } from '../errors';
import { FAULTS, RehearsalError, runRehearsal, type FaultName } from '../../local/rehearsal';
import { MotoNotInstalledError } from '../../local/moto-server';

/** `rehearsal-<yyyymmdd-hhmmss>` in the current folder. */
export function defaultOutDir(now: Date): string {
  return path.join('rehearsal', now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15));
}

/** Registers `impressions rehearse`. */
export function register(program: Command): void {
  program
    .command('rehearse')
    .description('run the whole run locally (synthesized state machine, real Lambda bundles, moto and local stand-ins) before spending anything')
    .option('--records <n>', 'records of each dev set to evaluate (1-2000)', '20')
    .addOption(
      new Option(
        '--fault <name>',
        `inject a fault: ${Object.entries(FAULTS)
          .map(([k, v]) => `${k} (${v})`)
          .join('; ')}`,
      ).choices(Object.keys(FAULTS)),
    )
    .option('--keep', 'keep the working files (cloud assembly, prepared data) under <out>/work')
    .option('--out <dir>', 'output folder (default rehearsal/<yyyymmdd-hhmmss>)')
    .option('--assembly <dir>', 'use this synthesized cloud assembly (cdk synth --output) instead of synthesizing')
    .action(async (opts: { records: string; fault?: string; keep?: boolean; out?: string; assembly?: string }) => {
      const records = Number(opts.records);
      if (!Number.isInteger(records) || records < 1 || records > 2000)
        throw new CliError(`--records must be a whole number from 1 to 2000, got ${opts.records}`);
      try {
        const outcome = await runRehearsal({
          records,
          fault: opts.fault as FaultName | undefined,
          keep: opts.keep === true,
          outDir: opts.out ?? defaultOutDir(new Date()),
          assemblyDir: opts.assembly,
          progressLine: process.stderr.isTTY === true,
        });
        process.stdout.write(outcome.summary);
        if (!outcome.ok)
          throw new CliError(
            `rehearsal failed: ${outcome.checks
              .filter((c) => !c.ok)
              .map((c) => `${c.name}: ${c.detail}`)
              .join('; ')}`,
            EXIT.failed,
          );
      } catch (error) {
        if (error instanceof RehearsalError || error instanceof MotoNotInstalledError) throw new CliError(error.message, EXIT.failed);
        throw error;
      }
    });
}
