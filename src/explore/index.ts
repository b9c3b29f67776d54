/**
 * The explore stage: a Trace on its cell's unrolled diagram, as one standalone HTML page
 * (no network; works from file://). Phases: place the diagram at a window of 1–3 symbolic
 * steps with room for value strips → render its SVG (same figure and theme as `diagram`)
 * → page model (which strip and glyph shows which value; values packed as float32 base64)
 * → gradient norms by reverse mode through the engine (float64) → equations typeset →
 * HTML. Pure apart from awaiting the diagram's lazy modules: the CLI writes the file.
 */
import type { CellGraph } from '../cell/index.js';
import { equationsTex } from '../cell/index.js';
import { drawPlaced, LIGHT_THEME, placeDiagram, typesetSvg, type Detail, type Theme } from '../diagram/index.js';
import { InputError } from '../errors.js';
import { PYTORCH_GATES, type Trace } from '../trace/index.js';
import { defaultGradientOutput, gradientNorms } from './gradient.js';
import { packFloat32, pageModel } from './model.js';
import { explorerHtml } from './page.js';
import { weightLines } from './weights.js';

export { defaultGradientOutput, gradientNorms, type GradientNorms, type GradientTarget } from './gradient.js';
export { scaleKindOf, type ScaleKind } from './model.js';

export interface ExploreOptions {
  /** Steps drawn side by side, 1 to 3 (default 2: t−1 and t); a cell without state draws one. */
  readonly window?: number;
  readonly detail?: Detail;
  readonly theme?: Theme;
  /** Page title; default "gateflow explore: CELL". */
  readonly title?: string;
  /** The gradient view's output (a statement, at the last step) and unit; default h (or the last output), unit 0. null: no gradient view. */
  readonly gradient?: { readonly output?: string; readonly unit?: number } | null;
}

/** The largest window the page draws. */
export const MAX_WINDOW = 3;

/**
 * The explorer page of `trace` (made from `cell`): the unrolled diagram with a sliding window
 * of steps, colour strips per kind of value, equations and values on hover or focus, small
 * multiples of every statement, and the gradient view. Returns the HTML text.
 */
export async function explorePage(cell: CellGraph, trace: Trace, options: ExploreOptions = {}): Promise<string> {
  const window = options.window ?? 2;
  if (!Number.isInteger(window) || window < 1 || window > MAX_WINDOW) throw new InputError(`window must be an integer from 1 to ${MAX_WINDOW}, found ${window}`);
  if (trace.cell !== cell.name) throw new InputError(`the trace is of cell '${trace.cell}', not '${cell.name}'`);
  const theme = options.theme ?? LIGHT_THEME;
  const diagramOptions = { steps: window, detail: options.detail, theme, strips: true, title: '' };
  const placed = await placeDiagram(cell, diagramOptions);
  const svg = await drawPlaced(cell, placed, diagramOptions);
  const model = pageModel(cell, trace, placed);
  const gradient = gradientView(cell, trace, options.gradient);
  const equations: Record<string, string> = {};
  for (const line of equationsTex(cell)) {
    const relation = cell.noises.some((n) => n.name === line.target) ? '\\sim' : '=';
    equations[line.target] = await typesetSvg(`${line.lhs} ${relation} ${line.rhs}`, 20, theme.text);
  }
  const batch = trace.sizes.batch ?? 1;
  const sizes = Object.entries(trace.sizes).map(([k, v]) => `${k} ${v}`).join(', ');
  return explorerHtml({
    title: options.title ?? `gateflow explore: ${cell.name}`,
    subtitle: `${cell.title} · ${sizes} · ${trace.steps.length} step${trace.steps.length === 1 ? '' : 's'}${batch > 1 ? '' : ''}`,
    svg,
    theme,
    model,
    equations,
    weights: weightLines(cell, trace, PYTORCH_GATES),
    gradient,
  });
}

function gradientView(cell: CellGraph, trace: Trace, given: ExploreOptions['gradient']): Parameters<typeof explorerHtml>[0]['gradient'] {
  if (given === null || !cell.states.length) return null;
  const output = given?.output ?? defaultGradientOutput(cell);
  const unit = given?.unit ?? 0;
  const { norms } = gradientNorms(cell, trace, { output, unit });
  const packed = new Map([...norms].map(([id, series]) => [id, packFloat32(series)]));
  return { label: `‖∂${output}_T[${unit}] / ∂·‖`, output, unit, norms: packed };
}
