import type { ArgumentsCamelCase, Argv } from 'yargs';
import type { CellGraph } from '../../cell/index.js';
import type { DiagramOptions } from '../../diagram/index.js';
import { basename, extname, join } from 'node:path';
import { InputError } from '../../errors.js';
import { cellParseOptions, readCell } from '../../io/index.js';
import { figureBytes, loadTheme, warn, writeOutput } from '../output.js';
import type { Command } from './command.js';

const FORMATS = ['svg', 'png', 'pdf', 'tikz', 'pptx'] as const;
type Format = (typeof FORMATS)[number];

/** A format's file extension (TikZ is written as .tex), and the format an extension names. */
const extensionOf = (format: Format) => (format === 'tikz' ? 'tex' : format);
const formatOf = (extension: string): Format | null => (extension === 'tex' ? 'tikz' : FORMATS.includes(extension as Format) ? (extension as Format) : null);

/** In the working folder: a cell file's own name (dir/my.cell → my.svg), or the shipped cell's name. */
function defaultOutput(cellArgument: string, format: Format): string {
  const name = cellArgument.endsWith('.cell') ? basename(cellArgument, '.cell') : basename(cellArgument);
  return `${name}.${extensionOf(format)}`;
}

function diagramCommand(cli: Argv): Argv {
  return cli.command(
    'diagram <cell>',
    'Draw a cell unrolled over adjacent timesteps (SVG, PNG, PDF, TikZ or PowerPoint)',
    diagramOptions,
    runDiagram,
  );
}

function diagramOptions(y: Argv) {
  return y
    .positional('cell', { type: 'string', demandOption: true, describe: 'a shipped cell name (see `gateflow cells`) or a path to a .cell file' })
    .option('steps', { type: 'number', describe: 'adjacent timesteps to draw, 1 to 8 (default 2; a cell without state is one step)' })
    .option('detail', { choices: ['gates', 'ops'] as const, default: 'gates' as const, describe: 'gates: one box per gate; ops: every matmul, bias and sum' })
    .option('theme', { type: 'string', default: 'light', describe: "light, dark, print, colorblind, auto (light, or dark where the viewer prefers dark: SVG only), or a path to a .json theme" })
    .option('text', { choices: ['paths', 'editable'] as const, default: 'paths' as const, describe: 'labels as paths (no fonts needed) or as editable <text> with the TeX in data-tex' })
    .option('format', { choices: FORMATS, describe: 'output format (default: from the -o extension, .tex for tikz, .pptx for PowerPoint, else svg)' })
    .option('scale', { type: 'number', default: 2, describe: 'PNG pixels per SVG unit (the PDF is 1 pt per unit, as vectors)' })
    .option('standalone', { type: 'boolean', default: false, describe: 'TikZ: a whole document that pdflatex or lualatex compiles, not a tikzpicture to \\input' })
    .option('transparent', { type: 'boolean', default: false, describe: 'no background (the theme background is left out)' })
    .option('legend', { type: 'boolean', default: false, describe: 'add a key: a sample of each glyph and wire used, with a few words' })
    .option('title', { type: 'string', describe: "title above the figure (default: the cell's title; '' for none)" })
    .option('output', { alias: 'o', type: 'string', describe: 'output file, - for standard output (default: CELL.FORMAT)' })
    .option('walkthrough', { type: 'boolean', default: false, describe: 'one figure per statement into the folder -o (default CELL-walkthrough): its glyphs and wires lit, the rest faded, its equation beside' })
    .option('highlight', { type: 'string', describe: 'comma-separated values to highlight at every step, with the wires between them (e.g. c: the cell-state path); the rest faded' })
    .option('build', { type: 'boolean', default: false, describe: 'PowerPoint: after the figure, one slide per statement (the walkthrough frames), so it builds up gate by gate' })
    .option('faded-neighbours', { type: 'boolean', default: false, describe: 'draw one more step before and after, faded' })
    .option('weights-map', { choices: ['pytorch', 'onnx', 'keras'] as const, describe: "under the figure: where each parameter lives in that framework's file (W_ir = weight_ih_l0[0:H]), with the convention's badge" })
    .option('debug-stage', { choices: ['unroll', 'layout'] as const, describe: 'print an intermediate form as JSON instead of the figure: the unrolled graph, or the placed geometry' })
    .example('$0 diagram gru', 'gru.svg: a GRU at steps t-1 and t')
    .example('$0 diagram lstm-peephole --theme print -o lstm.pdf', 'a greyscale PDF, figure as vectors')
    .example('$0 diagram my.cell --steps 3 --detail ops -o my.png', 'any .cell file, every matmul and bias')
    .example('$0 diagram gru -o gru.tex --standalone', 'TikZ, a document pdflatex compiles')
    .example('$0 diagram lstm -o lstm.pptx --build', 'PowerPoint: every glyph, label and wire an editable shape; one more slide per statement')
    .example('$0 diagram gru --weights-map onnx', 'under the figure: W_iz = W[0, 0:H, :] (W_z), ... and the ONNX GRU convention')
    .example('$0 diagram lstm --walkthrough -o frames/', 'frames/01-f.svg, 02-i.svg, ...: one statement lit per figure');
}

type DiagramArgs = ArgumentsCamelCase<ReturnType<typeof diagramOptions> extends Argv<infer T> ? T : never>;

/** The output format: --format, else the -o extension, else SVG; the two must agree. */
function formatFor(args: DiagramArgs): Format {
  const fromExtension = args.output && args.output !== '-' ? extname(args.output).slice(1).toLowerCase() : '';
  if (args.format && formatOf(fromExtension) && formatOf(fromExtension) !== args.format) {
    throw new InputError(`--format ${args.format} does not match the output file '${args.output}'`);
  }
  return args.format ?? formatOf(fromExtension) ?? 'svg';
}

