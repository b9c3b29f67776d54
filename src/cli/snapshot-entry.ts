/**
 * The script `npm run build` runs under `node --build-snapshot` (bundled into one file by
 * src/build/snapshot.mjs: a snapshot holds one script and Node's own modules only). It loads
 * the command line and what `diagram` uses, warms them up on the shipped cells (MathJax,
 * svgdom, the mathjs parser; each shipped cell's step layouts recalled from the build, which
 * made them with elkjs in another process, so that the heap holds the layouts and not the
 * engine), defines the command line, and names runMain as the snapshot's entry: a Node
 * started from the blob begins there, with this heap.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startupSnapshot } from 'node:v8';
import { parseCell } from '../cell/index.js';
import { diagram, layOutInProcess, layoutsMade, recallLayouts } from '../diagram/index.js';
import { listCells, readCell } from '../io/index.js';
import { definedCli, runCli } from './cli.js';
import { runMain } from './run-main.js';

/** Written by src/build/snapshot.mjs before it makes the blob: every shipped cell's layouts. */
const LAYOUTS_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', 'snapshot', 'layouts.json');

/**
 * Draw every shipped cell at both details: a figure's step layout depends on the cell and the
 * detail (not on steps, theme, title or key), so these are every shipped cell's layouts for
 * figures without value strips, all recalled.
 */
async function warmUp(): Promise<void> {
  await recallLayouts(JSON.parse(readFileSync(LAYOUTS_FILE, 'utf8')) as [string, string][]);
  const recalled = (await layoutsMade()).length;
  // A layout not recalled loads elkjs here (its first layout in a restored process does so too).
  await layOutInProcess();
  for (const name of listCells()) {
    const source = readCell(name);
    const cell = parseCell(source.text, { file: source.file });
    for (const detail of ['gates', 'ops'] as const) await diagram(cell, { detail });
  }
  const made = (await layoutsMade()).length - recalled;
  if (made > 0) throw new Error(`${made} layouts were not among the build's (${LAYOUTS_FILE}): the snapshot would hold elkjs`);
  // yargs's parse of a diagram's command line (its code compiled here, not in every process).
  await runCli(['diagram', 'gru', '-o', 'gru.svg'], { parseOnly: true });
}

if (!startupSnapshot.isBuildingSnapshot()) throw new Error('snapshot-entry runs under node --build-snapshot (npm run build)');
warmUp().then(
  () => {
    // The command line defined here, in the heap: a restored process only parses its argv.
    const run = definedCli();
    // Node puts the command's arguments after its own (the blob's path and `--`).
    startupSnapshot.setDeserializeMainFunction(() => runMain(process.argv.slice(1), run));
  },
  (error: unknown) => {
    process.stderr.write(`gateflow snapshot: the warm-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
