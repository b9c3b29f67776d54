/**
 * The diagram stage: a CellGraph unrolled over adjacent timesteps, as one standalone,
 * deterministic SVG. Phases: unroll (glyphs and wires of one step) → labels (TeX
 * typeset and measured) → layout (elkjs, then steps repeated left to right) →
 * render (svg.js on svgdom). elkjs, MathJax and svgdom load on first use; elkjs on a
 * worker thread (elk-thread.ts), MathJax and svgdom as single-file bundles (vendor/).
 */
import type { CellGraph, NodeId } from '../cell/index.js';
import { timeIndex, toText } from '../cell/index.js';
import { CellError, InputError } from '../errors.js';
import { LIGHT_THEME, type Theme } from './theme.js';
import type { Box, Detail, DiagramStep, PlacedGraph } from './types.js';

export { THEME_NAMES, LIGHT_THEME, parseTheme, type Theme, type ShapeStyle, type WireStyle } from './theme.js';
export type { Box, Detail, DiagramGraph, PlacedGraph, PlacedNode } from './types.js';
/**
 * Every way a drawing misstates its cell, as sentences ([] when faithful): checks an
 * unrolled DiagramGraph (from placeDiagram(...).graph) or a whole PlacedGraph against the
 * CellGraph's own semantics (see README, "What a diagram guarantees").
 */
export { checkFaithful } from './faithful.js';

/** Values of one traced step, for one batch element: CellGraph node id → vector. */
export interface StepValues {
  readonly t: number;
  readonly values: ReadonlyMap<NodeId, readonly number[]>;
}

export interface DiagramOptions {
  /** Adjacent steps to draw, 1 to 8 (default 2: t-1 and t). A cell without state is one step. */
  readonly steps?: number;
  /** `gates` (default): one box per gate; `ops`: every matmul, bias and sum. */
  readonly detail?: Detail;
  /** Colours and strokes (default LIGHT_THEME; parseTheme reads the shipped or a user's JSON). */
  readonly theme?: Theme;
  /** Title above the figure; default the cell's title; '' for none. */
  readonly title?: string;
  /** No background rectangle, for slides with their own background (default false). */
  readonly transparent?: boolean;
  /** Add a key under the figure: a sample of each glyph and wire it uses, with a few words. */
  readonly legend?: boolean;
  /**
   * Leave room for a value strip on every glyph and state wire at symbolic steps, without
   * drawing values: the explorer page paints them itself (default false; `annotate` implies it).
   */
  readonly strips?: boolean;
  /** Draw these traced steps with their values as colour strips (a diverging scale ±maxAbs). */
  readonly annotate?: { readonly steps: readonly StepValues[]; readonly maxAbs?: number };
  /** Values to highlight at every step (statement targets, inputs, states: ['c'] is the cell-state path); the rest is faded. */
  readonly highlight?: readonly string[];
  /** Draw one more step before and after, faded, as the classic unrolled figures do (not with annotate). */
  readonly fadedNeighbours?: boolean;
  /** `paths` (default): labels as paths, no fonts needed; `editable`: <text> (TeX in data-tex) for Inkscape and slides. */
  readonly text?: 'paths' | 'editable';
  /** Follow the viewer's colour scheme: `theme` in light mode, this theme where the viewer prefers dark (not with annotate). */
  readonly darkTheme?: Theme;
  /**
   * Where each parameter lives in a framework's file, drawn under the figure: a badge (the
   * convention) and a line per gate (`W_{ir} = weight_ih_l0[0:H]`). The trace stage's
   * `weightsMap(cell, framework)` makes it.
   */
  readonly weightsMap?: { readonly badge: string; readonly rows: readonly (readonly [string, string])[] };
}

/** One walkthrough frame: the statement it explains, and the figure. */
export interface WalkthroughFrame {
  readonly target: string;
  readonly svg: string;
}

/**
 * Start loading what a figure needs while the caller does other work (parsing the cell):
 * elkjs on its own thread. Optional; diagram() loads everything on demand.
 */
export async function prepareDiagram(): Promise<void> {
  const { startElk } = await import('./elk-thread.js');
  startElk();
}

/**
 * Lay out on this thread from now on, with `engine` (elk-bundled.ts) or elkjs's engine loaded
 * here (from its code cache) at the first layout not recalled: for gateflow's startup snapshots
 * (src/cli/snapshot-diagram.ts), where a worker would start a Node of its own. Call before the
 * first figure.
 */
export async function layOutInProcess(engine?: typeof import('./elk-bundled.js').BundledElkEngine): Promise<void> {
  const [{ useElkEngine }, { loadElkInProcess }] = await Promise.all([import('./elk-thread.js'), import('./elk-in-process.js')]);
  useElkEngine(loadElkInProcess(engine));
}

