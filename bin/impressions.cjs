#!/usr/bin/env node
'use strict';
// Launcher for `npx impressions`: runs the plain-JavaScript build of the CLI (dist/, made by
// `npm ci` through the package's `prepare` script, or `npm run build:cli`). It first checks that
// the build was made from the current sources (bin/cli-build.cjs); a stale or missing build is
// rebuilt, with a note on stderr, never run silently.
const path = require('node:path');
const { buildCli, checkBuild } = require('./cli-build.cjs');

const root = path.resolve(__dirname, '..');
let status = checkBuild(root);
if (!status.current) {
  process.stderr.write(`impressions: ${status.reason}; rebuilding the CLI (npm run build:cli)...\n`);
  try {
    buildCli(root, { quiet: true });
  } catch (error) {
    process.stderr.write(`impressions: cannot build the CLI: ${error.message}\nRun "npm ci" (or "npm run build:cli") in ${root}.\n`);
    process.exit(1);
  }
  status = checkBuild(root);
  if (!status.current) {
    process.stderr.write(`impressions: the CLI build is still not current (${status.reason}).\n`);
    process.exit(1);
  }
}
require(status.entry);
