/**
 * `gateflow memory`: the connectivity maps of "Visualizing memorization in RNNs": the norm of
 * ∂h_t/∂x_s for every s ≤ t, one heat map per cell side by side, for random weights and for
 * given ones (--from, a compare result; or --weights, files as `trace --weights` reads them);
 * a CSV and a table by lag.
 */
import { basename, join } from 'node:path';
import type { Argv } from 'yargs';
import type { CellGraph } from '../../cell/index.js';
import type { MemoryMap, MemoryOptions } from '../../experiments/index.js';
import type { Tensor } from '../../engine/index.js';
import { InputError } from '../../errors.js';
import { warn } from '../output.js';
import { cellWithWeights } from '../weights-source.js';
import type { Command } from './command.js';
import { readRecord } from './compare.js';

/** One column of maps: a cell, the size its random map uses, its inputs, and the weights of its second map, if any. */
interface Column {
  readonly cell: CellGraph;
  readonly hidden: number;
  readonly inputs: Tensor;
  /** Sizes of the cell's other dimensions (a rank), from a weights file; default: hidden. */
  readonly sizes?: Readonly<Record<string, number>>;
  readonly given?: { readonly label: string; readonly weights: NonNullable<MemoryOptions['weights']> };
}

interface MemoryArgs {
  cells?: string[];
  steps?: number;
  hidden?: number;
  input?: number;
  samples: number;
  seed: number;
  from?: string;
  weights?: string[];
  'color-scale': 'shared' | 'panel';
}

/** ‖∂h_t/∂x_s‖ as chart text draws it: math-italic h and x with subscript t and s (plot/glyphs.ts sets ₜ, ₛ as TeX does). */
const NORM_TITLE = '‖∂ℎₜ/∂𝑥ₛ‖';