/** The layouts this process has made or recalled, as [graph, layout] JSON pairs. */
export async function layoutsMade(): Promise<[string, string][]> {
  return (await import('./elk-thread.js')).knownLayouts();
}

/** Recall layouts another process made (its layoutsMade()), and only these with `only`: figures with these graphs skip elkjs. */
export async function recallLayouts(pairs: readonly (readonly [string, string])[], only = false): Promise<void> {
  (await import('./elk-thread.js')).recallLayouts(pairs, only);
}

/** The most adjacent steps a figure draws. */
export const MAX_STEPS = 8;

/** The steps to draw: symbolic (t-1, t) or the traced steps' indices. */
function stepsOf(cell: CellGraph, options: DiagramOptions): { steps: DiagramStep[]; initialTime: string } {
  if (options.annotate) {
    const traced = options.annotate.steps;
    if (traced.length < 1 || traced.length > MAX_STEPS) throw new InputError(`annotate needs 1 to ${MAX_STEPS} steps, found ${traced.length}`);
    return { steps: traced.map((s) => ({ time: String(s.t), t: s.t })), initialTime: String(traced[0].t - 1) };
  }
  const requested = options.steps ?? 2;
  if (!Number.isInteger(requested) || requested < 1 || requested > MAX_STEPS) {
    throw new InputError(`steps must be an integer from 1 to ${MAX_STEPS}, found ${requested}`);
  }
  // Without state nothing flows between steps: one step says it all.
  const count = cell.states.length ? requested : 1;
  // Faded neighbours: one step before the first and one after the last (t+1).
  const extra = options.fadedNeighbours && cell.states.length ? 1 : 0;
  const first = -(count - 1) - extra;
  const steps = Array.from({ length: count + 2 * extra }, (_, i) => ({ time: timeIndex(first + i), t: first + i }));
  return { steps, initialTime: timeIndex(first - 1) };
}

/**
 * Unroll and lay out without drawing: the placed geometry (numbers only), which the
 * tests check with checkGeometry and which diagram() renders.
 */
export async function placeDiagram(cell: CellGraph, options: DiagramOptions = {}): Promise<PlacedGraph> {
  checkDrawable(cell);
  const theme = options.theme ?? LIGHT_THEME;
  const { unroll } = await import('./unroll.js');
  const { layout } = await import('./layout.js');
  const { textTex } = await import('./labels.js');
  const { steps, initialTime } = stepsOf(cell, options);
  const unrolled = unroll(cell, { detail: options.detail, steps, initialTime });
  const graph = options.weightsMap ? (await import('./weights-note.js')).withSliceTags(unrolled, options.weightsMap) : unrolled;
  const title = titleOf(cell, options);
  const placed = await layout(graph, {
    fontPx: theme.fontPx,
    stripWidth: options.annotate || options.strips ? STRIP_WIDTH : null,
    titleTex: title ? textTex(title) : null,
    legendHeight: options.annotate ? 24 : 0,
    key: options.legend ?? false,
  });
  if (!options.weightsMap) return placed;
  const { noteLines, placeNote } = await import('./weights-note.js');
  return placeNote(placed, noteLines(options.weightsMap), theme.fontPx);
}

const STRIP_WIDTH = 40;

/**
 * The most cell-graph nodes a diagram draws. Equations and traces take a statement of any
 * length; a figure of thousands of operations is unreadable and its layout takes minutes.
 */
export const MAX_DIAGRAM_NODES = 1000;

function checkDrawable(cell: CellGraph): void {
  if (cell.nodes.length <= MAX_DIAGRAM_NODES) return;
  const counts = new Map<string, number>();
  for (const n of cell.nodes) counts.set(n.statement, (counts.get(n.statement) ?? 0) + 1);
  const count = (target: string) => counts.get(target) ?? 0;
  const largest = cell.statements.reduce((a, b) => (count(b.target) > count(a.target) ? b : a));
  throw new CellError(
    largest.span,
    `the cell has ${cell.nodes.length} nodes (${count(largest.target)} in '${largest.target}'), more than the ${MAX_DIAGRAM_NODES} a diagram draws; equations and trace have no such limit`,
  );
}

function titleOf(cell: CellGraph, options: DiagramOptions): string {
  return printable(options.title ?? cell.title);
}

/** Text for one line of the figure: control characters are not allowed in XML (and crash resvg), so tabs and breaks become spaces and the rest are dropped. */
function printable(text: string): string {
  return text.replace(/[\t\n\r]/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f\ufffe\uffff]/g, '');
}

/**
 * Draw `cell` unrolled over adjacent steps; returns the SVG text: standalone, with a
 * viewBox, <title> and <desc> (the cell, the steps and its equations), labels as paths,
 * and the same bytes for the same inputs. Phases: unroll → typeset labels → elkjs
 * layout of one step → steps repeated left to right → render.
 */
