/**
 * The gallery that `npm start` regenerates in out/: every file it holds, built
 * from the shipped cells and themes. Pure apart from reading the shipped themes: it
 * returns paths and contents; the CLI writes them, and a test checks that out/ matches.
 */
import { parseCell, toMarkdown, toTex } from './cell/index.js';
import type { CellGraph } from './cell/index.js';
import type { Detail, Theme } from './diagram/index.js';

export interface GalleryFile {
  /** Path relative to out/. */
  readonly path: string;
  readonly content: string | Uint8Array;
}

export interface GallerySource {
  readonly name: string;
  readonly text: string;
  readonly file: string;
}

/** One gallery figure: a cell at some steps, detail and theme, written as diagrams/NAME.svg and .png. */
export interface GalleryFigure {
  readonly name: string;
  readonly cell: string;
  readonly steps: number;
  readonly detail: Detail;
  readonly theme: string;
  readonly caption: string;
}

const figure = (cell: string, steps: number, caption: string, extra: Partial<GalleryFigure> = {}): GalleryFigure => ({
  name: cell,
  cell,
  steps,
  detail: 'gates',
  theme: 'light',
  caption,
  ...extra,
});

/** The figures, in the order out/README.md shows them. */
export const GALLERY_FIGURES: readonly GalleryFigure[] = [
  figure('gru', 2, 'GRU (PyTorch convention: the reset gate multiplies W_hn h + b_hn) at two adjacent steps'),
  figure('gru-cho', 2, 'GRU as in Cho et al. 2014 (reset before the recurrent matmul)'),
  figure('lstm', 2, 'LSTM: the cell state runs along the top of each step'),
  figure('lstm-peephole', 2, 'LSTM with peepholes: dashed wires from the cell state into the gates'),
  figure('rnn', 3, 'Vanilla (Elman) RNN at three steps'),
  figure('mgu', 2, 'Minimal gated unit'),
  figure('vae-reparam', 1, 'VAE reparameterization: z = mu + exp(logvar / 2) ⊙ eps'),
  figure('gru', 2, 'GRU in ops detail: every matmul, bias and sum', { name: 'gru-ops', detail: 'ops' }),
  figure('lstm-peephole', 2, 'Theme dark', { name: 'lstm-peephole-dark', theme: 'dark' }),
  figure('lstm-peephole', 2, 'Theme print (greyscale)', { name: 'lstm-peephole-print', theme: 'print' }),
  figure('lstm-peephole', 2, 'Theme colorblind (Okabe-Ito)', { name: 'lstm-peephole-colorblind', theme: 'colorblind' }),
];

/** One command line of a gallery run; its standard output is kept when `stdout` names a file. */
export interface GalleryCommand {
  readonly args: readonly string[];
  readonly stdout?: string;
}

/**
 * A gallery section made the way a user makes it: gateflow commands run in order, with
 * out/DIR as the working directory (so every path in their output is relative and the
 * bytes do not depend on where the repository lives). SVGs written without a PNG beside
 * them get one.
 */
export interface GalleryRun {
  readonly dir: string;
  readonly title: string;
  readonly caption: string;
  readonly commands: readonly GalleryCommand[];
  /** Files (relative to DIR) the README shows as pictures, in order. */
  readonly images: readonly string[];
  /** Standalone .tex files (relative to DIR) the commands write, compiled with pdflatex to a PNG beside them. */
  readonly latex?: readonly string[];
  /** PowerPoint files (relative to DIR) the commands write, rendered by LibreOffice to NAME-K.png, one per slide. */
  readonly slides?: readonly string[];
  /** Files the commands write that the gallery does not keep (a trained model's weights). */
  readonly discard?: readonly string[];
}

