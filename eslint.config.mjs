// Lint: typescript-eslint recommended rules, plus the import boundaries of DESIGN.md:
// lib/core, lib/aws, lib/cli and lambda never import the CDK; lib/core is pure (no AWS SDK, no file,
// zip or network I/O); stacks and constructs never import Lambda code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const cdkModules = ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'cdk-nag'];
const cdkBoundary = { group: cdkModules, message: 'lib/core, lib/aws, lib/cli, lib/local and lambda/ must not depend on the CDK (DESIGN.md "Layout").' };
/** What lib/core may not touch: SDK adapters live in lib/aws, file and zip I/O in lib/cli. */
const ioModules = [
  '@aws-sdk/*',
  '@smithy/*',
  'fs',
  'fs/*',
  'node:fs',
  'node:fs/*',
  'zlib',
  'node:zlib',
  'yauzl',
  'node:child_process',
  'node:net',
  'node:http',
  'node:https',
  'node:worker_threads',
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', 'coverage/**', '**/*.js', '**/*.cjs', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'prefer-const': 'error',
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['lib/aws/**/*.ts', 'lib/cli/**/*.ts', 'lib/local/**/*.ts', 'lambda/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [cdkBoundary] }],
    },
  },
  {
    // One Logger service-name convention: ImpressionsFunction sets POWERTOOLS_SERVICE_NAME to the
    // handler's folder, and every handler logs under it with `new Logger()`.
    files: ['lambda/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Logger'] Property[key.name='serviceName']",
          message: 'Create the Logger without serviceName: ImpressionsFunction sets POWERTOOLS_SERVICE_NAME to the handler folder.',
        },
      ],
    },
  },
  {
    files: ['lib/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            cdkBoundary,
            { group: ioModules, message: 'lib/core is pure: SDK adapters belong in lib/aws, file and zip I/O in lib/cli (DESIGN.md "Layout").' },
          ],
        },
      ],
    },
  },
  {
    files: ['lib/stacks/**/*.ts', 'lib/constructs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['**/lambda/**', '**/lambda'], message: 'Stacks and constructs reference Lambda entry files by path, never import them.' }],
        },
      ],
    },
  },
);
