import { Command } from 'commander';
import { buildProgram, commandsFor, runCli } from '../../../lib/cli/program';
import { CliError } from '../../../lib/cli/errors';
import { loadConfig } from '../../../lib/config';
import packageJson from '../../../package.json';

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
    for (const name of ['prepare', 'upload', 'run', 'status', 'report', 'runs', 'score', 'label', 'generate']) {
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
        throw new CliError('input.jsonl line 3: field "reference" is missing', 3);
      });
    };
    const io = capture();
    const code = await runCli(buildProgram([failing]), ['node', 'impressions', 'fail']);
    io.restore();
    expect(code).toBe(3);
    expect(io.err.join('')).toBe('impressions: input.jsonl line 3: field "reference" is missing\n');
  });

  test('a bad setting in cdk.json is reported like synth reports it, without a stack', async () => {
    const failing = (program: Command) => {
      program.command('configured').action(() => {
        loadConfig((key) => ({ 'impressions:evalShardSize': 'many' })[key]);
      });
    };
    const io = capture();
    const code = await runCli(buildProgram([failing]), ['node', 'impressions', 'configured']);
    io.restore();
    expect(code).toBe(1);
    expect(io.err.join('')).toBe(
      'impressions: cdk.json: Invalid configuration (1 problem):\n  - impressions:evalShardSize: received "many"; allowed: a whole number from 1 to 10000\n',
    );
  });

  test('a named command loads only its own module; help and unknown commands load all', () => {
    const program = buildProgram(commandsFor(['node', 'impressions', 'score', '--input', 'x']));
    expect(program.commands.map((c) => c.name())).toEqual(['score']);
    const all = ['prepare', 'upload', 'run', 'status', 'report', 'runs', 'score', 'label', 'generate', 'review'];
    expect(buildProgram(commandsFor(['node', 'impressions', '--help'])).commands.map((c) => c.name())).toEqual(all);
    expect(buildProgram(commandsFor(['node', 'impressions', 'help', 'score'])).commands.map((c) => c.name())).toEqual(all);
    expect(buildProgram(commandsFor(['node', 'impressions', 'nope'])).commands.map((c) => c.name())).toEqual(all);
  });

  test('an unexpected error exits 1 with its stack', async () => {
    const failing = (program: Command) => {
      program.command('crash').action(() => {
        throw new TypeError('boom');
      });
    };
    const io = capture();
    const code = await runCli(buildProgram([failing]), ['node', 'impressions', 'crash']);
    io.restore();
    expect(code).toBe(1);
    expect(io.err.join('')).toMatch(/impressions: unexpected error: TypeError: boom\n\s+at /);
  });
});
