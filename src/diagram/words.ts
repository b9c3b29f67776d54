/**
 * A cell's equations in words, for the figure's <desc>: what a screen reader says instead
 * of "sigma open paren W underscore i r". Reads the plain-text form of the equations
 * (cell.toText: `r_t = σ(W_ir x_t + b_ir)`) and spells out times, operators and functions.
 */
import { toText, type CellGraph } from '../cell/index.js';

const FUNCTION_WORDS: Readonly<Record<string, string>> = { σ: 'sigmoid', tanh: 'tanh', exp: 'exp', relu: 'relu', softplus: 'softplus', sqrt: 'square root', abs: 'absolute value' };
const OPERATOR_WORDS: readonly [string, string][] = [
  [' ⊙ ', ' times, element by element, '],
  [' · ', ' times '],
  [' + ', ' plus '],
  [' - ', ' minus '],
  [' / ', ' divided by '],
  [' = ', ' equals '],
  [' ~ ', ' is drawn from '],
];

/** One equation of toText as a sentence: `r_t = σ(W_ir x_t)` → `r at t equals sigmoid of (W ir times x at t).` */
export function equationWords(line: string): string {
  let words = line
    // A product written by juxtaposition (W_ir x_t) is said as one.
    .replace(/([\w})\]\u0300-\u036f]) (?=[\p{L}([])/gu, '$1 times ')
    .replace(/\[([^\]]*); ([^\]]*)\]/g, '(the stack of $1 and $2)')
    .replace(/_\{t-(\d+)\}/g, ' at t minus $1')
    .replace(/_\{t\+(\d+)\}/g, ' at t plus $1')
    .replace(/_t\b/g, ' at t')
    .replace(/([\p{L}\d])_\{?([\p{L}\d]+)\}?/gu, '$1 $2')
    .replace(/\u0303/g, ' tilde')
    .replace(/\u0302/g, ' hat')
    .replace(/\u0304/g, ' bar');
  for (const [name, word] of Object.entries(FUNCTION_WORDS)) words = words.replaceAll(`${name}(`, `${word} of (`);
  for (const [symbol, word] of OPERATOR_WORDS) words = words.replaceAll(symbol, word);
  return `${words.replace(/\bN\(0, I\)/g, 'a standard normal distribution')}.`;
}

/** Every equation of the cell in words, one sentence a line. */
export function cellWords(cell: CellGraph): string {
  return toText(cell)
    .trim()
    .split('\n')
    .map(equationWords)
    .join('\n');
}
