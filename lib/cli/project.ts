/**
 * Finds the project the CLI works for, the way `cdk` does from a subfolder: the nearest folder at or
 * above the working directory that holds a cdk.json. Its settings (cdk.json, cdk.context.json,
 * ~/.cdk.json, merged as the CDK CLI merges them) are the configuration every command uses, and
 * the files read are printed on standard error so nobody wonders which settings applied.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { configFromContextFiles, type ImpressionsConfig } from '../config';
import { ContextFileError, readContextFiles, type ContextFile } from '../context-sources';
import { CliError } from './errors';

/** The folder of this package (where `npx impressions` works out of the box). */
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');

/** A project: its folder, the context files read, and the validated configuration. */
export interface Project {
  readonly dir: string;
  readonly files: readonly ContextFile[];
  readonly config: ImpressionsConfig;
}

/** Where {@link loadProject} starts and what it reports. */
export interface ProjectOptions {
  /** @default process.cwd() */
  readonly cwd?: string;
  /** Folder holding the user's .cdk.json. @default os.homedir() */
  readonly home?: string;
  /** Receives the line naming the configuration files. @default a line on standard error */
  readonly log?: (line: string) => void;
}

/** The nearest folder at or above `start` that holds a cdk.json, or undefined. */
export function findProjectDir(start: string): string | undefined {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'cdk.json'))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * Finds the project, reads and validates its configuration, and logs which files were read.
 * @throws CliError (bad input) when no folder up from `cwd` holds a cdk.json, or a file is not valid JSON;
 * ConfigError for an invalid or unknown setting.
 */
export function loadProject(options: ProjectOptions = {}): Project {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const dir = findProjectDir(cwd);
  if (dir === undefined) {
    throw new CliError(
      `no cdk.json in ${cwd} or any folder above it: run impressions from the project folder (cd ${PACKAGE_ROOT}) ` +
        'or from a folder whose cdk.json holds your impressions:* settings',
    );
  }
  let files: ContextFile[];
  try {
    files = readContextFiles(dir, options.home ?? os.homedir());
  } catch (error) {
    if (error instanceof ContextFileError) throw new CliError(error.message);
    throw error;
  }
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const read = files.length > 0 ? files.map((f) => f.path).join(', ') : `${path.join(dir, 'cdk.json')} (no context: defaults)`;
  log(`configuration: ${read}`);
  return { dir, files, config: configFromContextFiles(files) };
}
