/**
 * The synthesized templates pass the tools that know CloudFormation and Amazon States Language
 * better than a hand-written assertion: cfn-lint (1.51; `pip install cfn-lint`) with zero errors
 * over every template, and asl-validator over every state machine definition (a definition built
 * with `Fn::Join` is a string to cfn-lint, so its states are checked here). Both for the default
 * app and for one with every optional part on. Without a cfn-lint binary that part is reported as
 * skipped; .ci/run installs it when it can.
 */
import { spawnSync } from 'node:child_process';
import aslValidator from 'asl-validator';
import { stateMachineDefinitions } from '../helpers/asl';
import { synthesizeApp } from '../helpers/synthesized-app';

const CONFIGURATIONS: [string, Record<string, unknown>][] = [
  ['the default app', {}],
  [
    'QuickSight, spot training, e-mail, data removed on destroy',
    {
      'impressions:quicksightPrincipalArns': ['arn:aws:quicksight:us-east-1:123456789012:user/default/clinician'],
      'impressions:spotTraining': true,
      'impressions:notificationEmail': 'ops@example.org',
      'impressions:removeDataOnDestroy': true,
    },
  ],
];

const cfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
const CFN_LINT = cfnLint.status === 0 ? cfnLint.stdout.trim() : undefined;
if (CFN_LINT === undefined) process.stderr.write('app-templates.test.ts: cfn-lint SKIPPED, no cfn-lint binary (pip install cfn-lint)\n');

interface CfnLintMatch {
  readonly Level: 'Error' | 'Warning' | 'Informational';
  readonly Rule: { readonly Id: string };
  readonly Message: string;
  readonly Filename: string;
}

describe.each(CONFIGURATIONS)('%s', (_name, context) => {
  const synthesized = synthesizeApp(context);

  (CFN_LINT === undefined ? test.skip : test)('cfn-lint reports no error in any template', () => {
    const files = synthesized.templateFiles;
    expect(files).toHaveLength(3);
    const run = spawnSync('cfn-lint', ['--format', 'json', ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    // cfn-lint exits non-zero when it finds anything (warnings included); its JSON lists each match with a level.
    const matches = JSON.parse(run.stdout || '[]') as CfnLintMatch[];
    expect(run.stderr).toBe('');
    const errors = matches.filter((m) => m.Level === 'Error').map((m) => `${m.Rule.Id} ${m.Filename}: ${m.Message}`);
    expect(errors).toEqual([]);
  });

  test('every state machine definition of every stack passes asl-validator', () => {
    const definitions = Object.values(synthesized.stacks).flatMap((stack) =>
      typeof stack === 'object' && stack !== null && 'templateFile' in stack ? Object.entries(stateMachineDefinitions(stack as never)) : [],
    );
    // The run, the janitor's workflow and the sweep's waiter.
    expect(definitions.length).toBe(3);
    for (const [id, definition] of definitions) {
      const { isValid, errors } = aslValidator(definition as never, { checkPaths: true, checkArn: true });
      expect({ id, errors: isValid ? [] : errors }).toEqual({ id, errors: [] });
    }
  });
});