export function memoryCommand(cli: Argv): Argv {
  return cli.command(
    'memory [cells..]',
    'Map how much the state at t depends on the input at s (‖∂h_t/∂x_s‖), for random and trained weights',
    (y) =>
      y
        .positional('cells', { type: 'string', array: true, describe: 'shipped cell names or .cell paths (default rnn gru lstm; with --weights, an ONNX or Keras file names its own)' })
        .option('steps', { type: 'number', describe: 'sequence length T (default 30; with --from, the task’s length)' })
        .option('hidden', { type: 'number', describe: 'state size of the random cells (default 16; with --from: each trained cell’s own; with --weights: the file’s)' })
        .option('input', { type: 'number', describe: 'input size (default 1; with --weights: the file’s); inputs are N(0, 1) (with --from: the task’s own sequences)' })
        .option('samples', { type: 'number', default: 4, describe: 'input sequences the norms are averaged over' })
        .option('seed', { type: 'number', default: 1, describe: 'seed of the random weights and inputs' })
        .option('from', { type: 'string', describe: 'a compare.json (or a shipped result by name): add a row of maps for its trained weights' })
        .option('weights', { alias: 'w', type: 'string', array: true, nargs: 1, describe: 'weights files, one per cell in order, as trace --weights reads them (JSON, PyTorch .safetensors, ONNX, Keras .keras/.h5): add a row of maps for them' })
        .option('color-scale', { type: 'string', choices: ['shared', 'panel'] as const, default: 'shared' as const, describe: 'one log colour scale for every map (colours compare across maps), or one per map (each map’s own range; for cells whose ranges differ by many decades)' })
        .option('output', { alias: 'o', type: 'string', default: '.', describe: 'folder for memory.csv, memory.svg and memory.png' })
        .example('$0 memory rnn gru lstm --steps 30', 'random weights')
        .example('$0 memory rnn gru lstm --from adding-20', 'random and trained on the adding problem')
        .example('$0 memory lstm --weights lstm.safetensors', 'random and a PyTorch nn.LSTM’s weights')
        .example('$0 memory jordan.cell gru --color-scale panel', 'a fading cell beside a gated one, each map on its own scale'),
    async (args) => {
      const ex = await import('../../experiments/index.js');
      const { flatPanels, heatmapGrid, renderChart } = await import('../../plot/index.js');
      const { svgToPng, writeFileAtomic } = await import('../../io/index.js');
      for (const [name, v] of [['steps', args.steps ?? 30], ['hidden', args.hidden ?? 16], ['input', args.input ?? 1], ['samples', args.samples]] as const) {
        if (!Number.isInteger(v) || v < 1) throw new InputError(`--${name} must be a positive integer, found ${v}`);
      }
      const { columns, about, subtitle } = args.weights ? await fromWeightFiles(args) : await fromCellsOrRecord(args);
      const mapOf = (c: Column, weights?: MemoryOptions['weights']): MemoryMap => ex.memoryMap(c.cell, { hidden: c.hidden, inputs: c.inputs, sizes: c.sizes, seed: args.seed, weights });
      // A cell without h is mapped through its last state, which the label then names.
      const labelled = (label: string, map: MemoryMap) => ({ label: map.state === 'h' ? label : `${label} (${map.state})`, map });
      const randomMaps = columns.map((c) => labelled(`${c.cell.name} random`, mapOf(c)));
      const givenMaps = columns.flatMap((c) => (c.given ? [labelled(c.given.label, mapOf(c, c.given.weights))] : []));
      const maps = [...randomMaps, ...givenMaps];
      const T = maps[0]!.map.steps;
      const panel = (m: (typeof maps)[number]) => ({ title: m.label, values: m.map.norms, n: T });
      const colorScale = args['color-scale'];
      const flat = colorScale === 'shared' ? flatPanels(maps.map(panel)) : [];
      if (flat.length) warn(`on the shared colour scale, ${flat.join(', ')} var${flat.length === 1 ? 'ies' : 'y'} over under a quarter of its decades, so ${flat.length === 1 ? 'its map shows' : 'their maps show'} little of ${flat.length === 1 ? 'its' : 'their'} own variation; --color-scale panel gives each map its own scale`);
      const spec = heatmapGrid({
        rows: [randomMaps.map(panel), ...(givenMaps.length ? [givenMaps.map(panel)] : [])],
        title: `${NORM_TITLE}, T = ${T}, ${about}${subtitle}`,
        xTitle: 'input step s',
        yTitle: 'state step t',
        colorTitle: NORM_TITLE,
        colorScale,
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

/** Random cells, and with --from the weights a compare run trained (inputs: that task's sequences). */
async function fromCellsOrRecord(args: MemoryArgs): Promise<{ columns: Column[]; about: string; subtitle: string }> {
  const ex = await import('../../experiments/index.js');
  const { loadCell } = await import('../../load-cell.js');
  const { createRandom } = await import('../../random.js');
  const record = args.from ? await readRecord(args.from) : undefined;
  const cells = (args.cells?.length ? args.cells : ['rnn', 'gru', 'lstm']).map((name) => loadCell(name));
  let inputs = ex.normalInputs(args.steps ?? 30, args.samples, args.input ?? 1, args.seed);
  let about = `inputs N(0, 1), mean of ${args.samples}`;
  if (record) {
    const builtin = ex.TASK_NAMES.includes(record.task.name.split(':')[0]!);
    inputs = builtin
      ? ex.taskByName(record.task.name).sample(createRandom(args.seed), args.samples, 'test').xs
      : ex.normalInputs(args.steps ?? 30, args.samples, record.task.inputs, args.seed);
    about = `${builtin ? `${record.task.name} sequences` : 'inputs N(0, 1)'}, mean of ${args.samples}`;
  }
  const columns = cells.map((cell): Column => {
    const found = record?.cells.find((c) => c.cell === cell.name);
    if (record && !found) throw new InputError(`${args.from} holds no trained '${cell.name}' (it has ${record.cells.map((c) => c.cell).join(', ')})`);
    return { cell, hidden: found?.hidden ?? args.hidden ?? 16, inputs, given: found && { label: `${cell.name} trained`, weights: found.weights } };
  });
  return { columns, about, subtitle: record ? `; trained on ${record.task.name}` : '' };
}

/**
 * Cells with the weights of files read as `trace --weights` reads them. Sizes come from the
 * weights (or --hidden/--input, which must then agree), and the trace stage checks every
 * tensor against them, so a file that does not fit names the tensor and the shape expected.
 */
async function fromWeightFiles(args: MemoryArgs): Promise<{ columns: Column[]; about: string; subtitle: string }> {
  const ex = await import('../../experiments/index.js');
  const tr = await import('../../trace/index.js');
  const files = args.weights!;
  if (args.from) throw new InputError('--from and --weights both give the second row of maps; use one');
  const names = args.cells?.length ? args.cells : files.map(() => undefined);
  if (names.length !== files.length) {
    throw new InputError(`--weights gives ${files.length} file${files.length === 1 ? '' : 's'} for ${names.length} cells (${names.join(', ')}); give one per cell, in order`);
  }
  const columns: Column[] = [];
  for (const [k, file] of files.entries()) {
    const { cell, weights, initial } = await cellWithWeights(names[k], file, warn, 'memory');
    ex.checkSequenceCell(cell);
    const given: Record<string, number> = {};
    const inputDim = cell.inputs[0]!.shape.find((d): d is string => typeof d === 'string');
    const stateDim = cell.states.flatMap((s) => s.shape).find((d): d is string => typeof d === 'string');
    if (args.input !== undefined && inputDim) given[inputDim] = args.input;
    if (args.hidden !== undefined && stateDim && stateDim !== inputDim) given[stateDim] = args.hidden;
    const { sizes } = tr.resolveSizes(cell, given, weights);
    tr.checkWeights(cell, sizes, weights!, file);
    if (Object.keys(initial).length) warn(`${file} stores initial states (${Object.keys(initial).join(', ')}); the memory maps start from zero states`);
    const hidden = (stateDim && sizes[stateDim]) || 1;
    const inputs = ex.normalInputs(args.steps ?? 30, args.samples, (inputDim && sizes[inputDim]) || 1, args.seed);
    columns.push({ cell, hidden, inputs, sizes, given: { label: `${cell.name} ${basename(file)}`, weights: Object.fromEntries(weights!) } });
  }
  return { columns, about: `inputs N(0, 1), mean of ${args.samples}`, subtitle: '; bottom: the weights files' };
}

/** The `memory` command (owned by the experiments stage). */
export const memoryCommands: readonly Command[] = [memoryCommand];
