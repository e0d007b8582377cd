// Lint: typescript-eslint recommended rules, plus the import boundaries of DESIGN.md:
// lib/core, lib/cli and lambda never import the CDK; stacks and constructs never import Lambda code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const cdkModules = ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'cdk-nag'];

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
    files: ['lib/core/**/*.ts', 'lib/cli/**/*.ts', 'lambda/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: cdkModules, message: 'lib/core, lib/cli and lambda/ must not depend on the CDK (DESIGN.md "Layout").' }],
      }],
    },
  },
  {
    files: ['lib/stacks/**/*.ts', 'lib/constructs/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/lambda/**', '**/lambda'], message: 'Stacks and constructs reference Lambda entry files by path, never import them.' }],
      }],
    },
  },
);
