/**
 * The repository stands on its own: a clone in any folder must pass its tests, so no source,
 * test or benchmark may read a path outside the repository (the workplace's shared folder beside the
 * clone, or an absolute path into a machine's work or home folders). This scans the code, this file
 * included, for such paths as string literals.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DATA_DIR } from './helpers/data';

const ROOT = path.resolve(__dirname, '..');
const SCANNED = ['bin', 'lib', 'lambda', 'test', 'bench', '.ci'];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') out.push(...sourceFiles(full));
    } else if (/\.(ts|js|cjs|mjs|sh)$/.test(entry.name) || entry.name === 'run') {
      out.push(full);
    }
  }
  return out;
}

/**
 * Lines of `file` that name a path outside the repository: a relative literal (two dots and a slash) or a
 * `path.join/resolve(__dirname, '..', …)` of literals that resolves above the root, the workplace's
 * shared data folder in any spelling, or an absolute path into a machine's home or work folders.
 */
export function outsidePaths(text: string, file: string): string[] {
  const dir = path.dirname(file);
  const leaves = (target: string): boolean => {
    const rel = path.relative(ROOT, path.resolve(dir, target));
    return rel === '..' || rel.startsWith(`..${path.sep}`);
  };
  const hits: string[] = [];
  text.split('\n').forEach((line, i) => {
    const relative = [...line.matchAll(/['"`]((?:\.\.\/)+[^'"`]*)['"`]/g)].some((m) => leaves(m[1]));
    const joined = [...line.matchAll(/path\.(?:join|resolve)\(__dirname((?:,\s*'[^']*')+)\)/g)].some((m) =>
      leaves(path.join(...[...m[1].matchAll(/'([^']*)'/g)].map((a) => a[1]))),
    );
    const shared = /shared\/data|'shared',\s*'data'/.test(line);
    const absolute = /['"`]\/(work|home|root|Users|mnt)\//.test(line);
    if (relative || joined || shared || absolute) hits.push(`${i + 1}: ${line.trim()}`);
  });
  return hits;
}

describe('the repository stands on its own', () => {
  test('the path scan recognises the forms a test could use to leave the repository', () => {
    const inTest = path.join(ROOT, 'test', 'lib', 'core', 'x.test.ts');
    const inLambda = path.join(ROOT, 'lambda', 'evaluate', 'index.ts');
    // The paths are assembled, so this file passes its own scan.
    const q = (p: string): string => `'${p}'`;
    const up = (n: number): string => '../'.repeat(n);
    expect(outsidePaths(`const DATA = path.join(__dirname, ${[...Array(5).fill(q('..')), q('other')].join(', ')});`, inTest)).toHaveLength(1);
    expect(outsidePaths(`const T = path.resolve(__dirname, ${q(`${up(5)}somewhere/x.csv`)});`, inTest)).toHaveLength(1);
    expect(outsidePaths(`const T = fs.readFileSync(${q(`${up(4)}x.csv`)});`, inTest)).toHaveLength(1);
    expect(outsidePaths(`const TABLE = ${q(['', 'work', 'anything', 'porter-stems-indiana.tsv'].join('/'))};`, inTest)).toHaveLength(1);
    expect(outsidePaths(`const D = process.env.D ?? ${q(`${'shar'}ed/data`)};`, inTest)).toHaveLength(1);
    expect(outsidePaths(`import { x } from ${q(`${up(1)}common/env`)};`, inLambda)).toHaveLength(0);
    expect(outsidePaths(`import { x } from ${q(`${up(3)}lib/core/y`)};`, inTest)).toHaveLength(0);
    expect(outsidePaths(`const DATA = path.resolve(__dirname, ${[q('..'), q('..'), q('..'), q('data')].join(', ')});`, inTest)).toHaveLength(0);
    expect(outsidePaths("const out = '/tmp/run.html'; const c = '/opt/ml/input/data/code';", inTest)).toHaveLength(0);
  });

  test('no source, test, benchmark or CI script reads outside the repository', () => {
    const offenders = SCANNED.filter((dir) => fs.existsSync(path.join(ROOT, dir)))
      .flatMap((dir) => sourceFiles(path.join(ROOT, dir)))
      .flatMap((file) => outsidePaths(fs.readFileSync(file, 'utf8'), file).map((hit) => `${path.relative(ROOT, file)}:${hit}`));
    expect(offenders).toEqual([]);
  });

  test('the data the tests read is carried by the repository, with its licences', () => {
    expect(DATA_DIR.startsWith(ROOT + path.sep)).toBe(true);
    for (const file of [
      'indiana_dev.json',
      'mimic_split_train_dev.csv',
      'openi_gld_std14.csv',
      'NegBio-LICENSE.txt',
      'porter-stems-indiana.tsv',
      'README.md',
      'mimic-sample/reports.zip',
      'mimic-sample/split.csv',
      'mimic-sample/expected-train.json',
      'mimic-sample/expected-dev.json',
      'mimic-sample/README.md',
    ]) {
      expect(fs.existsSync(path.join(DATA_DIR, file))).toBe(true);
    }
    expect(fs.existsSync(path.join(ROOT, 'lib/core/labels/phrases/LICENSE'))).toBe(true);
    expect(fs.existsSync(path.join(ROOT, 'test/fixtures/jumpstart/README.md'))).toBe(true);
  });
});
