/**
 * plot stage: vega-lite spec → standalone SVG string. Phases:
 *   1. vega-lite compiles the spec to a vega spec (pure JSON);
 *   2. a headless vega View (renderer 'none') lays it out, measuring text with the same
 *      glyph widths that step 3 draws, so labels are placed for the outlines we emit;
 *   3. the SVG is made deterministic and font-free: every <text> becomes a glyph-outline
 *      <path>, numbers are written with 2 decimals, one element a line.
 */
import { loadGlyphFonts, measureText, textOutline, type GlyphFonts } from './glyphs.js';
import type { ChartSpec } from './spec.js';

export interface RenderOptions {
  /** Receives vega-lite and vega warnings (default: ignored). */
  readonly warn?: (message: string) => void;
}

/** Minimal logger shape shared by vega and vega-lite. */
interface Logger {
  level(level?: number): number | Logger;
  error(...args: unknown[]): Logger;
  warn(...args: unknown[]): Logger;
  info(...args: unknown[]): Logger;
  debug(...args: unknown[]): Logger;
}

function makeLogger(warn: (message: string) => void): Logger {
  let current = 2;
  const logger: Logger = {
    level(level?: number) {
      if (level === undefined) return current;
      current = level;
      return logger;
    },
    error: (...args) => {
      throw new Error(args.map(String).join(' '));
    },
    warn: (...args) => {
      warn(args.map(String).join(' '));
      return logger;
    },
    info: () => logger,
    debug: () => logger,
  };
  return logger;
}

/** Renders a vega-lite spec to SVG text; same spec, same bytes. */
export async function renderChart(spec: ChartSpec, options: RenderOptions = {}): Promise<string> {
  const [vega, vegaLite, fonts] = await Promise.all([import('vega'), import('vega-lite'), loadGlyphFonts()]);
  const logger = makeLogger(options.warn ?? (() => {}));
  // Phase 1: vega-lite → vega.
  const compiled = vegaLite.compile(spec as never, { logger: logger as never }).spec;
  // Phase 2: layout with our glyph metrics (vega calls a user-defined width function as is).
  const metrics = (vega as unknown as { textMetrics: { width: (item: never, text?: unknown) => number } }).textMetrics;
  metrics.width = (item: { fontSize?: number; fontWeight?: string | number }, text?: unknown) =>
    measureText(fonts, text == null ? '' : String(text).trim(), fontSizeOf(item), isBold(item.fontWeight));
  vega.resetSVGDefIds();
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger: logger as never, logLevel: vega.Warn });
  let svg: string;
  try {
    svg = await view.toSVG();
  } finally {
    view.finalize();
  }
  // Phase 3: font-free, rounded, line-oriented.
  return tidySvg(svg, fonts, titleOf(spec));
}

function fontSizeOf(item: { fontSize?: number }): number {
  return item.fontSize != null ? +item.fontSize || 0 : 11;
}

function isBold(weight: string | number | undefined): boolean {
  return weight === 'bold' || weight === 'bolder' || (typeof weight === 'number' && weight >= 600) || (typeof weight === 'string' && Number(weight) >= 600);
}

function titleOf(spec: ChartSpec): string | undefined {
  const title = spec.title;
  if (typeof title === 'string') return title;
  if (title && typeof title === 'object' && typeof (title as { text?: unknown }).text === 'string') return (title as { text: string }).text;
  return undefined;
}

/** Fixed precision for every coordinate: 2 decimals, and never "-0". */
export function formatNumber(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return Object.is(rounded, -0) || rounded === 0 ? '0' : String(rounded);
}

const GEOMETRY_ATTRIBUTES = /\s(d|transform|x|y|x1|x2|y1|y2|width|height|cx|cy|r|viewBox|stroke-width)="([^"]*)"/g;
const NUMBER = /-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?/gi;

function roundNumbers(text: string): string {
  return text.replace(NUMBER, (n) => formatNumber(Number(n)));
}

function unescapeXml(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function attributesOf(source: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const match of source.matchAll(/([\w:-]+)="([^"]*)"/g)) attributes.set(match[1]!, match[2]!);
  return attributes;
}

