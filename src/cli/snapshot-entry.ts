/**
 * The script `npm run build` runs under `node --build-snapshot` (bundled into one file by
 * src/build/snapshot.mjs: a snapshot holds one script and Node's own modules only). It loads
 * the command line and what `diagram` and `trace` use, warms them up on the shipped cells
 * (MathJax, svgdom, the mathjs parser, elkjs on this thread, its classes initialised and each
 * shipped cell's step layout recalled; the trace stage, mathjs's functions for the probe, the
 * engine's schedule and its kernels' bytes), and names runMain as the snapshot's entry: a Node
 * started from the blob begins there, with this heap.
 */
import { startupSnapshot } from 'node:v8';
import { parseCell } from '../cell/index.js';
import { diagram, layOutInProcess } from '../diagram/index.js';
import { GateflowError } from '../errors.js';
import { listCells, readCell } from '../io/index.js';
import { formatTable, toCsv, toJson, trace } from '../trace/index.js';
import { runCli } from './cli.js';
import { runMain } from './run-main.js';

/**
 * Draw every shipped cell at both details: a figure's step layout depends on the cell and the
 * detail (not on steps, theme, title or key), so these hold every shipped cell's layouts for
 * figures without value strips.
 */
async function warmUp(): Promise<void> {
  await layOutInProcess();
  for (const name of listCells()) {
    const source = readCell(name);
    const cell = parseCell(source.text, { file: source.file });
    for (const detail of ['gates', 'ops'] as const) await diagram(cell, { detail });
    warmUpTrace(cell);
  }
  // yargs with the trace command's options, as a trace parses them.
  await runCli(['trace', 'gru', '--input', '[[1,0]]', '--hidden', '2'], { parseOnly: true });
}

/**
 * A short trace of `cell` on the default evaluator (the probe runs mathjs and the engine), and
 * its text forms. Node has no WebAssembly while it makes a snapshot, so the engine runs its
 * plain kernels here; the kernels' bytes are kept and compiled in the restored process (its
 * caches do not remember the missing WebAssembly). A cell that needs sizes of its own is left.
 */
function warmUpTrace(cell: ReturnType<typeof parseCell>): void {
  try {
    const result = trace(cell, undefined, [[0.5, -1], [1, 0.25]], { sizes: { hidden: 3 }, seed: 1, warn: () => {} });
    formatTable(result);
    toJson(result);
    toCsv(result);
  } catch (error) {
    if (!(error instanceof GateflowError)) throw error;
  }
}

if (!startupSnapshot.isBuildingSnapshot()) throw new Error('snapshot-entry runs under node --build-snapshot (npm run build)');
warmUp().then(
  // Node puts the command's arguments after its own (the blob's path and `--`).
  () => startupSnapshot.setDeserializeMainFunction(() => runMain(process.argv.slice(1))),
  (error: unknown) => {
    process.stderr.write(`gateflow snapshot: the warm-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
