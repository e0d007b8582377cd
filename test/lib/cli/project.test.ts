import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findProjectDir, loadProject, PACKAGE_ROOT } from '../../../lib/cli/project';

let dir: string;
beforeEach(() => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'project-')));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test('the nearest cdk.json at or above the folder is the project; its settings are used and named', () => {
  fs.writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ context: { 'impressions:epochs': 5 } }));
  fs.writeFileSync(path.join(dir, 'cdk.context.json'), JSON.stringify({ 'impressions:numBeams': 4 }));
  const deep = path.join(dir, 'a', 'b');
  fs.mkdirSync(deep, { recursive: true });
  expect(findProjectDir(deep)).toBe(dir);
  const lines: string[] = [];
  const project = loadProject({ cwd: deep, home: dir, log: (l) => lines.push(l) });
  expect(project.dir).toBe(dir);
  expect(project.config).toMatchObject({ epochs: 5, numBeams: 4 });
  expect(lines).toEqual([`configuration: ${path.join(dir, 'cdk.json')}, ${path.join(dir, 'cdk.context.json')}`]);
});

test('no cdk.json up the tree: a bad-input error saying which folder to run from', () => {
  expect(findProjectDir(dir)).toBeUndefined();
  expect(() => loadProject({ cwd: dir, log: () => undefined })).toThrow(
    `no cdk.json in ${dir} or any folder above it: run impressions from the project folder (cd ${PACKAGE_ROOT}) or from a folder whose cdk.json holds your impressions:* settings`,
  );
});

test('the package root is this repository', () => {
  expect(fs.existsSync(path.join(PACKAGE_ROOT, 'cdk.json'))).toBe(true);
  expect(findProjectDir(path.join(PACKAGE_ROOT, 'lib', 'cli'))).toBe(PACKAGE_ROOT);
});
