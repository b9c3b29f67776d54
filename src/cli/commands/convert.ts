/**
 * `gateflow convert IN OUT --to pytorch|onnx|keras|json`: a model in another framework's
 * layout. The converted bytes are read back with the same importers and traced against the
 * original on seeded random inputs before OUT is written (atomically); a target that cannot
 * express the model is refused with the reason.
 */
import type { Argv } from 'yargs';
import type { Command } from './command.js';
import { InputError } from '../../errors.js';
import { warn, writeOutput } from '../output.js';
import { cellResolver, decodeLoaded, encodeConverted, loadFile, randomInputs } from '../models.js';

const TARGET_BY_EXTENSION: Readonly<Record<string, 'pytorch' | 'onnx' | 'keras' | 'json'>> = { safetensors: 'pytorch', onnx: 'onnx', h5: 'keras', json: 'json' };
/** The random check: a few steps and two batch elements reach every gate and both states. */
const CHECK_STEPS = 6;
const CHECK_BATCH = 2;

export const convertCommand: Command = (cli: Argv) =>
  cli.command(
    'convert <in> <out>',
    "Convert a GRU/LSTM/RNN's weights between PyTorch, ONNX, Keras and gateflow JSON, checked on random inputs before writing",
    (y) =>
      y
        .positional('in', { type: 'string', demandOption: true, describe: 'the model: .safetensors (PyTorch), .onnx, .h5 / .weights.h5 / .keras (Keras), .json (gateflow weights)' })
        .positional('out', { type: 'string', demandOption: true, describe: 'the file to write' })
        .option('to', { choices: ['pytorch', 'onnx', 'keras', 'json'] as const, describe: "the target framework (default: from OUT's extension)" })
        .option('cell', { type: 'string', describe: 'the cell of a gateflow JSON weights file (e.g. gru-cho)' })
        .option('gru-reset', { choices: ['before', 'after'] as const, describe: "a GRU's reset placement in the target (default: as in IN; changing it is refused unless W_hn and b_hn are zero)" })
        .option('seed', { type: 'number', default: 0, describe: 'seed of the random inputs the conversion is checked on' })
        .option('tolerance', { type: 'number', default: 1e-5, describe: 'largest difference the check accepts (float32 files round float64 weights by about 1e-7)' })
        .example('$0 convert gru.safetensors gru.onnx', 'a PyTorch nn.GRU as an ONNX GRU (linear_before_reset=1, gates z, r, h)')
        .example('$0 convert lstm.weights.h5 lstm.safetensors', 'a Keras LSTM (i, f, c, o; one bias) as a PyTorch state_dict'),
    async (args) => {
      const tr = await import('../../trace/index.js');
      const extension = /\.([a-z0-9]+)$/i.exec(args.out)?.[1]?.toLowerCase() ?? '';
      // A .keras archive's config.json must describe the whole model for load_model; gateflow knows one layer.
      if (extension === 'keras') throw new InputError(`convert: gateflow reads .keras archives but does not write them (Keras's load_model needs the whole model's config); write '${args.out.replace(/\.keras$/i, '.weights.h5')}' and load it with model.load_weights`);
      const target = args.to ?? TARGET_BY_EXTENSION[extension];
      if (!target) throw new InputError(`convert: cannot tell the target framework from '${args.out}'; give --to pytorch|onnx|keras|json`);
      const loaded = await loadFile(args.in, args.cell !== undefined ? { cell: args.cell } : {});
      if (loaded.kind !== 'model') throw new InputError(`${args.in}: saved outputs, not a model; convert reads weights`);
      const model = loaded.model;
      const converted = tr.convertModel(model, target, args['gru-reset'] ? { gruReset: args['gru-reset'] } : {});
      const dropped = Object.keys(model.initial ?? {});
      if (dropped.length && target !== 'onnx') warn(`${args.in}: its stored initial state${dropped.length > 1 ? 's' : ''} (${dropped.join(', ')}) cannot be kept: a ${target} weights file holds none`);
      const bytes = await encodeConverted(converted);

      // Read the bytes back as a user would, and trace both on the same random inputs.
      const back = await decodeLoaded(typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes, args.out, { cell: converted.cell });
      if (back.kind !== 'model') throw new Error(`the converted ${target} file reads back as outputs`);
      const cells = await cellResolver();
      const features = model.weights.get(model.cell === 'rnn' ? 'W_ih' : model.cell.startsWith('gru') ? 'W_ir' : 'W_ii')!.shape[1];
      const inputs = await randomInputs(args.seed, CHECK_STEPS, CHECK_BATCH, features);
      const noInitial = (m: typeof model) => ({ ...m, initial: {} });
      const comparison = tr.compareRuns(tr.runModel(noInitial(model), cells, inputs), tr.runModel(noInitial(back.model), cells, inputs), args.tolerance);
      if (!comparison.agree) throw new Error(`the converted model differs from ${args.in} by ${tr.formatDifference(comparison.max.diff)} (step ${comparison.max.t}, ${comparison.max.name}); nothing was written`);
      writeOutput(args.out, bytes);
      process.stdout.write(
        `${args.in}: ${tr.describeModel(model)}\n${args.out}: ${tr.describeModel(back.model)}\n` +
          `checked on ${CHECK_STEPS} random steps, batch ${CHECK_BATCH} (seed ${args.seed}): max difference ${tr.formatDifference(comparison.max.diff)} (tolerance ${args.tolerance.toExponential()})\n`,
      );
    },
  );