export async function diagram(cell: CellGraph, options: DiagramOptions = {}): Promise<string> {
  const annotate = options.annotate;
  // Checked before the layout, which is the expensive part.
  if (annotate?.maxAbs !== undefined && !(annotate.maxAbs > 0 && Number.isFinite(annotate.maxAbs))) {
    throw new InputError(`annotate.maxAbs must be a positive number, found ${annotate.maxAbs}`);
  }
  return drawPlaced(cell, await placeDiagram(cell, options), options);
}

/** Render a PlacedGraph from placeDiagram(cell, options) with the same options: one layout serves both the SVG and its geometry. */
export async function drawPlaced(cell: CellGraph, placed: PlacedGraph, options: DiagramOptions = {}): Promise<string> {
  return render(cell, placed, options, { faded: await fadedParts(cell, placed, options), aside: null });
}

/** What --highlight and --faded-neighbours leave faded. */
async function fadedParts(cell: CellGraph, placed: PlacedGraph, options: DiagramOptions): Promise<Set<string>> {
  const { fadeAllButValues, fadeNeighbourSteps } = await import('./emphasis.js');
  const faded = new Set<string>();
  if (options.highlight?.length) for (const key of fadeAllButValues(cell, placed, options.highlight)) faded.add(key);
  if (options.fadedNeighbours && cell.states.length) for (const key of fadeNeighbourSteps(placed)) faded.add(key);
  return faded;
}

/**
 * The figure as TikZ (see render-tikz.ts): a `tikzpicture` to \input (it needs amsmath,
 * tikz and \usetikzlibrary{arrows.meta}), or with `standalone` a document that pdflatex
 * and lualatex compile to a PDF the size of the figure. Same layout as diagram().
 */
export async function tikz(cell: CellGraph, options: Omit<DiagramOptions, 'annotate' | 'darkTheme' | 'text'> & { readonly standalone?: boolean } = {}): Promise<string> {
  const { renderTikz } = await import('./render-tikz.js');
  const placed = await placeDiagram(cell, options);
  return renderTikz(placed, {
    theme: options.theme ?? LIGHT_THEME,
    standalone: options.standalone ?? false,
    title: titleOf(cell, options) || printable(cell.title),
    transparent: options.transparent ?? false,
    faded: await fadedParts(cell, placed, options),
    aside: null,
  });
}

/** A walkthrough laid out once: the widened figure, and per statement what is faded and where its equation sits. */
async function walkthroughFrames(cell: CellGraph, options: Omit<DiagramOptions, 'annotate' | 'highlight'>) {
  const { fadeAllBut, fadeNeighbourSteps } = await import('./emphasis.js');
  const { frameEquations, placeAside } = await import('./walkthrough.js');
  const theme = options.theme ?? LIGHT_THEME;
  const equations = frameEquations(cell);
  const aside = placeAside(await placeDiagram(cell, options), equations.map((e) => e.tex), theme.fontPx);
  const neighbours = options.fadedNeighbours && cell.states.length ? fadeNeighbourSteps(aside.placed) : new Set<string>();
  const subject = aside.placed.steps.length - 1 - (neighbours.size ? 1 : 0);
  const frames = equations.map((e, i) => ({
    target: e.target,
    faded: new Set([...fadeAllBut(cell, aside.placed, e.target, subject), ...neighbours]) as ReadonlySet<string>,
    aside: { tex: e.tex, box: aside.boxes[i] },
  }));
  return { placed: aside.placed, neighbours: neighbours as ReadonlySet<string>, frames };
}

/**
 * The step-by-step walkthrough: one SVG per statement, in source order, that statement's
 * glyphs and wires lit at step t and the rest faded, its equation typeset beside the
 * figure. Every frame has the same size and every glyph the same place.
 */
export async function walkthrough(cell: CellGraph, options: Omit<DiagramOptions, 'annotate' | 'highlight'> = {}): Promise<WalkthroughFrame[]> {
  const { placed, frames } = await walkthroughFrames(cell, options);
  const out: WalkthroughFrame[] = [];
  for (const f of frames) out.push({ target: f.target, svg: await render(cell, placed, options, { faded: f.faded, aside: f.aside }) });
  return out;
}

/** Options of slides(): a figure's options, and `build` for one more slide per walkthrough frame. */
export type SlidesOptions = Omit<DiagramOptions, 'annotate' | 'darkTheme' | 'text' | 'strips'> & {
  /** After the whole figure, one slide per statement (the walkthrough's frames), so the figure builds up gate by gate. */
  readonly build?: boolean;
};

/**
 * The figure as a PowerPoint file (.pptx bytes): every frame, glyph, label and wire its own
 * editable shape at the place elkjs chose (1 px = 1 pt), labels as text runs (TeX that runs
 * cannot set, such as a fraction, as a picture with the TeX as its alt text), the theme's
 * colours. With `build`, one slide per statement follows, as the walkthrough draws it.
 * The same input gives the same bytes.
 */
