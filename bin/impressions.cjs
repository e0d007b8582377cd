#!/usr/bin/env node
// Launcher for `npx impressions`: loads the TypeScript CLI through tsx, so no build step is needed.
require('tsx/cjs/api').register();
require('./impressions.ts');
