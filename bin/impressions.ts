/**
 * Operator CLI entry (`npx impressions <command>`). Builds the program and maps failures to exit
 * codes; the commands live in lib/cli/commands/.
 */
import { buildProgram, runCli } from '../lib/cli/program';

void runCli(buildProgram(), process.argv);
