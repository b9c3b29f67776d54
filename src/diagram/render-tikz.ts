/**
 * PlacedGraph + Theme → a TikZ picture at the positions elkjs chose: one unit is one bp
 * (y pointing down, as in the SVG), labels in math mode so the document's own fonts set
 * them, wires as orthogonal paths with arrow tips, the theme's colours as named
 * \definecolor{gf...}s (faded parts mix them into the background with xcolor, so a user who
 * edits a colour edits its faded twin too). Pure string work, deterministic.
 */
import { FADE_TOWARD_BACKGROUND } from './colour.js';
import { sceneOf, type SceneItem } from './scene.js';
import type { Box, PlacedGraph, Point } from './types.js';
import type { Theme, WireStyle } from './theme.js';

export interface TikzOptions {
  readonly theme: Theme;
  /** A compilable document (article, geometry sized to the figure) instead of a bare tikzpicture. */
  readonly standalone: boolean;
  /** Title and description, as a comment at the top. */
  readonly title: string;
  readonly transparent: boolean;
  readonly faded: ReadonlySet<string>;
  readonly aside: { readonly tex: string; readonly box: Box } | null;
}

/** Numbers: two decimals at most, no '-0' (as in the SVG). */
function n(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return Object.is(rounded, -0) || rounded === 0 ? '0' : String(rounded);
}
const at = (p: Point) => `(${n(p.x)},${n(p.y)})`;

/** Colour names: a theme path as one word (layer.fill → gfLayerFill); TeX names hold letters only. */
function colourName(path: readonly string[], faded: boolean): string {
  const word = path.map((part) => part[0]!.toUpperCase() + part.slice(1)).join('');
  return `gf${faded ? 'Faded' : ''}${word}`;
}

/** The theme with each colour replaced by its TeX name, and the \definecolor lines naming them. */
function namedTheme(theme: Theme): { theme: Theme; faded: Theme; definitions: string[] } {
  const definitions: string[] = [];
  const fadedLines: string[] = [];
  const walk = (value: unknown, path: string[], faded: boolean): unknown => {
    if (typeof value === 'string' && /^#[0-9a-f]{6}$/i.test(value)) {
      if (!faded) definitions.push(`\\definecolor{${colourName(path, false)}}{HTML}{${value.slice(1).toUpperCase()}}`);
      else fadedLines.push(`\\colorlet{${colourName(path, true)}}{${colourName(path, false)}!${Math.round((1 - FADE_TOWARD_BACKGROUND) * 100)}!gfBackground}`);
      return colourName(path, faded);
    }
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, [...path, k], faded)]));
    return value;
  };
  const named = walk(theme, [], false) as Theme;
  const faded = walk(theme, [], true) as Theme;
  return { theme: named, faded: { ...faded, background: named.background }, definitions: [...definitions, ...fadedLines] };
}

/** A TeX label centred in its box, at `px` (the SVG's em size, as bp). */
function label(tex: string, box: Box, colour: string, px: number): string {
  const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  return `\\node[text=${colour}, inner sep=0pt, font=\\fontsize{${n(px)}bp}{${n(px * 1.2)}bp}\\selectfont] at ${at(centre)} {$${tex}$};`;
}

const dashPattern = (dash: string) => `dash pattern=${dash.split(/[ ,]+/).map((v, i) => `${i % 2 ? 'off' : 'on'} ${v}bp`).join(' ')}`;
const rect = (b: Box, style: string, radius: number) => `\\path[${style}${radius ? `, rounded corners=${n(radius)}bp` : ''}] ${at(b)} rectangle ${at({ x: b.x + b.width, y: b.y + b.height })};`;

/** An orthogonal polyline; its arrow tip (when it has one) is a filled Latex tip sized as in the SVG. */
function wire(points: readonly Point[], style: WireStyle, arrow: boolean): string {
  const tip = arrow ? `, -{Latex[length=${n(6 + style.width * 1.6)}bp, width=${n(2 * (2.6 + style.width * 0.9))}bp]}` : '';
  const dash = style.dash ? `, ${dashPattern(style.dash)}` : '';
  return `\\draw[${style.color}, line width=${n(style.width)}bp, line join=round${dash}${tip}] ${points.map(at).join(' -- ')};`;
}

/** One scene item as one TikZ command. */
function command(item: SceneItem): string {
  if (item.shape === 'wire') return wire(item.points, item.style, item.arrow);
  if (item.shape === 'label') return label(item.tex, item.box, item.colour, item.px);
  const style = item.stroke === null ? `fill=${item.fill}` : `fill=${item.fill}, draw=${item.stroke}, line width=${n(item.strokeWidth)}bp${item.dash ? `, ${dashPattern(item.dash)}` : ''}`;
  if (item.shape === 'rect') {
    const b = item.box;
    if (item.stroke === null && !item.radius) return `\\fill[${item.fill}] ${at(b)} rectangle ${at({ x: b.x + b.width, y: b.y + b.height })};`;
    return rect(b, style, item.radius);
  }
  if (item.shape === 'circle') return item.stroke === null ? `\\fill[${item.fill}] ${at(item.centre)} circle (${n(item.r)}bp);` : `\\path[${style}] ${at(item.centre)} circle (${n(item.r)}bp);`;
  return `\\path[${style}] ${at(item.centre)} ellipse (${n(item.rx)}bp and ${n(item.ry)}bp);`;
}

/** The figure's drawing commands, back to front as in the SVG (faded wires under lit ones). */
function body(placed: PlacedGraph, lit: Theme, pale: Theme, options: TikzOptions): string[] {
  const sections = sceneOf(placed, { lit, pale, faded: options.faded, transparent: options.transparent, aside: options.aside });
  return sections.flatMap((s) => [...(s.heading ? [`% ${s.heading}`] : []), ...s.items.map(command)]);
}

/** The packages a bare picture needs in the including document. */
export const TIKZ_PACKAGES = '\\usepackage{amsmath}, \\usepackage{tikz} with \\usetikzlibrary{arrows.meta}';

export function renderTikz(placed: PlacedGraph, options: TikzOptions): string {
  const { theme, faded, definitions } = namedTheme(options.theme);
  const picture = [
    `% ${options.title.replace(/[\r\n]+/g, ' ')}: generated by gateflow; needs ${TIKZ_PACKAGES}.`,
    // '%' ends each line so that no space reaches the paragraph the picture sits in.
    ...definitions.map((line) => `${line}%`),
    '\\begin{tikzpicture}[x=1bp, y=-1bp]',
    ...body(placed, theme, faded, options).map((line) => `  ${line}`),
    '\\end{tikzpicture}',
  ].join('\n');
  if (!options.standalone) return `${picture}\n`;
  return [
    '\\documentclass{article}',
    `\\usepackage[paperwidth=${n(placed.width)}bp, paperheight=${n(placed.height)}bp, margin=0pt]{geometry}`,
    '\\usepackage{lmodern}',
    '\\usepackage{amsmath}',
    '\\usepackage{tikz}',
    '\\usetikzlibrary{arrows.meta}',
    '\\pagestyle{empty}',
    '\\begin{document}',
    '\\noindent',
    picture,
    '\\end{document}',
    '',
  ].join('\n');
}
