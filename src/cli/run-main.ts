/** The gateflow process's body, from main.ts or from a startup snapshot (snapshot-diagram.ts, snapshot-trace-entry.ts). */
import { runCli } from './cli.js';

// A reader that closes the pipe early (`gateflow trace ... | head`) ends the output, as it does
// for the system's own tools: no stack trace, the status a process stopped by SIGPIPE has.
const SIGPIPE_STATUS = 128 + 13;

/**
 * Run the command line `argv` (without node and the script) and end the process with its
 * status; `run` is runCli, or a command line defined beforehand (cli.ts, definedCli).
 */
export async function runMain(argv: readonly string[], run: (argv: readonly string[]) => Promise<number> = runCli): Promise<void> {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(SIGPIPE_STATUS);
    throw error;
  });
  const status = await run(argv);
  // On success the process ends by itself once its output is flushed; a failure may leave a
  // worker (the layout thread) running, so it exits now.
  if (status !== 0) process.exit(status);
}
