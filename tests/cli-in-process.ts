// The command line run in the test's own process: runCli is what the bin calls with its
// arguments (src/cli/main.ts), so messages and exit codes are the bin's, without a process
// start (about a second of CPU on this machine) per run. Runs one at a time: the working
// folder and standard output belong to the process.
import { runCli } from '../src/cli/cli.js';

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `gateflow ...args` in folder `cwd`, with standard output and the error message captured. */
export async function runInProcess(args: readonly string[], cwd: string): Promise<CliRun> {
  const home = process.cwd();
  const write = process.stdout.write;
  let stdout = '';
  let stderr = '';
  process.chdir(cwd);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    const status = await runCli(args, { stderr: (text) => (stderr += text) });
    return { status, stdout, stderr };
  } finally {
    process.stdout.write = write;
    process.chdir(home);
  }
}

/**
 * As runInProcess, with what the command writes to the process's standard error (warnings,
 * notes, 'wrote …') captured too, before the error message: the whole stderr a bin run shows.
 */
export async function runInProcessWithStderr(args: readonly string[], cwd: string): Promise<CliRun> {
  const write = process.stderr.write;
  let written = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    written += typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    const run = await runInProcess(args, cwd);
    return { ...run, stderr: written + run.stderr };
  } finally {
    process.stderr.write = write;
  }
}
