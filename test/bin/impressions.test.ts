/**
 * The CLI as users run it: `bin/impressions.cjs`, which runs the esbuild build in dist/ (brought up
 * to date by test/global-setup.cjs), in a child process. And the launcher's stale-build rule, on a
 * small project of its own in a temporary folder.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runScore } from '../../lib/cli/commands/score';
import packageJson from '../../package.json';

const ROOT = path.resolve(__dirname, '..', '..');
const LAUNCHER = path.join(ROOT, 'bin', 'impressions.cjs');

function run(args: string[], cwd = ROOT, launcher = LAUNCHER) {
  const result = spawnSync(process.execPath, [launcher, ...args], { cwd, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the built CLI', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'impressions-bin-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('--version prints the package version from the build, with nothing on stderr (the build is current)', () => {
    const result = run(['--version']);
    expect(result).toEqual({ code: 0, stdout: `${packageJson.version}\n`, stderr: '' });
  });

  test('--help lists every command', () => {
    const result = run(['--help']);
    expect(result.code).toBe(0);
    for (const name of ['prepare', 'upload', 'run', 'status', 'report', 'runs', 'score', 'label', 'generate'])
      expect(result.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
  });

  test('score gives the figures the sources give', async () => {
    const input = path.join(dir, 'pairs.jsonl');
    const lines = Array.from({ length: 40 }, (_, i) =>
      JSON.stringify({
        prediction: `No acute process ${i % 7}. Heart size normal.`,
        reference: `No acute cardiopulmonary process. ${i % 3 === 0 ? 'Mild cardiomegaly.' : ''}`,
      }),
    );
    fs.writeFileSync(input, `${lines.join('\n')}\n`);
    const result = run(['score', '--input', input, '--json', '--stemmer', '--labels']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const sink = { write: () => true } as unknown as NodeJS.WritableStream;
    const expected = await runScore({ input, stemmer: true, json: true, seed: 0, labels: true, stdout: sink });
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  test('score of 12,000 pairs (the build resamples the types on two threads when a CPU is idle) gives the figures of one thread', async () => {
    const input = path.join(dir, 'pairs-12000.jsonl');
    const words = ['no', 'acute', 'process', 'heart', 'size', 'normal', 'effusion', 'small', 'left', 'lungs', 'clear'];
    const text = (i: number, k: number) => Array.from({ length: 3 + ((i * k) % 9) }, (_, j) => words[(i * 31 + j * k) % words.length]).join(' ');
    fs.writeFileSync(input, Array.from({ length: 12000 }, (_, i) => JSON.stringify({ prediction: text(i, 7), reference: text(i, 3) })).join('\n'));
    const result = run(['score', '--input', input, '--json']);
    expect(result.code).toBe(0);
    const sink = { write: () => true } as unknown as NodeJS.WritableStream;
    const expected = await runScore({ input, stemmer: false, json: true, seed: 0, stdout: sink, bootstrap: { workerFile: undefined } });
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  test("a command's expected failure keeps its message and exit code (the command's bundle has its own copy of CliError)", () => {
    const result = run(['run', '--skip-training']);
    expect(result.stderr).toContain('impressions: --skip-training needs --model-data');
    expect(result.stderr).not.toContain('unexpected error');
    expect(result.code).toBe(2);
  });

  test('label labels from the build', () => {
    const input = path.join(dir, 'records.jsonl');
    fs.writeFileSync(input, `${JSON.stringify({ id: 'a', text: 'Large right pleural effusion. No pneumothorax.' })}\n`);
    const result = run(['label', '--input', input]);
    expect(result.code).toBe(0);
    const line = JSON.parse(result.stdout) as { id: string; labels: Record<string, number | null> };
    expect(line.labels['Pleural Effusion']).toBe(1);
    expect(line.labels.Pneumothorax).toBe(0);
  });
});

describe('the launcher never runs a stale build', () => {
  let project: string;
  const write = (relative: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(project, relative)), { recursive: true });
    fs.writeFileSync(path.join(project, relative), text);
  };

  beforeAll(() => {
    // A project with the launcher, the build script and a two-file CLI: the program and one command.
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'impressions-launcher-'));
    fs.mkdirSync(path.join(project, 'bin'));
    for (const file of ['impressions.cjs', 'cli-build.cjs']) fs.copyFileSync(path.join(ROOT, 'bin', file), path.join(project, 'bin', file));
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(project, 'node_modules'), 'dir');
    write('package.json', '{"name": "launcher-test", "version": "1.0.0"}\n');
    write('bin/impressions.ts', "import { main } from '../lib/cli/program';\nmain();\n");
    write('lib/cli/program.ts', "export function main(): void {\n  const hello = require('./commands/hello');\n  console.log(hello.greeting('one'));\n}\n");
    write('lib/cli/commands/hello.ts', 'export function greeting(who: string): string {\n  return `hello ${who}`;\n}\n');
  });
  afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

  const launcher = () => path.join(project, 'bin', 'impressions.cjs');

  test('no build yet: it builds, says so on stderr, and runs', () => {
    const result = run([], project, launcher());
    expect(result.stderr).toMatch(/^impressions: the CLI has not been built; rebuilding the CLI/);
    expect(result).toMatchObject({ code: 0, stdout: 'hello one\n' });
    expect(run([], project, launcher())).toEqual({ code: 0, stdout: 'hello one\n', stderr: '' });
  });

  test('a changed source (the program, or a lazily loaded command) is named and rebuilt before running', () => {
    write('lib/cli/program.ts', "export function main(): void {\n  const hello = require('./commands/hello');\n  console.log(hello.greeting('two'));\n}\n");
    const changed = run([], project, launcher());
    expect(changed.stderr).toMatch(/lib\/cli\/program\.ts changed since the last build; rebuilding/);
    expect(changed.stdout).toBe('hello two\n');
    write('lib/cli/commands/hello.ts', 'export function greeting(who: string): string {\n  return `hi ${who}`;\n}\n');
    const command = run([], project, launcher());
    expect(command.stderr).toMatch(/lib\/cli\/commands\/hello\.ts changed since the last build/);
    expect(command.stdout).toBe('hi two\n');
  });

  test('a file rewritten with the same content (a checkout) keeps the build', () => {
    const file = path.join(project, 'lib', 'cli', 'program.ts');
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(file, later, later);
    expect(run([], project, launcher())).toEqual({ code: 0, stdout: 'hi two\n', stderr: '' });
  });

  test('a dependency change (npm install rewrites node_modules/.package-lock.json) counts too; the manifest lists it', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(project, 'dist', 'cli-build.json'), 'utf8')) as { inputs: Record<string, unknown> };
    expect(Object.keys(manifest.inputs)).toEqual(
      expect.arrayContaining(['package.json', 'bin/cli-build.cjs', 'bin/impressions.ts', 'lib/cli/program.ts', 'lib/cli/commands/hello.ts']),
    );
    write('package.json', '{"name": "launcher-test", "version": "1.0.1"}\n');
    expect(run([], project, launcher()).stderr).toMatch(/package\.json changed since the last build/);
  });

  test('a source that does not build: exit 1 with the build error and what to run, nothing stale runs', () => {
    write('lib/cli/commands/hello.ts', 'export function greeting(who: string): string {\n  return `hi ${who`;\n}\n');
    const result = run([], project, launcher());
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/impressions: cannot build the CLI: /);
    expect(result.stderr).toMatch(/Run "npm ci" \(or "npm run build:cli"\)/);
  });
});
