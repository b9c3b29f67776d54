/**
 * `gateflow memory`: the connectivity maps of "Visualizing memorization in RNNs": the norm of
 * ∂h_t/∂x_s for every s ≤ t, one heat map per cell side by side, for random weights and (with
 * --from, a compare result) for the weights trained there; a CSV and a table by lag.
 */
import { join } from 'node:path';
import type { Argv } from 'yargs';
import type { Command } from './command.js';
import { readRecord } from './compare.js';

export function memoryCommand(cli: Argv): Argv {
  return cli.command(
    'memory [cells..]',
    'Map how much the state at t depends on the input at s (‖∂h_t/∂x_s‖), for random and trained weights',
    (y) =>
      y
        .positional('cells', { type: 'string', array: true, default: ['rnn', 'gru', 'lstm'], describe: 'shipped cell names or .cell paths' })
        .option('steps', { type: 'number', describe: 'sequence length T (default 30; with --from, the task’s length)' })
        .option('hidden', { type: 'number', default: 16, describe: 'state size of the random cells (with --from: each trained cell’s own)' })
        .option('input', { type: 'number', default: 1, describe: 'input size; inputs are N(0, 1) (with --from: the task’s own sequences)' })
        .option('samples', { type: 'number', default: 4, describe: 'input sequences the norms are averaged over' })
        .option('seed', { type: 'number', default: 1, describe: 'seed of the random weights and inputs' })
        .option('from', { type: 'string', describe: 'a compare.json (or a shipped result by name): add a row of maps for its trained weights' })
        .option('output', { alias: 'o', type: 'string', default: '.', describe: 'folder for memory.csv, memory.svg and memory.png' })
        .example('$0 memory rnn gru lstm --steps 30', 'random weights')
        .example('$0 memory rnn gru lstm --from adding-20', 'random and trained on the adding problem'),
    async (args) => {
      const ex = await import('../../experiments/index.js');
      const { loadCell } = await import('../../load-cell.js');
      const { heatmapGrid, renderChart } = await import('../../plot/index.js');
      const { svgToPng, writeFileAtomic } = await import('../../io/index.js');
      const { InputError } = await import('../../errors.js');
      const { createRandom } = await import('../../random.js');
      for (const [name, v] of [['steps', args.steps ?? 30], ['hidden', args.hidden], ['input', args.input], ['samples', args.samples]] as const) {
        if (!Number.isInteger(v) || v < 1) throw new InputError(`--${name} must be a positive integer, found ${v}`);
      }
      const record = args.from ? await readRecord(args.from) : undefined;
      const cells = (args.cells as string[]).map((name) => loadCell(name));
      const trained = record ? cells.map((cell) => {
        const found = record.cells.find((c) => c.cell === cell.name);
        if (!found) throw new InputError(`${args.from} holds no trained '${cell.name}' (it has ${record.cells.map((c) => c.cell).join(', ')})`);
        return found;
      }) : undefined;
      let inputs = ex.normalInputs(args.steps ?? 30, args.samples, args.input, args.seed);
      let about = `inputs N(0, 1), mean of ${args.samples}`;
      if (record) {
        const builtin = ex.TASK_NAMES.includes(record.task.name.split(':')[0]!);
        inputs = builtin
          ? ex.taskByName(record.task.name).sample(createRandom(args.seed), args.samples, 'test').xs
          : ex.normalInputs(args.steps ?? 30, args.samples, record.task.inputs, args.seed);
        about = `${builtin ? `${record.task.name} sequences` : 'inputs N(0, 1)'}, mean of ${args.samples}`;
      }
      const T = inputs.shape[0]!;
      const randomMaps = cells.map((cell, k) => ({
        label: `${cell.name} random`,
        map: ex.memoryMap(cell, { hidden: trained?.[k]!.hidden ?? args.hidden, inputs, seed: args.seed }),
      }));
      const trainedMaps = trained ? cells.map((cell, k) => ({
        label: `${cell.name} trained`,
        map: ex.memoryMap(cell, { hidden: trained[k]!.hidden, inputs, weights: trained[k]!.weights }),
      })) : [];
      const maps = [...randomMaps, ...trainedMaps];
      const panel = (m: (typeof maps)[number]) => ({ title: m.label, values: m.map.norms, n: T });
      const spec = heatmapGrid({
        rows: [randomMaps.map(panel), ...(trainedMaps.length ? [trainedMaps.map(panel)] : [])],
        title: `‖∂h_t/∂x_s‖, T = ${T}, ${about}${record ? `; trained on ${record.task.name}` : ''}`,
        xTitle: 'input step s',
        yTitle: 'state step t',
        colorTitle: '‖∂h_t/∂x_s‖',
      });
      const svg = await renderChart(spec);
      const out = args.output;
      writeFileAtomic(join(out, 'memory.csv'), ex.memoryCsv(maps));
      writeFileAtomic(join(out, 'memory.svg'), svg);
      writeFileAtomic(join(out, 'memory.png'), svgToPng(svg));
      process.stdout.write(`mean of ‖∂h_t/∂x_(t−lag)‖ over t (${about})\n`);
      process.stdout.write(ex.memoryTable(maps));
    },
  );
}

/** The `memory` command (owned by the experiments stage). */
export const memoryCommands: readonly Command[] = [memoryCommand];
