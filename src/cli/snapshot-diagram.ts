/**
 * The two diagram snapshots' making (src/build/snapshot.mjs runs their scripts under `node
 * --build-snapshot`: snapshot-entry.ts for gateflow.blob, snapshot-elk-entry.ts for
 * gateflow-elk.blob). Each loads the command line and what `diagram` uses, warms them up on the
 * shipped cells (MathJax, svgdom, the mathjs parser; each shipped cell's step layouts recalled
 * from the build, which made them with elkjs in another process), defines the command line, and
 * names runMain as the snapshot's entry: a Node started from the blob begins there, with this
 * heap. gateflow.blob holds the layouts and not the engine (a quarter of the heap, which every
 * shipped cell's figure would restore for nothing); gateflow-elk.blob holds the engine too,
 * warmed up on a cell of no shipped layout, for the cells of the user's.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startupSnapshot } from 'node:v8';
import { parseCell } from '../cell/index.js';
import { diagram, layOutInProcess, layoutsMade, recallLayouts } from '../diagram/index.js';
import type { BundledElkEngine } from '../diagram/elk-bundled.js';
import { listCells, readCell } from '../io/index.js';
import { definedCli, runCli } from './cli.js';
import { runMain } from './run-main.js';

/** Written by src/build/snapshot.mjs before it makes the blob: every shipped cell's layouts. */
const LAYOUTS_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', 'snapshot', 'layouts.json');

/**
 * Draw every shipped cell at both details: a figure's step layout depends on the cell and the
 * detail (not on steps, theme, title or key), so these are every shipped cell's layouts for
 * figures without value strips, all recalled. With `engine`, then a cell of no shipped layout
 * (the GRU, its gates renamed), so that the engine's layered algorithm runs and stays warm.
 */
async function warmUp(engine: typeof BundledElkEngine | undefined): Promise<void> {
  const shipped = JSON.parse(readFileSync(LAYOUTS_FILE, 'utf8')) as [string, string][];
  await recallLayouts(shipped);
  const recalled = (await layoutsMade()).length;
  // Without `engine`, a layout not recalled loads elkjs here (as a restored process's first one does).
  await layOutInProcess(engine);
  for (const name of listCells()) {
    const source = readCell(name);
    const cell = parseCell(source.text, { file: source.file });
    for (const detail of ['gates', 'ops'] as const) await diagram(cell, { detail });
  }
  const made = (await layoutsMade()).length - recalled;
  if (made > 0) throw new Error(`${made} layouts were not among the build's (${LAYOUTS_FILE}): the snapshot would hold elkjs`);
  if (engine) {
    const gru = readCell('gru');
    const renamed = gru.text.replace(/^cell:\s*gru\b/m, 'cell: warm-up').replace(/\b([rz])\b/g, '$1w');
    for (const detail of ['gates', 'ops'] as const) await diagram(parseCell(renamed, { file: 'warm-up.cell' }), { detail });
    // The heap keeps the engine warm, not these layouts: a user's cell is laid out, never recalled.
    await recallLayouts(shipped, true);
  }
  // yargs's parse of a diagram's command line (its code compiled here, not in every process).
  await runCli(['diagram', 'gru', '-o', 'gru.svg'], { parseOnly: true });
}

/** Warm up (with elkjs's `engine` in the heap, or not), then name the restored process's entry. */
export function makeDiagramSnapshot(engine?: typeof BundledElkEngine): void {
  if (!startupSnapshot.isBuildingSnapshot()) throw new Error('the diagram snapshots are made under node --build-snapshot (npm run build)');
  warmUp(engine).then(
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
}
