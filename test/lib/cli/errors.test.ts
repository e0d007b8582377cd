/**
 * CliError and ConfigError are recognised by `instanceof` across copies of their classes: the built
 * CLI bundles each command on its own (bin/cli-build.cjs), so the class a command throws is not the
 * class the program's error handler imports. Two module registries stand in for two bundles here.
 */
import { CliError, EXIT } from '../../../lib/cli/errors';
import { ConfigError } from '../../../lib/config';
import { failureOf } from '../../../lib/cli/program';

function otherCopy<T>(load: () => T): T {
  let loaded!: T;
  jest.isolateModules(() => {
    loaded = load();
  });
  return loaded;
}

describe('error classes across bundles', () => {
  test('a CliError of another copy of the module is a CliError, with its exit code', () => {
    const Other = otherCopy(() => (jest.requireActual('../../../lib/cli/errors') as typeof import('../../../lib/cli/errors')).CliError);
    expect(Other).not.toBe(CliError);
    const error = new Other('--records must be a whole number', EXIT.usage);
    expect(error instanceof CliError).toBe(true);
    expect(failureOf(error)).toEqual({ message: '--records must be a whole number', exitCode: EXIT.usage });
  });

  test('a ConfigError of another copy of the module is a ConfigError (exit 2)', () => {
    const Other = otherCopy(() => (jest.requireActual('../../../lib/config') as typeof import('../../../lib/config')).ConfigError);
    expect(Other).not.toBe(ConfigError);
    const error = new Other([{ key: 'evalShardSize', received: 0, allowed: 'a whole number from 1' }]);
    expect(error instanceof ConfigError).toBe(true);
    expect(failureOf(error).exitCode).toBe(EXIT.usage);
  });

  test('other errors are neither', () => {
    expect(new Error('x') instanceof CliError).toBe(false);
    expect(new CliError('x') instanceof ConfigError).toBe(false);
    expect((null as unknown) instanceof CliError).toBe(false);
    expect(failureOf(new TypeError('boom')).message).toMatch(/^unexpected error/);
  });
});
