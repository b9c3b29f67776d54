#!/usr/bin/env node
/**
 * The gateflow bin: runs the command line on process.argv and exits with its status. With a
 * startup snapshot that this Node can use (`npm run build` makes it; snapshot-launch.ts checks
 * it), the command runs in a Node started from it; otherwise here, loading what it needs.
 */
import { runFromSnapshot } from './snapshot-launch.js';

const argv = process.argv.slice(2);
if (!runFromSnapshot(argv)) {
  const { runMain } = await import('./run-main.js');
  await runMain(argv);
}
