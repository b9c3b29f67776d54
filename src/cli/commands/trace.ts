/**
 * `gateflow trace`: run a cell over an input sequence and show every gate's numbers
 * as a table, JSON or CSV, or on the diagram. Reads through io, computes with the
 * trace stage, writes through writeOutput; heavy modules load only when it runs.
 */
import type { Argv } from 'yargs';
import type { Command } from './command.js';
import { InputError } from '../../errors.js';
import { readStdinText, readText } from '../../io/index.js';
import { figureBytes, loadTheme, warn, writeOutput } from '../output.js';
import { sizeValue } from '../options.js';
import { cellWithWeights } from '../weights-source.js';

// Output options take nargs 1 so that yargs accepts '-' (standard output) as their value.

/** An option value that is inline JSON ('[[1,0],[0,1]]') rather than a file path. */
const isInline = (value: string): boolean => /^\s*[[{]/.test(value);

export function traceCommand(cli: Argv): Argv {
  return cli.command(
    'trace [cell]',
    'Evaluate a cell on an input sequence and show every gate, step by step',
    (y) =>
      traceInputOptions(y)
        .positional('cell', { type: 'string', describe: 'a shipped cell (see `gateflow cells`) or a .cell path; optional with an ONNX model, which names its cell' })
        .option('save-weights', { type: 'string', nargs: 1, describe: 'write the weights used as JSON (or .safetensors)' })
        .option('save-as', { choices: ['cell', 'pytorch'] as const, default: 'cell' as const, describe: "with --save-weights: names of the cell's parameters, or a PyTorch state_dict (weight_ih_l0, ...)" })
        .option('json', { type: 'string', nargs: 1, describe: 'write the whole trace as JSON to FILE (- for standard output)' })
        .option('csv', { type: 'string', nargs: 1, describe: 'write the whole trace as CSV to FILE (- for standard output)' })
        .option('html', { type: 'string', nargs: 1, describe: 'write the explorer page to FILE (as `gateflow explore` does; --theme and --detail apply): the diagram playing the trace step by step' })
        .option('all-nodes', { type: 'boolean', default: false, describe: 'include every intermediate node (r.matmul.0, ...), not only the statements' })
        .option('nodes', { type: 'string', nargs: 1, describe: 'the table and CSV show only these node ids, comma-separated (e.g. z,h)' })
        .option('digits', { type: 'number', default: 4, describe: 'digits after the point in the table' })
        .option('annotate', { type: 'string', nargs: 1, describe: 'draw the diagram of --step (and the step before) with the values on it, to FILE.svg (.png and .pdf also work)' })
        .option('step', { type: 'number', describe: 'the step to annotate (default: the last)' })
        .option('batch-element', { type: 'number', default: 0, describe: 'with --annotate: which batch element to draw' })
        .option('detail', { choices: ['gates', 'ops'] as const, default: 'gates' as const, describe: 'with --annotate: one box per gate, or every op' })
        .option('theme', { type: 'string', default: 'light', describe: 'with --annotate: light, dark, print, colorblind, or a path to a .json theme' })
        .example('$0 trace gru --input seq.json --hidden 3 --seed 7', 'print every gate of a GRU, step by step')
        .example("$0 trace lstm -i '[[1,0],[0,1]]' --weights lstm.safetensors --json trace.json", 'a PyTorch nn.LSTM state_dict, the trace as JSON')
        .example('$0 trace --weights model.onnx -i seq.csv --annotate t1.svg --step 1', 'the cell named by an ONNX model, drawn with its values'),
    async (args) => {
      checkOptions(args);
      const { cell, result, tr } = await traceFromArgs(args);

      // Every output is made before any is written, so a bad option leaves no partial set of files.
      const jsonNodes = args['all-nodes'] ? ('all' as const) : ('values' as const);
      const nodes = args.nodes !== undefined ? args.nodes.split(',').map((id) => id.trim()).filter(Boolean) : jsonNodes;
      // As bytes: the table of a long trace is megabytes, which a string would only be made and encoded again.
      const table = tr.formatTableBytes(result, { nodes, digits: args.digits });
      const outputs: [string, string | Uint8Array][] = [];
      if (args['save-weights']) {
        const target = args['save-weights'];
        const saved = args['save-as'] === 'pytorch' ? tr.toPyTorch(cell, result.weights, { warn }) : result.weights;
        const { encodeSafetensors } = await import('../../io/safetensors.js');
        outputs.push([target, /\.safetensors$/i.test(target) ? encodeSafetensors([...saved], { metadata: { cell: cell.name, producer: 'gateflow' } }) : tr.weightsToJson(saved)]);
      }
      if (args.json !== undefined) outputs.push([args.json, tr.toJson(result, { nodes: jsonNodes })]);
      if (args.csv !== undefined) outputs.push([args.csv, tr.toCsv(result, { nodes })]);
      if (args.html !== undefined) outputs.push([args.html, await explorerFor(cell, result, args)]);
      if (args.annotate !== undefined) {
        const annotation = tr.toAnnotation(result, args.step ?? result.steps.length - 1, args['batch-element']);
        outputs.push([args.annotate, await drawAnnotated(cell, annotation, args.annotate, args.theme, args.detail)]);
      }
      for (const [target, data] of outputs) writeOutput(target, data);
      if (!outputs.some(([target]) => target === '-')) process.stdout.write(table);
    },
  );
}

/** The options that say what to trace, shared by `trace` and `explore`. */
export function traceInputOptions(y: Argv) {
  return y
    .option('input', { alias: 'i', type: 'string', nargs: 1, demandOption: true, describe: "the sequence: a JSON file [T][I] or [T][B][I], a CSV file (a row a step, a column a feature), inline JSON '[[1,0],[0,1]]', or - for standard input" })
    .option('hidden', { type: 'number', describe: 'hidden size (default: from the weights, else 4)' })
    .option('size', { type: 'string', array: true, nargs: 1, describe: "another dimension of a custom cell, NAME=N (repeatable), e.g. --size out=3" })
    .option('seed', { type: 'number', default: 0, describe: 'seed of the random weights (when no --weights) and of noise inputs' })
    .option('weights', { alias: 'w', type: 'string', describe: 'weights: JSON keyed by parameter name, a PyTorch state_dict as .safetensors, an ONNX model with one RNN/GRU/LSTM node, or a Keras .weights.h5 / .h5 (GRU, LSTM, SimpleRNN)' })
    .option('state0', { type: 'string', array: true, nargs: 1, describe: 'initial value of a state, NAME=VALUE (repeatable): VALUE is inline JSON [H] or [B][H], or a JSON file (default zeros)' })
    .option('h0', { type: 'string', describe: 'initial h, short for --state0 h=VALUE' })
    .option('c0', { type: 'string', describe: 'initial c (LSTM cells), short for --state0 c=VALUE' })
    .option('max-steps', { type: 'number', default: 10000, describe: 'refuse sequences longer than this' })
    .option('evaluator', {
      choices: ['engine', 'mathjs'] as const,
      describe: 'mathjs (the reference) or engine (compiled, float64; much faster); default: the engine when it agrees with mathjs within 1e-12 on a short random probe of the cell, else mathjs with a note',
    });
}

type TraceArgs = Awaited<ReturnType<ReturnType<typeof traceInputOptions>['parseAsync']>> & { cell?: string };

/** Read the cell, weights, input and initial states the options name, and trace. */
export async function traceFromArgs(args: TraceArgs) {
  const tr = await import('../../trace/index.js');
  const { decodeSequence, decodeStateJson } = await import('../../io/inputs.js');

  // Weights first: an ONNX model may name the cell.
  const weightsFile = args.weights;
  const { cell, weights, initial, onnxLength } = await cellWithWeights(args.cell, weightsFile, warn);

  const input = readOptionText(args.input, 'input');
  const sequence = decodeSequence(input.text, input.file);
  for (const { state, value, option } of initialStateOptions(args)) {
    const given = readOptionText(value, option);
    const decodedState = decodeStateJson(given.text, given.file);
    initial[state] = decodedState.perBatch ? decodedState.rows : decodedState.rows[0];
  }
  if (onnxLength !== undefined && onnxLength !== sequence.steps.length) {
    warn(`${weightsFile} stores sequence_lens ${onnxLength}, the input has ${sequence.steps.length} steps; every step is traced`);
  }

  const sizes = sizesFrom(args.size ?? [], cell.dims, cell.name, args['max-size'] as number | undefined);
  if (args.hidden !== undefined) sizes.hidden = args.hidden;
  else if (!weights) sizes.hidden = 4;
  const result = tr.trace(cell, weights, sequence.steps, {
    sizes,
    initial,
    seed: args.seed,
    maxSteps: args['max-steps'],
    inputName: input.file,
    weightsName: weightsFile,
    evaluator: args.evaluator,
    warn,
  });
  return { cell, result, tr };
}

/** Option values the parser accepts but the command cannot use (ranges are checked by the CLI, cli/number-rules.ts). */
function checkOptions(args: { step?: number; annotate?: string }): void {
  if (args.step !== undefined && args.annotate === undefined) throw new InputError('--step goes with --annotate FILE.svg');
}

/** --state0 NAME=VALUE entries and the --h0/--c0 shorthands, each state named once. */
function initialStateOptions(args: { state0?: string[]; h0?: string; c0?: string }): { state: string; value: string; option: string }[] {
  const found: { state: string; value: string; option: string }[] = [];
  for (const entry of args.state0 ?? []) {
    const match = /^\s*([^=\s]+)\s*=(.*)$/s.exec(entry);
    if (!match || !match[2].trim()) throw new InputError(`--state0 expects NAME=VALUE (e.g. c=c0.json or h='[0.5,0]'), found '${entry}'`);
    found.push({ state: match[1], value: match[2].trim(), option: `state0 ${match[1]}` });
  }
  if (args.h0 !== undefined) found.push({ state: 'h', value: args.h0, option: 'h0' });
  if (args.c0 !== undefined) found.push({ state: 'c', value: args.c0, option: 'c0' });
  const seen = new Set<string>();
  for (const { state, option } of found) {
    if (seen.has(state)) throw new InputError(`the initial value of state '${state}' is given twice (--${option} and an earlier option)`);
    seen.add(state);
  }
  return found;
}

/** An option's text: standard input for '-', the value itself when it is inline JSON, else the named file. */
function readOptionText(value: string, option: string): { text: string; file: string } {
  if (value === '-') return { text: readStdinText(), file: '<stdin>' };
  if (isInline(value)) return { text: value, file: `--${option}` };
  return { text: readText(value, `--${option} file`), file: value };
}

/** --size NAME=N entries, each naming one of the cell's dimensions. */
function sizesFrom(entries: readonly string[], dims: readonly string[], cellName: string, maxSize: number | undefined): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const entry of entries) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(\d+)\s*$/.exec(entry);
    if (!match) throw new InputError(`--size expects NAME=N (e.g. out=3), found '${entry}'`);
    if (!dims.includes(match[1])) throw new InputError(`--size ${match[1]}: cell '${cellName}' has no dimension '${match[1]}' (its dimensions: ${dims.join(', ')})`);
    sizes[match[1]] = sizeValue(match[2]!, `size ${match[1]}`, maxSize);
  }
  return sizes;
}

