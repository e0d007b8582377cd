/** Unit tests: TypeScript through @swc/jest (no type-check here; `npm run typecheck` does that). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['@swc/jest'],
  },
  // Tests of bin/impressions.cjs run the built CLI: build it first when the sources changed.
  globalSetup: '<rootDir>/test/global-setup.cjs',
  setupFilesAfterEnv: ['aws-cdk-lib/testhelpers/jest-autoclean', 'aws-sdk-client-mock-jest'],
  testTimeout: 120000,
};