/** --highlight as a list of value names. */
function highlighted(args: DiagramArgs): string[] | undefined {
  return args.highlight === undefined ? undefined : args.highlight.split(',').map((name) => name.trim());
}

async function runDiagram(args: DiagramArgs): Promise<void> {
  // --steps and --scale are checked against their ranges by the CLI (cli/number-rules.ts).
  const steps = args.steps ?? 2;
  const format = formatFor(args);
  // elkjs loads on its own thread while this one parses the cell and typesets.
  const { diagram, placeDiagram, prepareDiagram } = await import('../../diagram/index.js');
  await prepareDiagram();
  // auto: the light theme, recoloured by an embedded style where the viewer prefers dark.
  const auto = args.theme === 'auto';
  if (auto && format !== 'svg') throw new InputError(`--theme auto follows the viewer's colour scheme, which only an SVG can do; give a theme for ${format.toUpperCase()}`);
  const theme = await loadTheme(auto ? 'light' : args.theme);
  const darkTheme = auto ? await loadTheme('dark') : undefined;
  const cell = await loadDiagramCell(args);
  if (args['debug-stage']) {
    const placed = await placeDiagram(cell, { steps, detail: args.detail, theme, title: args.title, legend: args.legend });
    const form = args['debug-stage'] === 'unroll' ? placed.graph : placed;
    // Coordinates to two decimals, as in the SVG.
    writeOutput(args.output ?? '-', `${JSON.stringify(form, (_key, v: unknown) => (typeof v === 'number' ? Math.round(v * 100) / 100 : v), 2)}\n`);
    return;
  }
  const framework = args['weights-map'];
  const weightsMap = framework ? (await import('../../trace/index.js')).weightsMap(cell.name, framework) : undefined;
  const options = { steps, detail: args.detail, theme, title: args.title, legend: args.legend, transparent: args.transparent, fadedNeighbours: args['faded-neighbours'], text: args.text, darkTheme, weightsMap };
  if (args.build && format !== 'pptx') throw new InputError(`--build adds slides to a PowerPoint file; it does nothing for ${format.toUpperCase()} (use --walkthrough for one figure per statement)`);
  if (format === 'pptx' || format === 'tikz') return writeEditable(args, format, auto, cell, options);
  if (args.walkthrough) return writeWalkthrough(args, format, cell, options);
  const svg = await diagram(cell, { ...options, highlight: highlighted(args) });
  const data = await figureBytes(svg, format, { scale: args.scale, title: cell.title });
  const target = args.output ?? defaultOutput(args.cell, format);
  writeOutput(target, data);
}

/** The cell, parsed, its lint warnings printed; a note when steps were asked of a cell without state. */
async function loadDiagramCell(args: DiagramArgs): Promise<CellGraph> {
  const { lintCell, parseCell } = await import('../../cell/index.js');
  const source = readCell(args.cell);
  const cell = parseCell(source.text, cellParseOptions(source));
  lintCell(cell).forEach(warn);
  if (args.steps !== undefined && args.steps !== 1 && cell.states.length === 0) {
    process.stderr.write(`note: cell '${cell.name}' has no state, so nothing flows between steps; drawing one step\n`);
  }
  return cell;
}

/** The options every kind of figure shares (a walkthrough takes no highlight). */
type FigureOptions = Omit<DiagramOptions, 'annotate' | 'highlight'>;

/** PowerPoint (editable shapes, optionally built up statement by statement) or TikZ. */
async function writeEditable(args: DiagramArgs, format: 'pptx' | 'tikz', auto: boolean, cell: CellGraph, options: FigureOptions): Promise<void> {
  const { slides, tikz } = await import('../../diagram/index.js');
  if (format === 'pptx') {
    if (args.walkthrough || args.text !== 'paths' || auto) throw new InputError('--format pptx draws one theme with editable labels: leave out --walkthrough (use --build), --text and --theme auto');
    writeOutput(args.output ?? defaultOutput(args.cell, format), await slides(cell, { ...options, highlight: highlighted(args), build: args.build }));
    return;
  }
  if (args.walkthrough || args.text !== 'paths' || auto) throw new InputError('--format tikz draws one figure in one theme with TeX labels: leave out --walkthrough, --text and --theme auto');
  writeOutput(args.output ?? defaultOutput(args.cell, format), await tikz(cell, { ...options, highlight: highlighted(args), standalone: args.standalone }));
}

/** One figure per statement into a folder, numbered in statement order. */
async function writeWalkthrough(args: DiagramArgs, format: 'svg' | 'png' | 'pdf', cell: CellGraph, options: FigureOptions): Promise<void> {
  if (args.highlight !== undefined) throw new InputError('--highlight and --walkthrough cannot be combined (a walkthrough lights one statement per figure)');
  const { walkthrough } = await import('../../diagram/index.js');
  const frames = await walkthrough(cell, options);
  const folder = args.output ?? `${defaultOutput(args.cell, format).replace(/\.[a-z]+$/, '')}-walkthrough`;
  const digits = Math.max(2, String(frames.length).length);
  for (const [i, frame] of frames.entries()) {
    writeOutput(join(folder, `${String(i + 1).padStart(digits, '0')}-${frame.target}.${format}`), await figureBytes(frame.svg, format, { scale: args.scale, title: cell.title }));
  }
}

/** The `diagram` commands (owned by the diagram stage). */
export const diagramCommands: readonly Command[] = [diagramCommand];
