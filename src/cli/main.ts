#!/usr/bin/env node
/** The gateflow bin: runs the command line on process.argv and exits with its status. */
import { hideBin } from 'yargs/helpers';
import { runCli } from './cli.js';

const status = await runCli(hideBin(process.argv));
// On success the process ends by itself once its output is flushed; a failure may leave a
// worker (the layout thread) running, so it exits now.
if (status !== 0) process.exit(status);
