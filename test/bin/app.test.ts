/**
 * `cdk synth` as an operator runs it: the real CDK CLI, in a folder of its own with a cdk.json and a
 * cdk.context.json, settings also given with -c. Checks that an unknown `impressions:*` key fails
 * synth, naming the key, where it came from and the closest setting.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test('unknown settings from cdk.json, cdk.context.json and the command line fail synth with their source and the closest key', () => {
  const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
  fs.writeFileSync(
    path.join(dir, 'cdk.json'),
    JSON.stringify({ app: `${tsx} ${path.join(ROOT, 'bin', 'app.ts')}`, context: { 'impressions:epochs': 4, 'impressions:spotTrainng': true } }),
  );
  fs.writeFileSync(path.join(dir, 'cdk.context.json'), JSON.stringify({ 'impressions:numBeam': 2 }));
  const result = spawnSync(
    path.join(ROOT, 'node_modules', '.bin', 'cdk'),
    ['synth', '--quiet', '--no-notices', '-c', 'impressions:epoch=5', '-c', 'impressions:trainingInstance=ml.p4d.24xlarge'],
    // HOME is the temporary folder, so no ~/.cdk.json of the machine takes part.
    { cwd: dir, encoding: 'utf8', env: { ...process.env, HOME: dir, CDK_DISABLE_CLI_TELEMETRY: 'true' }, timeout: 120_000 },
  );
  expect(result.status).not.toBe(0);
  expect(result.stderr).toContain(
    'Invalid configuration (4 problems):\n' +
      '  - impressions:epoch (command line): not a setting of this app; did you mean `epochs`?\n' +
      '  - impressions:numBeam (cdk.context.json): not a setting of this app; did you mean `numBeams`?\n' +
      '  - impressions:spotTrainng (cdk.json): not a setting of this app; did you mean `spotTraining`?\n' +
      '  - impressions:trainingInstance (command line): not a setting of this app; did you mean `trainingInstanceType`?\n',
  );
  expect(fs.existsSync(path.join(dir, 'cdk.out', 'manifest.json'))).toBe(false);
});
