/** `npm run diagram`: rewrites the run diagram in README.md from the synthesized definition (test/helpers/run-diagram.ts). */
import { tableProblems, writeReadmeDiagram } from './run-diagram';
import { runDefinition } from './run-execution';

const definition = runDefinition();
const problems = tableProblems(definition);
if (problems.length > 0) {
  process.stderr.write(`run-diagram.ts is out of step with the definition: ${problems.join('; ')}\n`);
  process.exit(1);
}
writeReadmeDiagram(definition);
process.stdout.write('README.md: run diagram updated\n');
