/**
 * The script of the trace's startup snapshot, dist/snapshot/trace.blob (snapshot-entry.ts is
 * the other one's; src/build/snapshot.mjs bundles and runs both under `node --build-snapshot`):
 * the command line, the trace stage, mathjs's functions for the probe and the engine, loaded and
 * warmed up by a short trace of every shipped cell; without the drawing, chart and training
 * stages, which src/build/snapshot.mjs leaves out of its script (a trace that draws,
 * --annotate or --html, runs without the snapshot). Node has no
 * WebAssembly while it makes a snapshot, so the engine runs its plain kernels here; the kernels'
 * bytes are kept and compiled in the restored process (the engine's caches do not remember the
 * missing WebAssembly), and the exact functions' bodies are made here for the step programs.
 */
import { startupSnapshot } from 'node:v8';
import { parseCell } from '../cell/index.js';
import { GateflowError } from '../errors.js';
import { exactFunctionBodies } from '../engine/wasm-exact-math.js';
import { cellParseOptions, listCells, readCell } from '../io/index.js';
import { formatTable, toCsv, toJson, trace } from '../trace/index.js';
import { runCli } from './cli.js';
import { runMain } from './run-main.js';

/** A short trace of every shipped cell on the default evaluator (the probe runs mathjs and the engine), and its text forms. */
async function warmUp(): Promise<void> {
  for (const name of listCells()) {
    const source = readCell(name);
    try {
      const result = trace(parseCell(source.text, cellParseOptions(source)), undefined, [[0.5, -1], [1, 0.25]], { sizes: { hidden: 3 }, seed: 1, warn: () => {} });
      formatTable(result);
      toJson(result);
      toCsv(result);
    } catch (error) {
      // A cell that needs sizes of its own is left.
      if (!(error instanceof GateflowError)) throw error;
    }
  }
  // The exact functions' WebAssembly bodies, which every exact step program holds: made here,
  // since the warm-up above runs without WebAssembly and so makes no step program.
  exactFunctionBodies();
  // yargs with the trace command's options, as a trace parses them.
  await runCli(['trace', 'gru', '--input', '[[1,0]]', '--hidden', '2'], { parseOnly: true });
}

if (!startupSnapshot.isBuildingSnapshot()) throw new Error('snapshot-trace-entry runs under node --build-snapshot (npm run build)');
warmUp().then(
  // Node puts the command's arguments after its own (the blob's path and `--`).
  () => startupSnapshot.setDeserializeMainFunction(() => runMain(process.argv.slice(1))),
  (error: unknown) => {
    process.stderr.write(`gateflow snapshot: the warm-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
