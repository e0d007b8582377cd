/**
 * cfn-lint (1.51; `pip install cfn-lint`) run on synthesized templates, for the tests that hold the
 * templates to CloudFormation's resource schemas. Without a cfn-lint binary, {@link CFN_LINT_VERSION}
 * is undefined and each test that needs it is skipped with a line on stderr naming the test file.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** One finding of cfn-lint's JSON output. */
export interface CfnLintMatch {
  readonly Level: 'Error' | 'Warning' | 'Informational';
  readonly Rule: { readonly Id: string };
  readonly Message: string;
  readonly Filename: string;
}

const probe = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });

/** The installed cfn-lint's version line, or undefined when there is none. */
export const CFN_LINT_VERSION: string | undefined = probe.status === 0 ? probe.stdout.trim() : undefined;

/** `test`, or `test.skip` with a note naming `testFile` when cfn-lint is not installed. */
export function testWithCfnLint(testFile: string): jest.It {
  if (CFN_LINT_VERSION !== undefined) return test;
  process.stderr.write(`${testFile}: cfn-lint SKIPPED, no cfn-lint binary (pip install cfn-lint)\n`);
  return test.skip;
}

/**
 * cfn-lint's findings on template files, or on template objects (written to a temporary folder that
 * is removed afterwards). cfn-lint exits non-zero whenever it finds anything, warnings included, so
 * the exit code is not the verdict: the findings are. A run that prints to stderr (a crash, a bad
 * argument) throws with that output.
 */
export function cfnLint(templates: readonly (string | object)[], regions: readonly string[] = ['us-east-1']): CfnLintMatch[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-lint-'));
  try {
    const files = templates.map((t, i) => {
      if (typeof t === 'string') return t;
      const file = path.join(dir, `template-${i}.json`);
      fs.writeFileSync(file, JSON.stringify(t));
      return file;
    });
    // cfn-lint takes 30-60 s per template on a shared two-core machine.
    const run = spawnSync('cfn-lint', ['--format', 'json', '--regions', ...regions, '--', ...files], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      timeout: 300_000,
    });
    if (run.error !== undefined || run.stderr.trim() !== '') throw new Error(`cfn-lint failed: ${run.error?.message ?? run.stderr.trim()}`);
    return JSON.parse(run.stdout === '' ? '[]' : run.stdout) as CfnLintMatch[];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Findings as "rule file: message" lines, for readable test failures. */
export function describeFindings(findings: readonly CfnLintMatch[]): string[] {
  return findings.map((f) => `${f.Rule.Id} ${path.basename(f.Filename)}: ${f.Message}`);
}
