import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { buildProgram, commandsFor, runCli } from '../../../lib/cli/program';
import { CliError, EXIT } from '../../../lib/cli/errors';
import { loadConfig } from '../../../lib/config';
import packageJson from '../../../package.json';
import { bareAwsEnv, freePort, MOTO_KEYS } from '../../helpers/aws-env';
import { dataPath } from '../../helpers/data';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'evaluation-run');

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true)),
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true)),
  ];
  return { out, err, restore: () => spies.forEach((s) => s.mockRestore()) };
}

describe('impressions CLI', () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  test('--version prints the package version', async () => {
    const io = capture();
    const code = await runCli(buildProgram(), ['node', 'impressions', '--version']);
    io.restore();
    expect(code).toBe(0);
    expect(io.out.join('')).toBe(`${packageJson.version}\n`);
  });

  test('--help lists the commands', async () => {
    const io = capture();
    const code = await runCli(buildProgram(), ['node', 'impressions', '--help']);
    io.restore();
    expect(code).toBe(0);
    expect(io.out.join('')).toMatch(/Usage: impressions \[options\] \[command\]/);
    for (const name of ['prepare', 'upload', 'run', 'status', 'endpoints', 'report', 'runs', 'rehearse', 'score', 'label', 'generate', 'review']) {
      expect(io.out.join('')).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    }
  });

  test('an unknown command fails with a non-zero exit code', async () => {
    const io = capture();
    const code = await runCli(buildProgram(), ['node', 'impressions', 'no-such-command']);
    io.restore();
    expect(code).not.toBe(0);
    expect(io.err.join('')).toMatch(/unknown command 'no-such-command'|too many arguments/);
  });

  test('a CliError prints its message without a stack and exits with its code', async () => {
    const failing = (program: Command) => {
      program.command('fail').action(() => {
        throw new CliError('input.jsonl line 3: field "reference" is missing');
      });
    };
    const io = capture();
    const code = await runCli(buildProgram([failing]), ['node', 'impressions', 'fail']);
    io.restore();
    expect(code).toBe(EXIT.usage);
    expect(io.err.join('')).toBe('impressions: input.jsonl line 3: field "reference" is missing\n');
  });

  test('a bad setting is reported like synth reports it, naming its file, without a stack: exit 2', async () => {
    const failing = (program: Command) => {
      program.command('configured').action(() => {
        loadConfig({ 'impressions:evalShardSize': 'many' }, () => 'cdk.json');
      });
    };
    const io = capture();
    const code = await runCli(buildProgram([failing]), ['node', 'impressions', 'configured']);
    io.restore();
    expect(code).toBe(2);
    expect(io.err.join('')).toBe(
      'impressions: Invalid configuration (1 problem):\n  - impressions:evalShardSize (cdk.json): received "many"; allowed: a whole number from 1 to 10000\n',
    );
  });

  test('the project is found from a subfolder, its configuration named; a typo in it fails every command that reads it', async () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'project-'));
    try {
      fs.writeFileSync(path.join(project, 'cdk.json'), JSON.stringify({ context: { 'impressions:promptTemplat': 'T: {context}' } }));
      fs.mkdirSync(path.join(project, 'data', 'prepared'), { recursive: true });
      const cwd = process.cwd();
      process.chdir(path.join(project, 'data', 'prepared'));
      const io = capture();
      try {
        const code = await runCli(buildProgram(), ['node', 'impressions', 'status']);
        io.restore();
        expect(code).toBe(2);
        expect(io.err.join('')).toBe(
          `configuration: ${fs.realpathSync(project)}/cdk.json\n` +
            'impressions: Invalid configuration (1 problem):\n  - impressions:promptTemplat (cdk.json): not a setting of this app; did you mean `promptTemplate`?\n',
        );
      } finally {
        io.restore();
        process.chdir(cwd);
      }
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });

  test('a named command loads only its own module; help and unknown commands load all', () => {
    const program = buildProgram(commandsFor(['node', 'impressions', 'score', '--input', 'x']));
    expect(program.commands.map((c) => c.name())).toEqual(['score']);
    const all = ['prepare', 'upload', 'run', 'status', 'endpoints', 'report', 'runs', 'rehearse', 'score', 'label', 'generate', 'review'];
    expect(buildProgram(commandsFor(['node', 'impressions', '--help'])).commands.map((c) => c.name())).toEqual(all);
    expect(buildProgram(commandsFor(['node', 'impressions', 'help', 'score'])).commands.map((c) => c.name())).toEqual(all);
    expect(buildProgram(commandsFor(['node', 'impressions', 'nope'])).commands.map((c) => c.name())).toEqual(all);
    // --version needs no command: in the build each command is its own bundle, and loading them all would cost start-up time.
    expect(commandsFor(['node', 'impressions', '--version'])).toEqual([]);
    expect(commandsFor(['node', 'impressions', '-V'])).toEqual([]);
  });

  test('an unexpected error exits 1 and says it is a bug; the stack only with --debug', async () => {
    const failing = (program: Command) => {
      program.command('crash').action(() => {
        throw new TypeError('boom');
      });
    };
    const io = capture();
    const code = await runCli(buildProgram([failing]), ['node', 'impressions', 'crash']);
    const debugCode = await runCli(buildProgram([failing]), ['node', 'impressions', 'crash', '--debug']);
    io.restore();
    expect(code).toBe(1);
    expect(debugCode).toBe(1);
    const [plain, debug] = io.err.join('').split(/(?=impressions: unexpected)/);
    expect(plain).toBe('impressions: unexpected error (a bug: please report it with the output of --debug): TypeError: boom\n');
    expect(debug).toMatch(/^impressions: unexpected error .*TypeError: boom\nTypeError: boom\n\s+at /);
  });
});

