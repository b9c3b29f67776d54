/**
 * `gateflow check A B -i seq.json`: do two models (or a model and saved outputs) compute the
 * same function? Prints the largest difference per step and gate, the verdict at the
 * tolerance, and when they differ, the known conversion mistake that explains it.
 * Exit status: 0 when they agree, 3 when they differ, 2 for bad input.
 */
import type { Argv } from 'yargs';
import type { Command } from './command.js';
import { InputError } from '../../errors.js';
import { readStdinText, readText } from '../../io/index.js';
import { cellResolver, loadFile, type Loaded } from '../models.js';

/** Exit status when the two sides differ (0 is agreement, 2 bad input, 1 an internal error). */
export const EXIT_DIFFER = 3;

export const checkCommand: Command = (cli: Argv) =>
  cli.command(
    'check <a> <b>',
    'Check that two models (PyTorch, ONNX, Keras, JSON weights, or saved outputs) compute the same function, gate by gate',
    (y) =>
      y
        .positional('a', { type: 'string', demandOption: true, describe: 'a model (.safetensors, .onnx, .h5 / .weights.h5, .json weights) or saved outputs (.npy, JSON)' })
        .positional('b', { type: 'string', demandOption: true, describe: 'the other model or outputs' })
        .option('input', { alias: 'i', type: 'string', nargs: 1, demandOption: true, describe: "the sequence both run on: a JSON file [T][I] or [T][B][I], a CSV file, inline JSON '[[1,0],[0,1]]', or - for standard input" })
        .option('tolerance', { type: 'number', default: 1e-5, describe: 'largest absolute difference that still agrees (float32 weights differ from float64 by about 1e-7)' })
        .option('cell', { type: 'string', describe: "the cell of a gateflow JSON weights file (gru-cho: its names cannot tell it from gru's)" })
        .option('max-steps', { type: 'number', default: 10000, describe: 'refuse sequences longer than this' })
        .example('$0 check gru.safetensors gru.onnx -i seq.json', 'a PyTorch GRU against its ONNX export')
        .example('$0 check model.onnx y.npy -i seq.json --tolerance 1e-6', "a model against onnxruntime's saved Y"),
    async (args) => {
      const tr = await import('../../trace/index.js');
      const { decodeSequence } = await import('../../io/inputs.js');
      const options = args.cell !== undefined ? { cell: args.cell } : {};
      const sides = [await loadFile(args.a, options), await loadFile(args.b, options)];
      if (sides.every((s) => s.kind === 'outputs')) throw new InputError('A and B are both saved outputs; at least one must be a model to trace');
      const inline = /^\s*[[{]/.test(args.input);
      const inputName = inline ? '--input' : args.input === '-' ? '<stdin>' : args.input;
      const text = args.input === '-' ? readStdinText() : inline ? args.input : readText(args.input, '--input file');
      const inputs = tr.normalizeSequence(decodeSequence(text, inputName).steps, inputName, args['max-steps']);
      const cells = await cellResolver();
      const describe = (s: Loaded): string => (s.kind === 'model' ? `${s.model.source}: ${tr.describeModel(s.model)}` : `${s.file}: saved outputs`);
      const runs = sides.map((s) => (s.kind === 'model' ? tr.runModel(s.model, cells, inputs, { maxSteps: args['max-steps'], inputName }) : tr.runFromOutputs(s.outputs, s.file)));
      const comparison = tr.compareRuns(runs[0], runs[1], args.tolerance);
      let report = `A: ${describe(sides[0])}\nB: ${describe(sides[1])}\n${tr.formatComparison(comparison)}`;
      if (!comparison.agree) {
        const [a, b] = sides.map((s, i) => ({ label: 'AB'[i], run: runs[i], ...(s.kind === 'model' ? { model: s.model } : {}) }));
        const found = tr.diagnose(a, b, cells, inputs, args.tolerance);
        report += found
          ? `diagnosis: ${found.message} (max |A - B| = ${tr.formatDifference(found.comparison.max.diff)} then)\n`
          : 'diagnosis: none of the known conversion mistakes (GRU reset placement, gate order, merged biases, peephole order, update-gate sign, hard sigmoid) explains the difference\n';
        process.exitCode = EXIT_DIFFER;
      }
      for (const [i, side] of sides.entries()) {
        if (side.kind === 'model' && side.bytes) report += await runtimeLine('AB'[i]!, side.bytes, side.model.source, inputs, runs[i]!, args.tolerance);
      }
      process.stdout.write(report);
    },
  );

/** An ONNX side run in onnxruntime (when installed) against gateflow's trace of it: one line. */
async function runtimeLine(label: string, bytes: Uint8Array, file: string, inputs: number[][][], traced: import('../../trace/index.js').Run, tolerance: number): Promise<string> {
  const { runOnnxRuntime } = await import('../../io/onnx-runtime.js');
  const tr = await import('../../trace/index.js');
  const output = await runOnnxRuntime(bytes, inputs, file);
  if (!output) return `${label} in onnxruntime: not run (the optional package onnxruntime-node is not installed)\n`;
  const runtime = { label: `${file} in onnxruntime`, steps: output.h.map((rows) => ({ h: rows })) };
  const comparison = tr.compareRuns({ label: file, steps: traced.steps.map((s) => ({ h: s.h })) }, runtime, tolerance);
  const max = `max |trace - runtime| = ${tr.formatDifference(comparison.max.diff)} (h, step ${comparison.max.t})`;
  return `${label} in onnxruntime ${output.version}: ${comparison.agree ? `gateflow's trace reproduces the runtime, ${max}` : `the runtime differs from gateflow's trace, ${max}, tolerance ${tolerance.toExponential()}`}\n`;
}
