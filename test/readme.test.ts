/** The README's run diagram is what the code makes of the synthesized state machine (test/helpers/run-diagram.ts). */
import * as fs from 'node:fs';
import { diagramBlock, README, readmeDiagram, tableProblems } from './helpers/run-diagram';
import { defaultRunDefinition } from './helpers/run-execution';

describe('README run diagram', () => {
  test('the tables of the diagram name only states the definition has, and every Lambda task', () => {
    expect(tableProblems(defaultRunDefinition())).toEqual([]);
  });

  test('the README shows the diagram of the current definition (regenerate it with `npm run diagram`)', () => {
    expect(readmeDiagram(fs.readFileSync(README, 'utf8'))).toBe(diagramBlock(defaultRunDefinition()));
  });
});
