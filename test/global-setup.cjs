'use strict';
// Jest global set-up: the tests that run `bin/impressions.cjs` (test/bin/) run the built CLI, so the
// build in dist/ is brought up to date first, as the launcher itself would.
const path = require('node:path');
const { ensureBuilt } = require('../bin/cli-build.cjs');

module.exports = async function globalSetup() {
  const status = ensureBuilt(path.resolve(__dirname, '..'), { quiet: true });
  if (!status.current) throw new Error(`the CLI build is not current: ${status.reason}`);
};
