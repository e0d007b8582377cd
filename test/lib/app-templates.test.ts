/**
 * The synthesized templates pass the tools that know CloudFormation and Amazon States Language
 * better than a hand-written assertion: cfn-lint (1.51; `pip install cfn-lint`) with zero errors
 * over every template, and asl-validator over every state machine definition (a definition built
 * with `Fn::Join` is a string to cfn-lint, so its states are checked here). Both for the default
 * app and for one with every optional part on. Without a cfn-lint binary that part is reported as
 * skipped; .ci/run installs it when it can.
 */
import aslValidator from 'asl-validator';
import { stateMachineDefinitions } from '../helpers/asl';
import { cfnLint, describeFindings, testWithCfnLint } from '../helpers/cfn-lint';
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

const withCfnLint = testWithCfnLint('app-templates.test.ts');

describe.each(CONFIGURATIONS)('%s', (_name, context) => {
  const synthesized = synthesizeApp(context);

  withCfnLint('cfn-lint reports no error in any template', () => {
    const files = synthesized.templateFiles;
    expect(files).toHaveLength(3);
    expect(describeFindings(cfnLint(files).filter((m) => m.Level === 'Error'))).toEqual([]);
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
