import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { contextSourceOf, mergeContext, readContextFiles } from '../../lib/context-sources';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'context-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test('files in the CDK CLI precedence: cdk.json, cdk.context.json, ~/.cdk.json; the command line above all', () => {
  const home = path.join(dir, 'home');
  fs.mkdirSync(home);
  fs.writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ app: 'x', context: { a: 1, b: 1 } }));
  fs.writeFileSync(path.join(dir, 'cdk.context.json'), JSON.stringify({ b: 2, c: 2 }));
  fs.writeFileSync(path.join(home, '.cdk.json'), JSON.stringify({ context: { c: 3, d: 3 } }));
  const files = readContextFiles(dir, home);
  expect(files.map((f) => f.source)).toEqual(['cdk.json', 'cdk.context.json', '~/.cdk.json']);
  const merged = mergeContext(files, { a: 'cli' });
  expect(merged).toEqual({ a: 'cli', b: 1, c: 2, d: 3 });
  expect(['a', 'b', 'c', 'd', 'e'].map((k) => contextSourceOf(files, k, merged[k] ?? 'x'))).toEqual([
    'command line',
    'cdk.json',
    'cdk.context.json',
    '~/.cdk.json',
    'command line',
  ]);
});

test('a file that is not JSON, or whose context is not an object, is named', () => {
  fs.writeFileSync(path.join(dir, 'cdk.context.json'), '{');
  expect(() => readContextFiles(dir)).toThrow(`${path.join(dir, 'cdk.context.json')}: not valid JSON`);
  fs.writeFileSync(path.join(dir, 'cdk.context.json'), '{}');
  fs.writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ context: [1] }));
  expect(() => readContextFiles(dir)).toThrow(`${path.join(dir, 'cdk.json')}: "context" must be a JSON object`);
});
