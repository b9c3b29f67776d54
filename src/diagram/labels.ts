/**
 * TeX → SVG paths with MathJax (SVG output, no font cache): every glyph is an inline
 * path, so a figure needs no fonts and renders the same in every viewer. Labels are
 * measured here, before layout, so elkjs can size the boxes around them. Cached per
 * process: a figure repeats the same few labels many times.
 */
import { liteAdaptor, mathjax, RegisterHTMLHandler, SVG, TeX } from './vendor/mathjax.js';
import { GateflowError } from '../errors.js';

/** A typeset label: its size in px at the requested font size, and its path markup. */
export interface Label {
  readonly tex: string;
  readonly width: number;
  readonly height: number;
  /** MathJax's viewBox origin, in its units (1000 per em). */
  readonly minX: number;
  readonly minY: number;
  /** px per MathJax unit. */
  readonly scale: number;
  /** The glyph paths (fill="currentColor"), in MathJax units. */
  readonly body: string;
}

const adaptor = liteAdaptor();
RegisterHTMLHandler(adaptor);
const tex = new TeX({
  packages: ['base', 'ams'],
  formatError: (_jax: unknown, error: Error) => {
    throw error;
  },
});
const document = mathjax.document('', { InputJax: tex, OutputJax: new SVG({ fontCache: 'none' }) });
const cache = new Map<string, { minX: number; minY: number; w: number; h: number; body: string }>();

function typesetUnits(source: string) {
  const hit = cache.get(source);
  if (hit) return hit;
  let markup: string;
  try {
    const node = document.convert(source, { display: false });
    markup = adaptor.innerHTML(node);
  } catch (error) {
    throw new GateflowError(`cannot typeset label '${source}': ${(error as Error).message}`);
  }
  const viewBox = /viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"/.exec(markup);
  if (!viewBox) throw new GateflowError(`cannot typeset label '${source}': no viewBox`);
  const [minX, minY, w, h] = viewBox.slice(1).map(Number);
  const body = markup
    .replace(/^<svg[^>]*>/, '')
    .replace(/<\/svg>$/, '')
    // MathJax's bookkeeping attributes mean nothing to a viewer.
    .replace(/ data-[a-z-]+="[^"]*"/g, '')
    .replace(/<rect [^>]*data-background[^>]*><\/rect>/g, '');
  const units = { minX, minY, w, h, body: unwrapPlainGroups(body) };
  cache.set(source, units);
  return units;
}

/** Drop `<g>` wrappers without attributes (MathJax nests one per TeX node); they change nothing. */
function unwrapPlainGroups(markup: string): string {
  const kept: boolean[] = [];
  return markup.replace(/<g>|<g [^>]*>|<\/g>/g, (tag) => {
    if (tag === '</g>') return kept.pop() ? tag : '';
    kept.push(tag !== '<g>');
    return tag === '<g>' ? '' : tag;
  });
}

/** Typeset `source` at `fontPx` (the em size in px). */
export function typeset(source: string, fontPx: number): Label {
  const u = typesetUnits(source);
  const scale = fontPx / 1000;
  return { tex: source, width: u.w * scale, height: u.h * scale, minX: u.minX, minY: u.minY, scale, body: u.body };
}

/** Plain words (a title) as TeX text, with TeX's special characters escaped. */
export function textTex(words: string): string {
  // MathJax's \text{} prints escapes like \_ literally, so the special characters are set in
  // math mode between text runs (my_cell → \text{my}\_\text{cell}), which TeX reads the same way.
  const special = (c: string) => (c === '\\' ? '\\backslash ' : c === '~' ? '{\\sim}' : c === '^' ? '\\hat{\\ }' : `\\${c}`);
  // split with a captured separator: the special characters land at the odd indices.
  const parts = words.split(/([\\{}$&%#_^~])/).map((part, i) => (i % 2 === 1 ? special(part) : part ? `\\text{${part}}` : ''));
  return parts.join('') || '\\text{}';
}
