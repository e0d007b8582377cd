'use strict';
/**
 * The operator CLI's build: esbuild bundles `bin/impressions.ts`, each command module of
 * `lib/cli/commands/` and each worker thread of `lib/cli/workers/` into plain CommonJS under
 * `dist/`, so `npx impressions` never transpiles TypeScript at run time. Each command is its own
 * bundle, required by the program only when that command runs (the AWS SDK clients of the others
 * would cost start-up time).
 *
 * A build lives in `dist/cli-<id>/`; `dist/cli-build.json` (written last, by a rename) names the
 * current one and lists every project file that went into it (esbuild's metafile inputs outside
 * node_modules, plus package.json, package-lock.json, node_modules/.package-lock.json and this file)
 * with size, modification time and SHA-256. {@link checkBuild} compares them with the files on disk:
 * size and time first, the hash only when those differ (a checkout that rewrote a file with the same
 * content keeps the build), so a stale build is always noticed and never run silently.
 *
 * Plain CommonJS without dependencies at load time (esbuild is required only to build): the
 * launcher `bin/impressions.cjs` loads this file on every start.
 */
const fs = require('node:fs');
const path = require('node:path');

const MANIFEST = path.join('dist', 'cli-build.json');
const MANIFEST_VERSION = 1;
/** Files outside the bundle graph whose change changes the build. */
const EXTRA_INPUTS = ['package.json', 'package-lock.json', path.join('node_modules', '.package-lock.json'), path.join('bin', 'cli-build.cjs')];

function sha256(file) {
  // Loaded only here: most starts find every file's size and time unchanged and hash nothing.
  return require('node:crypto').createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function fingerprint(root, relative) {
  const file = path.join(root, relative);
  const stat = fs.statSync(file);
  return { size: stat.size, mtimeMs: stat.mtimeMs, sha256: sha256(file) };
}

/** Reads the manifest of the current build, or undefined when there is none (or it is unreadable). */
function readManifest(root) {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, MANIFEST), 'utf8'));
    return manifest.version === MANIFEST_VERSION ? manifest : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `dist/` holds a build of the current sources: `{ current: true, entry }` with the absolute
 * path of the CLI bundle, or `{ current: false, reason }` naming the first file that changed.
 */
function checkBuild(root) {
  const manifest = readManifest(root);
  if (manifest === undefined) return { current: false, reason: 'the CLI has not been built' };
  const entry = path.join(root, 'dist', manifest.build, 'impressions.js');
  if (!fs.existsSync(entry)) return { current: false, reason: `the build ${manifest.build} is missing` };
  for (const [relative, recorded] of Object.entries(manifest.inputs)) {
    let stat;
    try {
      stat = fs.statSync(path.join(root, relative));
    } catch {
      if (recorded === null) continue;
      return { current: false, reason: `${relative} was removed since the last build` };
    }
    if (recorded === null) return { current: false, reason: `${relative} was added since the last build` };
    if (stat.size === recorded.size && stat.mtimeMs === recorded.mtimeMs) continue;
    if (stat.size !== recorded.size || sha256(path.join(root, relative)) !== recorded.sha256) {
      return { current: false, reason: `${relative} changed since the last build` };
    }
  }
  return { current: true, entry };
}

/**
 * Builds the CLI into a fresh `dist/cli-<id>/`, then points the manifest at it (a rename, so a
 * concurrent start sees the old build or the new one) and removes older builds. Returns the new
 * build's folder. Throws esbuild's error on a build failure.
 */
function buildCli(root, { quiet = false } = {}) {
  const esbuild = require(require.resolve('esbuild', { paths: [root, __dirname] }));
  const id = `cli-${Date.now().toString(36)}-${process.pid}`;
  const outdir = path.join(root, 'dist', id);
  const commands = fs
    .readdirSync(path.join(root, 'lib', 'cli', 'commands'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ in: path.join('lib', 'cli', 'commands', f), out: path.join('commands', f.slice(0, -3)) }));
  // Worker threads (lib/cli/workers/*.ts) are bundles of their own, in workers/ beside commands/.
  const workerDir = path.join(root, 'lib', 'cli', 'workers');
  const workers = (fs.existsSync(workerDir) ? fs.readdirSync(workerDir, { withFileTypes: true }) : [])
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => ({ in: path.join('lib', 'cli', 'workers', e.name), out: path.join('workers', e.name.slice(0, -3)) }));
  const result = esbuild.buildSync({
    absWorkingDir: root,
    entryPoints: [{ in: path.join('bin', 'impressions.ts'), out: 'impressions' }, ...commands, ...workers],
    outdir,
    // The program's `require('./commands/<name>')` stays a run-time require of the command's own
    // bundle, `commands/<name>.js` beside it (CommonJS: the package has no "type": "module").
    // alasql (the rehearsal's local Athena) is required from node_modules at run time: its
    // browser and React Native builds reference modules that are not installed.
    external: ['./commands/*', 'alasql'],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    metafile: true,
    logLevel: quiet ? 'error' : 'warning',
  });
  const sources = Object.keys(result.metafile.inputs).filter((f) => !f.split(/[\\/]/).includes('node_modules'));
  const inputs = {};
  for (const relative of [...sources, ...EXTRA_INPUTS].sort()) {
    inputs[relative] = fs.existsSync(path.join(root, relative)) ? fingerprint(root, relative) : null;
  }
  const manifestFile = path.join(root, MANIFEST);
  const temp = `${manifestFile}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify({ version: MANIFEST_VERSION, build: id, builtAt: new Date().toISOString(), inputs }, null, 1)}\n`);
  fs.renameSync(temp, manifestFile);
  // Older builds go; one a concurrent process may still be loading is left for a minute.
  for (const name of fs.readdirSync(path.join(root, 'dist'))) {
    if (!name.startsWith('cli-') || name === id || name === 'cli-build.json') continue;
    const dir = path.join(root, 'dist', name);
    if (Date.now() - fs.statSync(dir).mtimeMs > 60_000) fs.rmSync(dir, { recursive: true, force: true });
  }
  return outdir;
}

/** Builds when the build is missing or stale; returns the check (after building, current). */
function ensureBuilt(root, options) {
  const status = checkBuild(root);
  if (status.current) return status;
  buildCli(root, options);
  return checkBuild(root);
}

module.exports = { buildCli, checkBuild, ensureBuilt, MANIFEST };

if (require.main === module) {
  const root = path.resolve(__dirname, '..');
  const started = Date.now();
  const outdir = buildCli(root);
  process.stdout.write(`impressions CLI built in ${Date.now() - started} ms: ${path.relative(root, outdir)} (manifest ${MANIFEST})\n`);
}