export async function slides(cell: CellGraph, options: SlidesOptions = {}): Promise<Uint8Array> {
  const { sceneOf } = await import('./scene.js');
  const { renderPptx } = await import('./render-pptx.js');
  const { fadedTheme } = await import('./colour.js');
  const lit = options.theme ?? LIGHT_THEME;
  const pale = fadedTheme(lit);
  const transparent = options.transparent ?? false;
  const title = titleOf(cell, options) || printable(cell.title);
  if (options.build && options.highlight?.length) throw new InputError('a build lights one statement per slide: leave out highlight');
  if (!options.build) {
    const placed = await placeDiagram(cell, options);
    const sections = sceneOf(placed, { lit, pale, faded: await fadedParts(cell, placed, options), transparent, aside: null });
    return renderPptx([{ sections, notes: toText(cell).trim() }], { width: placed.width, height: placed.height, title });
  }
  const { placed, neighbours, frames } = await walkthroughFrames(cell, options);
  const whole = { sections: sceneOf(placed, { lit, pale, faded: neighbours, transparent, aside: null }), notes: toText(cell).trim() };
  const built = frames.map((f) => ({ sections: sceneOf(placed, { lit, pale, faded: f.faded, transparent, aside: f.aside }), notes: `${f.target}: ${f.aside.tex}` }));
  return renderPptx([whole, ...built], { width: placed.width, height: placed.height, title });
}

/** Render a placed figure with its title and description (the cell, its steps, its equations). */
async function render(cell: CellGraph, placed: PlacedGraph, options: DiagramOptions, emphasis: { faded: ReadonlySet<string>; aside: { tex: string; box: Box } | null }): Promise<string> {
  const { renderSvg } = await import('./render.js');
  const { cellWords } = await import('./words.js');
  const annotate = options.annotate;
  if (annotate && options.darkTheme) throw new InputError('a figure with traced values cannot follow the colour scheme (give one theme)');
  const { graph } = placed;
  const steps = graph.steps;
  const maxAbs = annotate ? (annotate.maxAbs ?? largestMagnitude(annotate.steps)) : 0;
  const description = [
    `Cell ${cell.name} (${printable(cell.title)}) unrolled over ${steps.length === 1 ? 'one step' : `${steps.length} adjacent steps`} (${steps.map((s) => s.time).join(', ')}), ${graph.detail} detail.`,
    toText(cell).trim(),
    'In words:',
    cellWords(cell),
  ].join('\n');
  const theme = options.theme ?? LIGHT_THEME;
  const scheme = options.darkTheme ? await schemeOf(theme, options.darkTheme) : null;
  const svg = renderSvg(placed, {
    theme: scheme?.theme ?? theme,
    ...(scheme ? { fadedTheme: scheme.faded } : {}),
    text: options.text ?? 'paths',
    title: titleOf(cell, options) || printable(cell.title),
    description,
    transparent: options.transparent ?? false,
    values: annotate ? { steps: annotate.steps.map((s) => s.values), maxAbs } : null,
    faded: emphasis.faded,
    aside: emphasis.aside,
  });
  return scheme ? (await import('./colour-scheme.js')).applyScheme(svg, scheme.tokens) : svg;
}

async function schemeOf(light: Theme, dark: Theme) {
  const { schemeThemes } = await import('./colour-scheme.js');
  const { FADE_TOWARD_BACKGROUND } = await import('./colour.js');
  return schemeThemes(light, dark, FADE_TOWARD_BACKGROUND);
}

/**
 * TeX typeset by MathJax as one standalone <svg> element (glyphs as paths, no fonts), `fontPx`
 * the em size: for pages that show an equation beside a figure.
 */
export async function typesetSvg(tex: string, fontPx: number, colour: string): Promise<string> {
  const { typeset } = await import('./labels.js');
  const { fmt } = await import('./render.js');
  const l = typeset(tex, fontPx);
  const s = l.scale;
  const viewBox = `${fmt(l.minX * s)} ${fmt(l.minY * s)} ${fmt(l.width)} ${fmt(l.height)}`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${fmt(l.width)}" height="${fmt(l.height)}" viewBox="${viewBox}" role="img" aria-label="${tex.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)}"><g transform="scale(${Math.round(s * 10000) / 10000})" fill="${colour}">${l.body.replaceAll('currentColor', colour)}</g></svg>`;
}

/** The largest |v| over every traced vector (a loop: the values can be many). */
function largestMagnitude(steps: readonly StepValues[]): number {
  let largest = 0;
  for (const s of steps) for (const vector of s.values.values()) for (const v of vector) if (Number.isFinite(v) && Math.abs(v) > largest) largest = Math.abs(v);
  return largest > 0 ? largest : 1;
}