/**
 * One <text> element (vega bakes baseline and dx/dy into its transform) as glyph <path>s, one
 * per line: a multi-line title (an array in the spec) comes as <tspan>s, each line `dy` below
 * the one before, and vega measured each line on its own.
 */
function textToPath(attributeSource: string, content: string, fonts: GlyphFonts): string {
  const spans = [...content.matchAll(/<tspan([^>]*)>([\s\S]*?)<\/tspan>/g)];
  if (spans.length < 2) return linePath(attributeSource, content, 0, fonts);
  let dy = 0;
  return spans
    .map((span) => {
      dy += parseFloat(attributesOf(span[1]!).get('dy') ?? '0') || 0;
      return linePath(attributeSource, span[2]!, dy, fonts);
    })
    .join('');
}

/** One line of a <text> as a glyph <path>, `dyPx` below the element's baseline. */
function linePath(attributeSource: string, content: string, dyPx: number, fonts: GlyphFonts): string {
  const attributes = attributesOf(attributeSource);
  if (attributes.get('opacity') === '0') return '';
  const text = unescapeXml(content.replace(/<[^>]*>/g, ''));
  if (text.trim() === '') return '';
  const sizePx = parseFloat(attributes.get('font-size') ?? '11') || 11;
  const bold = isBold(attributes.get('font-weight'));
  const { d, advance } = textOutline(fonts, text, bold);
  const scale = sizePx / 1000;
  const anchor = attributes.get('text-anchor') ?? 'start';
  const shift = anchor === 'middle' ? -advance / 2 : anchor === 'end' ? -advance : 0;
  const place = [
    attributes.has('x') || attributes.has('y') ? `translate(${attributes.get('x') ?? 0},${attributes.get('y') ?? 0})` : '',
    attributes.get('transform') ?? '',
    dyPx !== 0 ? `translate(0,${formatNumber(dyPx)})` : '',
    `scale(${Number(scale.toPrecision(4))},${-Number(scale.toPrecision(4))})`,
    shift !== 0 ? `translate(${Math.round(shift)},0)` : '',
  ]
    .filter((part) => part !== '')
    .join(' ');
  const paint = [`fill="${attributes.get('fill') ?? '#000'}"`];
  const opacity = attributes.get('opacity') ?? attributes.get('fill-opacity');
  if (opacity !== undefined && opacity !== '1') paint.push(`fill-opacity="${opacity}"`);
  // A stroked text is a halo (a label over lines): stroke under the fill, width in font units.
  const stroke = attributes.get('stroke');
  if (stroke && stroke !== 'none') {
    const widthPx = parseFloat(attributes.get('stroke-width') ?? '1') || 1;
    paint.push(`stroke="${stroke}" stroke-width="${Math.round(widthPx / scale)}" stroke-linejoin="round" paint-order="stroke"`);
    const strokeOpacity = attributes.get('stroke-opacity');
    if (strokeOpacity !== undefined && strokeOpacity !== '1') paint.push(`stroke-opacity="${strokeOpacity}"`);
  }
  return `<path aria-label="${escapeXml(text)}" transform="${place}" d="${d}" ${paint.join(' ')}/>`;
}

/** Text from data (a CSV column's name) may hold control characters, which XML forbids (resvg refused the chart) and no font draws. */
function withoutControls(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '');
}

function tidySvg(svg: string, fonts: GlyphFonts, title: string | undefined): string {
  // Round vega's geometry first; the glyph paths added next carry their own exact scale.
  let out = withoutControls(svg).replace(GEOMETRY_ATTRIBUTES, (_all, name: string, value: string) => ` ${name}="${roundNumbers(value)}"`);
  // vega writes labels it blanked (overlap, log-axis minor ticks) as empty self-closing <text/>.
  out = out.replace(/<text[^>]*\/>/g, '');
  out = out.replace(/<text([^>]*)>([\s\S]*?)<\/text>/g, (_all, attributeSource: string, content: string) =>
    textToPath(attributeSource, content, fonts),
  );
  if (title) out = out.replace(/^(<svg[^>]*>)/, `$1<title>${escapeXml(withoutControls(title))}</title>`);
  return out.replace(/>\s*</g, '>\n<') + (out.endsWith('\n') ? '' : '\n');
}