/** The sections made by running commands, in the order out/README.md shows them. */
export const GALLERY_RUNS: readonly GalleryRun[] = [
  {
    dir: 'trace',
    title: 'Traces drawn on the diagram',
    caption: 'Every gate of a GRU and of a peephole LSTM (hidden 3, seeded PyTorch-style weights) on a four-step input, two adjacent steps drawn with each value as a colour strip on a diverging scale.',
    commands: [
      { args: ['trace', 'gru', '--input', '[[1,0],[0,1],[0.5,-0.5],[1,1]]', '--hidden', '3', '--seed', '7', '--json', 'gru-trace.json', '--annotate', 'gru-annotated.svg', '--step', '2'], stdout: 'gru-trace.txt' },
      { args: ['trace', 'lstm-peephole', '--input', '[[1,0],[0,1],[0.5,-0.5],[1,1]]', '--hidden', '3', '--seed', '7', '--annotate', 'lstm-peephole-annotated.svg', '--step', '3'], stdout: 'lstm-peephole-trace.txt' },
    ],
    images: ['gru-annotated.png', 'lstm-peephole-annotated.png'],
  },
  {
    dir: 'walkthrough',
    title: 'A step-by-step walkthrough',
    caption: 'The LSTM one statement at a time (that statement lit, the rest faded, its equation beside), the cell-state path highlighted, and a GRU between faded neighbours.',
    commands: [
      { args: ['diagram', 'lstm', '--walkthrough', '-o', 'frames'] },
      { args: ['diagram', 'lstm', '--highlight', 'c', '-o', 'cell-state.svg'] },
      { args: ['diagram', 'gru', '--faded-neighbours', '-o', 'gru-neighbours.svg'] },
    ],
    images: ['frames/01-i.png', 'frames/02-f.png', 'frames/03-g.png', 'frames/04-o.png', 'frames/05-c.png', 'frames/06-h.png', 'cell-state.png', 'gru-neighbours.png'],
  },
  {
    dir: 'tikz',
    title: 'TikZ for LaTeX',
    caption: 'The peephole LSTM with its key as a standalone TikZ document, compiled by pdflatex (and drawn to PNG by pdftoppm): the boxes where elkjs put them, the labels set by TeX.',
    commands: [{ args: ['diagram', 'lstm-peephole', '--legend', '--standalone', '-o', 'lstm-peephole.tex'] }],
    latex: ['lstm-peephole.tex'],
    images: ['lstm-peephole.png'],
  },
  {
    dir: 'slides',
    title: 'PowerPoint slides',
    caption: 'The LSTM as a .pptx with --build, drawn by LibreOffice Impress (soffice --headless, then pdftoppm): the whole figure, then the slide that explains the output gate. Every box, circle, label and wire is a shape of its own, the labels editable text in Times New Roman.',
    commands: [{ args: ['diagram', 'lstm', '--build', '-o', 'lstm.pptx'] }],
    slides: ['lstm.pptx'],
    images: ['lstm-1.png', 'lstm-5.png'],
  },
  {
    dir: 'gradflow',
    title: 'Gradient flow through time',
    caption: 'The norm of ∂h_T/∂h_t for rnn, gru and lstm (T = 50, hidden 32, 16 random sequences): PyTorch initialisation, then recurrent weights scaled to spectral radius about 4.',
    commands: [
      { args: ['gradflow', 'rnn', 'gru', 'lstm', '--steps', '50', '--hidden', '32', '--seed', '1', '-o', 'pytorch-init'], stdout: 'pytorch-init.txt' },
      { args: ['gradflow', 'rnn', 'gru', 'lstm', '--steps', '50', '--hidden', '32', '--seed', '1', '--init', '4', '-o', 'init-4'], stdout: 'init-4.txt' },
    ],
    images: ['pytorch-init/gradflow.png', 'init-4/gradflow.png'],
  },
  {
    dir: 'experiments',
    title: 'Peepholes and memory, measured',
    caption: 'Saved compare runs (templates/results; its README.md gives the command that made each) redrawn: lstm against lstm-peephole on the spike-delay task of Gers et al. 2002 with delays of 5 to 10 steps and of 10 to 20, mean and range over seeds; then ‖∂h_t/∂x_s‖ for rnn, gru and lstm with random weights (top) and with the weights trained on the adding problem at T = 40 (bottom; only gru learned it in 400 steps); last, the copy task of Arjovsky et al. 2016 at T = 10 (10 symbols of 8, 30 steps): cross-entropy per step of rnn, gru and lstm against the memoryless baseline 10·log 8/30, which none got far below in 800 steps.',
    commands: [
      { args: ['compare', '--from', 'peephole-delay', '-o', 'delay-10'], stdout: 'delay-10.txt' },
      { args: ['compare', '--from', 'peephole-delay-20', '-o', 'delay-20'], stdout: 'delay-20.txt' },
      { args: ['memory', 'rnn', 'gru', 'lstm', '--from', 'adding-40', '--samples', '2', '-o', 'memory'], stdout: 'memory.txt' },
      { args: ['compare', '--from', 'copy-10', '-o', 'copy-10'], stdout: 'copy-10.txt' },
    ],
    images: ['delay-10/compare.png', 'delay-20/compare.png', 'memory/memory.png', 'copy-10/compare.png'],
  },
  {
    dir: 'vae-gradvar',
    title: 'Why the reparameterization trick',
    caption: 'Variance of the score-function (REINFORCE) and the reparameterized gradient of E[z²] under q = N(1, 1), against the number of samples, measured and in closed form.',
    commands: [{ args: ['vae', 'gradvar', '--out', '.'], stdout: 'gradvar.txt' }],
    images: ['gradvar.png'],
  },
  {
    dir: 'vae',
    title: 'A VAE with a 2-D latent on MNIST',
    caption: '784-400-2, beta 1, 10 epochs on the seeded 8,000/2,000 split: loss curves, the test digits’ latent means, reconstructions, and the decoded manifold.',
    commands: [{ args: ['vae', 'train', '--latent', '2', '--epochs', '10', '--out', '.'] }],
    images: ['curves.png', 'latent.png', 'reconstructions.png', 'manifold.png'],
    discard: ['model.json'],
  },
  {
    dir: 'rnn',
    title: 'RNN anomaly detection on a synthetic series',
    caption: 'A seasonal series with spikes, level shifts, a changed frequency and flattened stretches (seed 1); the rnn cell’s standardised prediction error, its threshold and the flagged points; then SGD without clipping diverging where the clipped run trains.',
    commands: [
      { args: ['rnn', 'synth', '--seed', '1', '--kind', 'mixed', '-o', 'mixed.csv'] },
      { args: ['rnn', 'detect', '--series', 'mixed.csv', '--cell', 'rnn', '--seed', '1', '-o', 'detect'] },
      { args: ['rnn', 'detect', '--series', 'mixed.csv', '--optimizer', 'sgd', '--lr', '0.2', '--window', '100', '--epochs', '8', '--compare-clip', '--seed', '1', '-o', 'clipping'] },
    ],
    images: ['detect/detection.png', 'clipping/training.png'],
  },
];

