/**
 * A label's TeX (the small subset the diagram writes: names with sub- and superscripts,
 * Greek letters, \tanh, \odot, \tilde, \mathrm, \text) as runs of plain Unicode text, for
 * renderers that keep labels editable: SVG <text> (--text editable) and slide text boxes.
 * Pure string work; anything unknown is kept as its command name without the backslash.
 */

/** A piece of text set one way: upright or italic, on the baseline or as a script. */
export interface TextRun {
  readonly text: string;
  readonly italic: boolean;
  readonly script: '' | 'sub' | 'sup';
}

const SYMBOLS: Readonly<Record<string, string>> = {
  alpha: 'α', beta: 'β', gamma: 'γ', delta: 'δ', epsilon: 'ϵ', varepsilon: 'ε', zeta: 'ζ', eta: 'η', theta: 'θ', iota: 'ι', kappa: 'κ',
  lambda: 'λ', mu: 'μ', nu: 'ν', xi: 'ξ', pi: 'π', rho: 'ρ', sigma: 'σ', tau: 'τ', upsilon: 'υ', phi: 'ϕ', varphi: 'φ', chi: 'χ', psi: 'ψ', omega: 'ω',
  Gamma: 'Γ', Delta: 'Δ', Theta: 'Θ', Lambda: 'Λ', Xi: 'Ξ', Pi: 'Π', Sigma: 'Σ', Phi: 'Φ', Psi: 'Ψ', Omega: 'Ω',
  odot: '⊙', cdot: '·', times: '×', div: '÷', sim: '~', top: '⊤', backslash: '\\', pm: '±', mp: '∓', circ: '∘', oplus: '⊕', otimes: '⊗',
  ',': '\u2009', ';': '\u2005', ':': '\u2005', '!': '', quad: '\u2003', qquad: '\u2003\u2003', ' ': ' ', '{': '{', '}': '}', _: '_', '&': '&', '%': '%', '#': '#', $: '$',
  left: '', right: '', big: '', Big: '', bigl: '', bigr: '', Bigl: '', Bigr: '', lbrack: '[', rbrack: ']', langle: '⟨', rangle: '⟩', vert: '|', lVert: '‖', rVert: '‖',
  ldots: '…', cdots: '⋯', infty: '∞', le: '≤', ge: '≥', leq: '≤', geq: '≥', ne: '≠', approx: '≈', prime: '′',
};
/** An accent over nothing, as a character of its own. */
const SPACING_ACCENTS: Readonly<Record<string, string>> = { tilde: '~', hat: '^', bar: '\u00af', widetilde: '~', widehat: '^', overline: '\u203e', dot: '\u02d9', ddot: '\u00a8', vec: '\u2192', acute: '\u00b4', grave: '`', check: '\u02c7', breve: '\u02d8' };
const ACCENTS: Readonly<Record<string, string>> = { tilde: '\u0303', hat: '\u0302', bar: '\u0304', widetilde: '\u0303', widehat: '\u0302', overline: '\u0305', dot: '\u0307', ddot: '\u0308', vec: '\u20d7', acute: '\u0301', grave: '\u0300', check: '\u030c', breve: '\u0306' };
const UPRIGHT_GROUPS = new Set(['mathrm', 'text', 'operatorname', 'textrm', 'mathbf', 'textbf', 'mathsf', 'mathtt']);

interface Cursor {
  readonly tex: string;
  i: number;
}

/** The TeX as runs; adjacent runs set the same way are merged. */
export function texRuns(tex: string): TextRun[] {
  const runs: TextRun[] = [];
  parseInto(runs, { tex, i: 0 }, false, '', false);
  return merge(runs);
}

/** The TeX as one plain string (scripts inline): for alt text and searches. */
export function texPlain(tex: string): string {
  return texRuns(tex).map((r) => (r.script === 'sub' ? `_${r.text}` : r.script === 'sup' ? `^${r.text}` : r.text)).join('');
}

