/**
 * Operator CLI entry (`npx impressions <command>`). Builds the program and maps failures to exit
 * codes; the commands live in lib/cli/commands/.
 */
import { buildProgram, commandsFor, runCli } from '../lib/cli/program';

void runCli(buildProgram(commandsFor(process.argv)), process.argv);
