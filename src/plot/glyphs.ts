/**
 * plot stage: text as glyph outlines. Chart labels are drawn as <path>s from the Computer
 * Modern outlines that MathJax ships as plain JS data, so a chart needs no font at render
 * time (resvg runs without system fonts) and looks the same in every viewer, like the
 * TeX labels of the diagrams.
 */

/** MathJax's per-character data: [height, depth, width (em), { p: outline in 1/1000 em, y up }]. */
type CharData = readonly [number, number, number, { readonly p?: string }?];
type CharTable = Readonly<Record<number, CharData>>;

export interface GlyphFonts {
  readonly normal: CharTable;
  readonly bold: CharTable;
  readonly italic: CharTable;
}

let fonts: GlyphFonts | undefined;

/** Loads the outline tables once (about 1 MB of JS data, imported only when a chart is drawn). */
export async function loadGlyphFonts(): Promise<GlyphFonts> {
  if (!fonts) {
    const [{ normal }, { bold }, { italic }] = await Promise.all([
      import('mathjax-full/js/output/svg/fonts/tex/normal.js'),
      import('mathjax-full/js/output/svg/fonts/tex/bold.js'),
      import('mathjax-full/js/output/svg/fonts/tex/italic.js'),
    ]);
    fonts = { normal: normal as unknown as CharTable, bold: bold as unknown as CharTable, italic: italic as unknown as CharTable };
  }
  return fonts;
}

/** A character missing from the font is drawn as an outlined box, never silently dropped. */
const TOFU: CharData = [0.7, 0, 0.6, { p: '60 0V700H540V0ZM100 40H500V660H100Z' }];

const GREEK_SMALL_ALPHA = 0x3b1;
const GREEK_SMALL_OMEGA = 0x3c9;
// Upright lowercase Greek is absent from the TeX fonts; the math-italic letters (as in formulas) stand in.
const MATH_ITALIC_SMALL_ALPHA = 0x1d6fc;
const MATH_BOLD_CAPITAL_A = 0x1d400;
const MATH_BOLD_SMALL_A = 0x1d41a;
const MATH_BOLD_DIGIT_ZERO = 0x1d7ce;

function lookup(f: GlyphFonts, codePoint: number, bold: boolean): CharData {
  if (bold) {
    let mapped: number | undefined;
    if (codePoint >= 0x41 && codePoint <= 0x5a) mapped = MATH_BOLD_CAPITAL_A + codePoint - 0x41;
    else if (codePoint >= 0x61 && codePoint <= 0x7a) mapped = MATH_BOLD_SMALL_A + codePoint - 0x61;
    else if (codePoint >= 0x30 && codePoint <= 0x39) mapped = MATH_BOLD_DIGIT_ZERO + codePoint - 0x30;
    const found = (mapped !== undefined ? f.normal[mapped] : undefined) ?? f.bold[codePoint];
    if (found) return found;
  }
  if (codePoint >= GREEK_SMALL_ALPHA && codePoint <= GREEK_SMALL_OMEGA) {
    const greek = f.normal[MATH_ITALIC_SMALL_ALPHA + codePoint - GREEK_SMALL_ALPHA];
    if (greek) return greek;
  }
  return f.normal[codePoint] ?? f.italic[codePoint] ?? TOFU;
}

const SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎';
/** Subscript letters (ₜ, ₛ: ‖∂hₜ/∂xₛ‖), drawn as math-italic letters at script size, as TeX sets h_t. */
const LETTER_SUBSCRIPTS = 'ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼᵣᵤᵥ';
const LETTER_SUBSCRIPT_BASE = 'aeoxhklmnpstijruv';
const MATH_ITALIC_SMALL_A = 0x1d44e;
/** Planck's constant stands in for the one math-italic small letter Unicode leaves out (h). */
const MATH_ITALIC_SMALL_H = 0x210e;
const SUPERSCRIPTS = '⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾';
const SCRIPT_BASE = '0123456789+−=()';
/** Script characters are drawn as their base character at 70 %, lowered or raised. */
const SCRIPT_SCALE = 0.7;

interface Placed {
  readonly glyph: CharData;
  readonly scale: number;
  readonly raise: number;
}

function place(f: GlyphFonts, ch: string, bold: boolean): Placed {
  const letter = LETTER_SUBSCRIPTS.indexOf(ch);
  if (letter >= 0) {
    const base = LETTER_SUBSCRIPT_BASE[letter]!;
    const codePoint = base === 'h' ? MATH_ITALIC_SMALL_H : MATH_ITALIC_SMALL_A + base.charCodeAt(0) - 0x61;
    return { glyph: lookup(f, codePoint, false), scale: SCRIPT_SCALE, raise: -150 };
  }
  const sub = SUBSCRIPTS.indexOf(ch);
  const sup = SUPERSCRIPTS.indexOf(ch);
  if (sub >= 0 || sup >= 0) {
    const base = SCRIPT_BASE[sub >= 0 ? sub : sup]!;
    return { glyph: lookup(f, base.codePointAt(0)!, bold), scale: SCRIPT_SCALE, raise: sub >= 0 ? -150 : 360 };
  }
  return { glyph: lookup(f, ch.codePointAt(0)!, bold), scale: 1, raise: 0 };
}

/** Width of `text` in pixels at `fontSizePx` (what vega uses to place and avoid labels). */
export function measureText(f: GlyphFonts, text: string, fontSizePx: number, bold = false): number {
  let em = 0;
  for (const ch of text) {
    const { glyph, scale } = place(f, ch, bold);
    em += glyph[2] * scale;
  }
  return em * fontSizePx;
}

/**
 * One path for a whole string, in font units (1000 per em, y up) with the baseline at y = 0
 * and the string starting at x = 0; the caller scales by fontSize/1000 and flips y.
 * Returns the path data and the advance width in font units.
 */
export function textOutline(f: GlyphFonts, text: string, bold = false): { d: string; advance: number } {
  const parts: string[] = [];
  let x = 0;
  for (const ch of text) {
    const { glyph, scale, raise } = place(f, ch, bold);
    const outline = glyph[3]?.p;
    // MathJax stores outlines without the leading M and trailing Z (its Wrapper adds them).
    if (outline) parts.push(transformOutline(`M${outline}Z`, scale, Math.round(x), raise));
    x += glyph[2] * 1000 * scale;
  }
  return { d: parts.join(''), advance: x };
}

/** MathJax outlines use only absolute M L H V Q T Z commands: x' = k·x + dx, y' = k·y + dy. */
function transformOutline(path: string, k: number, dx: number, dy: number): string {
  const tokens = path.match(/[A-Za-z]|-?\d*\.?\d+/g) ?? [];
  const out: string[] = [];
  let command = '';
  let argIndex = 0;
  for (const token of tokens) {
    if (/[A-Za-z]/.test(token)) {
      command = token;
      argIndex = 0;
      out.push(token);
      continue;
    }
    const value = Number(token);
    // H takes x only, V takes y only; the others alternate x, y.
    const isX = command === 'H' || (command !== 'V' && argIndex % 2 === 0);
    const moved = Math.round(isX ? k * value + dx : k * value + dy);
    out.push(`${out.length > 0 && !/[A-Za-z]$/.test(out[out.length - 1]!) ? ' ' : ''}${moved}`);
    argIndex++;
  }
  return out.join('');
}