/**
 * The explorer's pictures: a screenshot of each shipped cell's page, made by
 * `npm run gallery:explore` in a browser (not by `npm start`, and not compared byte for byte).
 */
export const EXPLORER_SHOTS = { dir: 'explore', input: '[[1,0],[0,1],[0.5,-0.5],[1,1],[-1,0.5],[0,-1]]' } as const;

/** The command (after `gateflow`, before `-o FILE`) that makes a shipped cell's page for the gallery. */
export function explorerShotArgs(cell: string): string[] {
  // vae-reparam reads mu and logvar, latent features each: two a step at latent 1.
  const sizes = cell === 'vae-reparam' ? ['--size', 'latent=1'] : ['--hidden', '3'];
  return ['explore', cell, '--input', EXPLORER_SHOTS.input, ...sizes, '--seed', '7'];
}

/** The command a reader types to make a run's figures. */
export function commandLine(command: GalleryCommand): string {
  const quote = (arg: string) => (/^[\w.\/=,-]+$/.test(arg) ? arg : `'${arg}'`);
  return ['gateflow', ...command.args.map(quote)].join(' ') + (command.stdout ? ` > ${command.stdout}` : '');
}

/** PNG pixels per SVG unit in the gallery. */
export const GALLERY_PNG_SCALE = 1.5;

