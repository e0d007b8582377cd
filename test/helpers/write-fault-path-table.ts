/**
 * `npm run docs:fault-paths`: writes the fault-path table (test/lib/constructs/fault-paths.ts) into
 * README.md between its `<!-- fault-paths:start -->` and `<!-- fault-paths:end -->` markers, so the
 * table is the list the fault-path suite executes (a test fails when they differ).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderFaultPathTable } from '../lib/constructs/fault-paths';

const README = path.join(__dirname, '..', '..', 'README.md');
const text = fs.readFileSync(README, 'utf8');
const pattern = /(<!-- fault-paths:start -->\n)[\s\S]*?(<!-- fault-paths:end -->)/;
if (!pattern.test(text)) throw new Error(`${README}: no <!-- fault-paths:start --> … <!-- fault-paths:end --> section`);
fs.writeFileSync(
  README,
  text.replace(pattern, (_all, start: string, end: string) => `${start}${renderFaultPathTable()}\n${end}`),
);
process.stdout.write(`README.md: fault-path table written\n`);