/**
 * The CLI as a user runs it (`npx impressions`, a process of its own), for what only a real process
 * shows: the closed pipe of `| head`, and Node's own network errors (jest re-wraps them).
 */
describe('impressions in a process of its own', () => {
  const cli = (args: string, env: Record<string, string | undefined> = process.env) =>
    spawnSync('bash', ['-c', `set -o pipefail; ${path.join(ROOT, 'bin', 'impressions.cjs')} ${args}`], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...env, NODE_NO_WARNINGS: '1' },
      timeout: 120_000,
    });

  test('report | head: the closed pipe ends the output quietly, exit 0', () => {
    const result = cli(`report --run fixture-run --from ${FIXTURE} | head -n 1`);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n').filter((l) => l !== '')).toHaveLength(1);
  });

  test('label of 2,000 impressions | head -c 100: output far beyond the pipe buffer, no EPIPE crash', () => {
    const input = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'epipe-')), 'indiana.jsonl');
    const records = JSON.parse(fs.readFileSync(dataPath('indiana_dev.json'), 'utf8')) as { study_id: string; impression: string }[];
    fs.writeFileSync(input, records.map((r) => JSON.stringify({ id: r.study_id, text: r.impression })).join('\n'));
    const result = cli(`label --input ${input} | head -c 100`);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toHaveLength(100);
  });

  test('an AWS command with the network down: what failed, why, what to do; the stack only with --debug', async () => {
    const port = await freePort();
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...bareAwsEnv({ ...MOTO_KEYS, AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` }),
    };
    const result = cli('status', env);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `configuration: ${path.join(ROOT, 'cdk.json')}\n` +
        `impressions: CloudFormation DescribeStacks failed for stack impressions-pipeline in eu-west-1: the endpoint 127.0.0.1:${port} is unreachable (ECONNREFUSED, 3 attempts).\n` +
        '  What to do: check the network connection and any proxy, that the region is right, and AWS_ENDPOINT_URL if it is set.\n',
    );
    const debug = cli('status --debug', env);
    expect(debug.status).toBe(1);
    expect(debug.stderr).toMatch(
      /is unreachable \(ECONNREFUSED, 3 attempts\)\.\n[\s\S]*Error: connect ECONNREFUSED 127\.0\.0\.1:\d+\n\s+at [\s\S]*\$metadata: \{"attempts":3/,
    );
  });

  test('review commands: the project settings, the instrumented clients and --region (README "Radiologist review")', async () => {
    const port = await freePort();
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...bareAwsEnv({ ...MOTO_KEYS, AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` }) };
    const result = cli('review readers list --region eu-central-1', env);
    expect(result.stderr).toBe(
      `configuration: ${path.join(ROOT, 'cdk.json')}\n` +
        `impressions: CloudFormation DescribeStacks failed for stack impressions-review in eu-central-1: the endpoint 127.0.0.1:${port} is unreachable (ECONNREFUSED, 3 attempts).\n` +
        '  What to do: check the network connection and any proxy, that the region is right, and AWS_ENDPOINT_URL if it is set.\n',
    );
    expect(result.status).toBe(1);
  });

  test('endpoints and endpoints delete: the project settings, the instrumented clients and --region, also after the subcommand', async () => {
    const port = await freePort();
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...bareAwsEnv({ ...MOTO_KEYS, AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` }) };
    const unreachable = `the endpoint 127.0.0.1:${port} is unreachable (ECONNREFUSED, 3 attempts).\n`;
    const list = cli('endpoints --region eu-central-1', env);
    expect(list.stderr).toMatch(
      new RegExp(`^configuration: .*cdk\\.json\\nimpressions: [A-Za-z ]+ \\w+ failed .*in eu-central-1: ${unreachable.replace(/[.()]/g, '\\$&')}`),
    );
    expect(list.status).toBe(1);
    const remove = cli('endpoints delete --run r1 --region eu-west-3', env);
    expect(remove.stderr).toMatch(new RegExp(`in eu-west-3: ${unreachable.replace(/[.()]/g, '\\$&')}`));
    expect(remove.status).toBe(1);
  });

  // Each command of the compiled CLI is a bundle of its own (bin/cli-build.cjs) with its own copy of
  // the error classes: the program must still recognize them (exit 2 and the message, not "a bug").
  test('a bad-input error and an invalid setting thrown inside a command bundle: the message and exit 2', () => {
    const missing = cli(`report --run fixture-run --from ${path.join(os.tmpdir(), 'no-such-folder-for-the-cli')}`);
    expect(missing.stderr).toBe(`impressions: --from ${path.join(os.tmpdir(), 'no-such-folder-for-the-cli')}: not a folder\n`);
    expect(missing.status).toBe(2);
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-config-'));
    fs.writeFileSync(path.join(project, 'cdk.json'), JSON.stringify({ app: 'npx tsx bin/app.ts', context: { 'impressions:nope': 1 } }));
    const invalid = spawnSync(path.join(ROOT, 'bin', 'impressions.cjs'), ['runs'], {
      cwd: project,
      encoding: 'utf8',
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    });
    expect(invalid.stderr).toContain('impressions: Invalid configuration (1 problem):\n  - impressions:nope (cdk.json): not a setting of this app');
    expect(invalid.status).toBe(2);
    fs.rmSync(project, { recursive: true, force: true });
  });

  test('no credentials and no region in the environment', () => {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...bareAwsEnv() };
    const noRegion = cli('runs', env);
    expect(noRegion.status).toBe(1);
    expect(noRegion.stderr).toContain(
      "impressions: CloudFormation DescribeStacks failed for stack impressions-data: no AWS region is set.\n  What to do: set AWS_REGION (or a region in the profile of ~/.aws/config) to the deployment's region, or pass --region where the command has it.\n",
    );
    const noCredentials = cli('runs --region eu-west-1', env);
    expect(noCredentials.status).toBe(1);
    expect(noCredentials.stderr).toContain(
      'impressions: CloudFormation DescribeStacks failed for stack impressions-data in eu-west-1: no AWS credentials were found.\n  What to do: ',
    );
  });
});
