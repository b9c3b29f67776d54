#!/usr/bin/env node
/**
 * The gateflow command line: yargs definitions and the single error boundary.
 * Each command's handler lives in commands/ and is imported only when that
 * command runs, so `gateflow cells` does not load mathjs, elkjs or MathJax.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { GateflowError } from '../errors.js';
import { commands } from './commands/index.js';

/** Exit status for bad input (a cell, a file, an option): the message says what to fix. */
const EXIT_BAD_INPUT = 2;

function report(error: unknown): never {
  if (error instanceof GateflowError) {
    process.stderr.write(`gateflow: ${error.message}\n`);
    process.exit(EXIT_BAD_INPUT);
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`gateflow: internal error (please report it): ${message}\n`);
  process.exit(1);
}

async function main(argv: string[]): Promise<void> {
  let cli = yargs(argv)
    .scriptName('gateflow')
    .usage('$0 <command> [options]\n\nOne description of a recurrent cell: its unrolled diagram, its equations, and the numbers inside every gate.')
    .strict()
    .demandCommand(1, 'name a command (see --help)')
    .recommendCommands()
    .wrap(Math.min(100, process.stdout.columns || 100))
    .fail((message, error) => {
      if (error) report(error);
      process.stderr.write(`gateflow: ${message}\n(run gateflow --help for usage)\n`);
      process.exit(EXIT_BAD_INPUT);
    });
  for (const command of commands) cli = command(cli);
  await cli.parseAsync();
}

main(hideBin(process.argv)).catch(report);