function merge(runs: readonly TextRun[]): TextRun[] {
  const out: TextRun[] = [];
  for (const r of runs) {
    if (!r.text) continue;
    const last = out[out.length - 1];
    if (last && last.italic === r.italic && last.script === r.script) out[out.length - 1] = { ...last, text: last.text + r.text };
    else out.push(r);
  }
  return out;
}

/** Parse until the end or the closing brace of the current group. `single`: one atom only (a script's argument). */
function parseInto(runs: TextRun[], c: Cursor, upright: boolean, script: TextRun['script'], single: boolean): void {
  const add = (text: string, italic: boolean) => runs.push({ text, italic, script });
  while (c.i < c.tex.length) {
    const ch = c.tex[c.i];
    if (ch === '}') {
      if (!single) c.i++;
      return;
    }
    c.i++;
    if (ch === '{') parseInto(runs, c, upright, script, false);
    else if (ch === '_' || ch === '^') parseInto(runs, c, upright, ch === '_' ? 'sub' : 'sup', true);
    else if (ch === '\\') command(runs, c, upright, script);
    else if (ch === ' ' && !upright) continue;
    // In math a hyphen is a minus sign.
    else add(!upright && ch === '-' ? '\u2212' : ch, !upright && /[A-Za-z]/.test(ch));
    if (single) return;
  }
}

function command(runs: TextRun[], c: Cursor, upright: boolean, script: TextRun['script']): void {
  const m = /^[A-Za-z]+|^./.exec(c.tex.slice(c.i));
  const name = m ? m[0] : '';
  c.i += name.length;
  if (Object.hasOwn(ACCENTS, name)) {
    const start = runs.length;
    parseInto(runs, c, upright, script, true);
    // The combining mark goes after the accented run's first character; over nothing or a space
    // (textTex writes a title's ^ as \hat{\ }) the accent is its spacing character.
    const run = runs[start];
    if (run && run.text[0] !== ' ') runs[start] = { ...run, text: run.text[0] + ACCENTS[name] + run.text.slice(1) };
    else if (run) runs[start] = { ...run, text: (SPACING_ACCENTS[name] ?? '') + run.text.slice(1) };
    else runs.push({ text: SPACING_ACCENTS[name] ?? '', italic: false, script });
    return;
  }
  if (UPRIGHT_GROUPS.has(name)) {
    parseInto(runs, c, true, script, true);
    return;
  }
  if (name === 'mathcal' || name === 'mathit') {
    parseInto(runs, c, upright, script, true);
    return;
  }
  const text = Object.hasOwn(SYMBOLS, name) ? SYMBOLS[name] : name;
  runs.push({ text, italic: false, script });
}

/** Commands whose layout plain runs cannot show (a fraction is not a run of text). */
const PICTURE_COMMANDS = new Set(['frac', 'dfrac', 'tfrac', 'cfrac', 'sqrt', 'begin', 'binom', 'overset', 'underset', 'stackrel', 'overbrace', 'underbrace', 'substack', 'matrix', 'pmatrix', 'bmatrix']);

/**
 * Whether the TeX needs a picture on a slide: it holds a fraction, a root, an array or a
 * script inside a script; everything else texRuns sets as editable text.
 */
export function texNeedsPicture(tex: string): boolean {
  for (const m of tex.matchAll(/\\([A-Za-z]+)/g)) if (PICTURE_COMMANDS.has(m[1]!)) return true;
  return hasNestedScript(tex);
}

/** A _ or ^ inside the braced argument of another _ or ^ (x_{t_1}, e^{x^2}). */
function hasNestedScript(tex: string): boolean {
  const open: boolean[] = [];
  let scriptNext = false;
  for (let i = 0; i < tex.length; i++) {
    const ch = tex[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch === '{') {
      open.push(scriptNext || open.some(Boolean));
      scriptNext = false;
      continue;
    }
    if (ch === '}') open.pop();
    if (ch === '_' || ch === '^') {
      if (open.some(Boolean)) return true;
      scriptNext = true;
      continue;
    }
    scriptNext = false;
  }
  return false;
}