/** The explorer page of a trace, with the theme, detail and window the options give. */
export async function explorerFor(
  cell: import('../../cell/index.js').CellGraph,
  result: import('../../trace/index.js').Trace,
  args: { theme: string; detail: 'gates' | 'ops'; window?: number; 'grad-output'?: string; 'grad-unit'?: number; gradient?: boolean },
): Promise<string> {
  const { explorePage } = await import('../../explore/index.js');
  const gradient = args.gradient === false ? null : { output: args['grad-output'], unit: args['grad-unit'] };
  return explorePage(cell, result, { theme: await loadTheme(args.theme), detail: args.detail, window: args.window, gradient });
}

/** The annotated diagram as SVG, or PNG/PDF by the file's extension. */
async function drawAnnotated(
  cell: import('../../cell/index.js').CellGraph,
  annotation: import('../../trace/index.js').Annotation,
  target: string,
  themeName: string,
  detail: 'gates' | 'ops',
): Promise<string | Uint8Array> {
  const { diagram } = await import('../../diagram/index.js');
  const svg = await diagram(cell, { annotate: annotation, detail, theme: await loadTheme(themeName) });
  const format = /\.png$/i.test(target) ? 'png' : /\.pdf$/i.test(target) ? 'pdf' : 'svg';
  return figureBytes(svg, format, { scale: 2, title: cell.title });
}

/** The `trace` command (owned by the trace stage). */
export const traceCommands: readonly Command[] = [traceCommand];
