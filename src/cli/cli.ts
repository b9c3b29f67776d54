/**
 * The gateflow command line as a function: yargs definitions, the rules every option follows,
 * and the single error boundary. main.ts runs it on process.argv; tests run it in-process.
 * Each command's handler lives in commands/ and is imported only when that command runs, so
 * `gateflow cells` does not load mathjs, elkjs or MathJax.
 */
import yargs, { type Arguments, type Argv } from 'yargs';
import { GateflowError } from '../errors.js';
import { commands } from './commands/index.js';
import { checkOptionValues, requireValues } from './options.js';
import { checkOutputOptions } from './output-options.js';
import { raiseReadLimits } from '../io/index.js';
import { MAX_SIZE_CEILING } from './number-rules.js';
import { UsageError, usageMessage } from './usage.js';

/** Exit status for bad input (a cell, a file, an option): the message says what to fix. */
export const EXIT_BAD_INPUT = 2;
export const EXIT_INTERNAL = 1;

export interface CliOptions {
  /** Where messages go (default: standard error). */
  readonly stderr?: (text: string) => void;
  /** Parse and check the command line, then stop before the handler (for tests). */
  readonly parseOnly?: boolean;
}

/** Thrown by the parse-only middleware to stop before a handler runs. */
class ParsedOnly extends Error {}

/** Engine allocations that exceed memory: the user's sizes, not a bug. */
const isOutOfMemory = (error: unknown): boolean =>
  error instanceof RangeError && /allocation failed|Invalid (typed )?array length|Array buffer/i.test(error.message);

function messageOf(error: unknown): { text: string; code: number } {
  if (error instanceof GateflowError) return { text: error.message, code: EXIT_BAD_INPUT };
  if (isOutOfMemory(error)) return { text: `not enough memory for these sizes (${(error as Error).message}); use smaller sizes`, code: EXIT_BAD_INPUT };
  const debug = process.env.GATEFLOW_DEBUG === '1';
  const text = error instanceof Error ? (debug ? (error.stack ?? error.message) : error.message) : String(error);
  return { text: `internal error (please report it${debug ? '' : '; GATEFLOW_DEBUG=1 shows where'}): ${text}`, code: EXIT_INTERNAL };
}

/**
 * Every command's builder ends with requireValues: the patch on `command` reaches nested
 * commands (rnn detect) too, because yargs hands each builder the same instance.
 */
function withOptionRules(cli: Argv): Argv {
  const register = cli.command.bind(cli) as (...args: unknown[]) => Argv;
  (cli as { command: unknown }).command = (name: unknown, describe: unknown, builder: unknown, ...rest: unknown[]) => {
    if (typeof name !== 'string' || typeof builder !== 'function') return register(name, describe, builder, ...rest);
    const build = builder as (y: Argv) => Argv | void;
    return register(name, describe, (y: Argv) => requireValues(build(y) ?? y, name), ...rest);
  };
  return cli;
}

/** The yargs instance with every command (exported for tests that read its description). */
export function buildCli(argv: readonly string[], options: CliOptions = {}): Argv {
  return defineCli(argv, options, () => argv).wrap(terminalWidth());
}

/** --help's width: the terminal's, at most 100 (read when a command line runs, not when it is defined). */
const terminalWidth = (): number => Math.min(100, process.stdout.columns || 100);

/**
 * Every command and rule, for `argv` or for a command line still to come (argvNow says which
 * one a usage message quotes). The width of --help is left to the caller.
 */
function defineCli(argv: readonly string[], options: CliOptions, argvNow: () => readonly string[]): Argv {
  let cli: Argv = yargs([...argv])
    .scriptName('gateflow')
    .usage('$0 <command> [options]\n\nOne description of a recurrent cell: its unrolled diagram, its equations, and the numbers inside every gate.')
    .strict()
    .exitProcess(false)
    .demandCommand(1, 'name a command (see --help)')
    .recommendCommands()
    .option('max-size', {
      type: 'number',
      global: true,
      describe: `raise the limit on every size option (--hidden, --steps, --length, ...; each one's own limit is in the README) up to ${MAX_SIZE_CEILING}`,
    })
    .option('max-read-mb', {
      type: 'number',
      global: true,
      describe: 'raise the size limit on every file read to this many MB (defaults: cells and themes 1, inputs, weights JSON and models 64, series and datasets 256, safetensors and ONNX 1024)',
    })
    // yargs passes the command's instance as a second argument, which its types leave out.
    .middleware(((args: Arguments, y: Argv) => checkOptionValues(args, y)) as unknown as (args: Arguments) => void, true)
    .middleware((args) => checkOutputOptions(args), true)
    // Every loader reads through io's one reader, which this raises for the command's run (runCli resets it).
    .middleware((args) => raiseReadLimits(args['max-read-mb'] as number | undefined), true)
    .fail((message, error) => {
      if (error instanceof GateflowError) throw error;
      // A handler's own error (message null) comes back through parseAsync's promise.
      if (message) throw new UsageError(usageMessage(message, argvNow()));
    });
  if (options.parseOnly) {
    cli = cli.middleware(() => {
      throw new ParsedOnly();
    });
  }
  cli = withOptionRules(cli);
  for (const command of commands) cli = command(cli);
  return withoutHelpCache(cli);
}

/**
 * yargs formats the whole --help text of a command each time it starts the command's handler,
 * only to keep it for a handler that calls showHelp() (none here): 10 to 20% of a short
 * command's time. --help itself formats it when asked.
 */
function withoutHelpCache(cli: Argv): Argv {
  const internal = (cli as unknown as { getInternalMethods?: () => { getUsageInstance: () => { cacheHelpMessage?: () => void } } }).getInternalMethods;
  const usage = internal?.call(cli).getUsageInstance();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
  return cli;
}

/** Run the command line; resolves to the exit status (0 ok, 2 bad input, 1 internal error). */
export function runCli(argv: readonly string[], options: CliOptions = {}): Promise<number> {
  return statusOf(() => buildCli(argv, options).parseAsync(), options);
}

/**
 * The command line defined once, before its argv is known, then run on one: the startup
 * snapshot defines it while its heap is made (snapshot-diagram.ts), so that a restored process
 * skips yargs's setup of every command (a third of `gateflow --version`'s own time). The same
 * definition and the same parse as runCli; yargs resets its instance after each parse.
 */
export function definedCli(): (argv: readonly string[]) => Promise<number> {
  let current: readonly string[] = [];
  const cli = defineCli([], {}, () => current);
  return (argv) => {
    current = argv;
    return statusOf(() => cli.wrap(terminalWidth()).parseAsync([...argv]), {});
  };
}

/** The exit status of a parse and its command's run, its failure reported on stderr. */
async function statusOf(parse: () => Promise<unknown>, options: CliOptions): Promise<number> {
  const stderr = options.stderr ?? ((text: string) => process.stderr.write(text));
  try {
    await parse();
    return 0;
  } catch (error) {
    if (error instanceof ParsedOnly) return 0;
    const { text, code } = messageOf(error);
    stderr(`gateflow: ${text}\n`);
    return code;
  } finally {
    raiseReadLimits(undefined);
  }
}
