#!/usr/bin/env node
/** The gateflow bin: runs the command line on process.argv and exits with its status. */
import { hideBin } from 'yargs/helpers';
import { runCli } from './cli.js';

// A reader that closes the pipe early (`gateflow trace ... | head`) ends the output, as it does
// for the system's own tools: no stack trace, the status a process stopped by SIGPIPE has.
const SIGPIPE_STATUS = 128 + 13;
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(SIGPIPE_STATUS);
  throw error;
});

const status = await runCli(hideBin(process.argv));
// On success the process ends by itself once its output is flushed; a failure may leave a
// worker (the layout thread) running, so it exits now.
if (status !== 0) process.exit(status);
