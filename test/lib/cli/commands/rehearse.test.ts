/** `impressions rehearse`: its flags and their errors (the rehearsal itself: test/lib/local/rehearsal.test.ts). */
import { buildProgram, runCli } from '../../../../lib/cli/program';
import { defaultOutDir, register } from '../../../../lib/cli/commands/rehearse';

async function cli(...args: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    const code = await runCli(buildProgram([register]), ['node', 'impressions', 'rehearse', ...args]);
    return { code, err: err.join('') };
  } finally {
    process.stderr.write = write;
    // runCli sets the exit code of the process, which is jest's own here.
    process.exitCode = undefined;
  }
}

describe('impressions rehearse', () => {
  test('--records must be a whole number from 1 to 2000 (bad input: exit 2)', async () => {
    expect(await cli('--records', 'many')).toEqual({ code: 2, err: 'impressions: --records must be a whole number from 1 to 2000, got many\n' });
    expect((await cli('--records', '0')).code).toBe(2);
  });

  test('--fault takes one of the named faults', async () => {
    const { code, err } = await cli('--fault', 'meteor');
    expect(code).not.toBe(0);
    expect(err).toMatch(/Allowed choices are training-fails, endpoint-fails, throttled-evaluation, abort, destroy/);
  });

  test('the default output folder is rehearsal/<yyyymmdd-hhmmss>', () => {
    expect(defaultOutDir(new Date('2026-01-02T03:04:05Z'))).toBe('rehearsal/20260102-030405');
  });
});
