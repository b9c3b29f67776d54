#!/bin/sh
//bin/true; gateflow_cli=$(dirname "$(readlink -f "$0" 2>/dev/null || printf %s "$0")"); [ -f "$gateflow_cli/../snapshot/launch.sh" ] && . "$gateflow_cli/../snapshot/launch.sh"; exec node "$0" "$@"
/**
 * The gateflow bin: runs the command line on process.argv and exits with its status. With a
 * startup snapshot that this Node can use (`npm run build` makes it; snapshot-launch.ts checks
 * it), the command runs in a Node started from it; otherwise here, loading what it needs.
 *
 * Run as a program (npm's bin link), this file is a shell script first: the line above, a
 * comment to Node, lets dist/snapshot/launch.sh start the Node restored from the snapshot
 * directly (no Node process to decide it: about one Node start saved), and otherwise runs
 * this file with Node, as `#!/usr/bin/env node` would.
 */
import { runFromSnapshot } from './snapshot-launch.js';

const argv = process.argv.slice(2);
if (!runFromSnapshot(argv)) {
  const { runMain } = await import('./run-main.js');
  await runMain(argv);
}