/** Read and check the shipped themes a gallery figure may name. */
async function shippedThemes(names: readonly string[]): Promise<Map<string, Theme>> {
  const { readTheme } = await import('./io/theme.js');
  const { parseTheme } = await import('./diagram/index.js');
  return new Map(
    [...new Set(names)].map((name) => {
      const source = readTheme(name);
      return [name, parseTheme(source.text, source.file)];
    }),
  );
}

export async function buildGallery(cells: readonly GallerySource[]): Promise<GalleryFile[]> {
  const files: GalleryFile[] = [];
  const parsed = new Map<string, CellGraph>();
  for (const source of cells) {
    const cell = parseCell(source.text, { file: source.file });
    parsed.set(source.name, cell);
  }

  const index: string[] = ['# gateflow gallery', '', 'Generated by `npm start` from templates/cells; do not edit by hand.', ''];
  const figures = GALLERY_FIGURES.filter((f) => parsed.has(f.cell));
  if (figures.length) {
    const { diagram } = await import('./diagram/index.js');
    const { svgToPng } = await import('./io/raster.js');
    const themes = await shippedThemes(figures.map((f) => f.theme));
    index.push('## Diagrams', '');
    for (const f of figures) {
      const theme = themes.get(f.theme)!;
      const svg = await diagram(parsed.get(f.cell)!, { steps: f.steps, detail: f.detail, theme, legend: true });
      files.push({ path: `diagrams/${f.name}.svg`, content: svg });
      files.push({ path: `diagrams/${f.name}.png`, content: svgToPng(svg, { scale: GALLERY_PNG_SCALE, background: theme.background }) });
      const command = `gateflow diagram ${f.cell} --legend${f.steps !== 2 ? ` --steps ${f.steps}` : ''}${f.detail !== 'gates' ? ` --detail ${f.detail}` : ''}${f.theme !== 'light' ? ` --theme ${f.theme}` : ''}`;
      index.push(`### ${f.caption}`, '', `\`${command}\``, '', `![${f.caption}](diagrams/${f.name}.png)`, '');
    }
  }

  for (const run of GALLERY_RUNS) {
    index.push(`## ${run.title}`, '', run.caption, '', '```sh', `cd ${run.dir}`, ...run.commands.map(commandLine), '```', '');
    for (const image of run.images) index.push(`![${run.title}: ${image}](${run.dir}/${image})`, '');
  }

  index.push(
    '## The explorer',
    '',
    'One standalone HTML page per trace: the unrolled diagram with a sliding window of steps, colour strips per kind of value, the hovered glyph\'s equation and values, small multiples and the gradient view. Screenshots at t = 3 with the last statement hovered, made by `npm run gallery:explore` (it needs chromium):',
    '',
  );
  for (const source of cells) {
    const args = explorerShotArgs(source.name);
    index.push(`### ${parsed.get(source.name)!.title}`, '', `\`${commandLine({ args: [...args, '-o', `${source.name}.html`] })}\``, '', `![explorer: ${source.name}](${EXPLORER_SHOTS.dir}/${source.name}.png)`, '');
  }

  index.push('## Equations', '');
  for (const source of cells) {
    const cell = parsed.get(source.name)!;
    files.push({ path: `equations/${cell.name}.tex`, content: toTex(cell) });
    files.push({ path: `equations/${cell.name}.md`, content: toMarkdown(cell) });
    index.push(`### ${cell.title}`, '', toMarkdown(cell).split('\n').slice(2).join('\n'));
  }
  files.push({ path: 'README.md', content: index.join('\n') });
  return files;
}
