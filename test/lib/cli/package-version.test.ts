import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageVersion } from '../../../lib/cli/package-version';

test('packageVersion is the version in package.json', () => {
  const { version } = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
  expect(packageVersion()).toBe(version);
  expect(version).toMatch(/^\d+\.\d+\.\d+/);
});
