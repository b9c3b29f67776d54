// Cells built to hurt the parser (issue 12): a syntax error after 100 KB of blanks, a
// 4,000-term sum, deep brackets, Object.prototype's names used as functions, and sizes
// too large to allocate. Each is one CellError or InputError at the right place.
import { describe, expect, it } from 'vitest';
import { readCellHeader } from '../../src/cell/header.js';
import { parseCell, toTex } from '../../src/cell/index.js';
import { CellError, InputError } from '../../src/errors.js';
import { trace } from '../../src/trace/index.js';
import { errorOf } from '../expect.js';

const cell = (statement: string, header = 'cell: c\ninput: x\nstate: h\n') => `${header}${statement}\n`;
const parse = (text: string) => parseCell(text, { file: 'c.cell' });

describe('parseCell on hostile text', () => {
  it('reports a syntax error after 100,000 blanks at its column, in linear time', () => {
    const error = errorOf(() => parse(cell(`h = tanh(W x +${' '.repeat(100_000)})`)));
    expect(error).toBeInstanceOf(CellError);
    expect(error.message).toBe('c.cell:4:100015: syntax error: Value expected');
  }, 10_000);

  it('refuses a 4,000-term sum and 1,000 nested brackets with one message instead of a stack overflow', () => {
    const terms = Array.from({ length: 4000 }, (_, i) => `b${i}`).join(' + ');
    const deep = 'c.cell:4:1: expression nested more than 200 deep (brackets or terms of one sum); split it into several statements';
    expect(errorOf(() => parse(cell(`h = tanh(W x + ${terms})`))).message).toBe(deep);
    expect(errorOf(() => parse(cell(`h = tanh(${'('.repeat(1000)}W x${')'.repeat(1000)})`))).message).toBe(deep);
    expect(errorOf(() => parse(cell(`h = ${'-'.repeat(20_000)}x`))).message).toBe(deep);
  });

  it('accepts a 150-term sum (within the limit)', () => {
    const terms = Array.from({ length: 150 }, (_, i) => `b${i}`).join(' + ');
    expect(parse(cell(`h = tanh(W x + ${terms})`)).params.length).toBe(151);
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])('treats %s( as an unknown function, not an inherited one', (name) => {
    expect(errorOf(() => parse(cell(`h = ${name}(W x + U h_prev)`))).message).toBe(
      `c.cell:4:5: unknown function '${name}' (known: σ, sigmoid, tanh, relu, exp, softplus; for a product write ${name} ⊙ (...) or ${name} * (...))`,
    );
  });

  it('lets Object.prototype\'s names be ordinary symbols', () => {
    const graph = parse(cell('constructor = tanh(W x + toString constructor_prev)', 'cell: c\ninput: x\nstate: constructor\n'));
    expect(graph.params.map((p) => p.name)).toEqual(['W', 'toString']);
  });

  it('prints Object.prototype\'s names in equations as it prints any other name', () => {
    const source = (name: string) => cell(`${name} = tanh(W x + U ${name}_prev)`, `cell: c\ninput: x\nstate: ${name}\n`);
    for (const name of ['constructor', 'toString', 'valueOf']) {
      expect(toTex(parse(source(name)))).toBe(toTex(parse(source('qq'))).replaceAll('qq', name));
    }
  });

  it('refuses a declared size too large to allocate before tracing (state: h [20000])', () => {
    const graph = parse(cell('h = tanh(W_ih x + W_hh h_prev)', 'cell: c\ninput: x [1]\nstate: h [20000]\n'));
    const error = errorOf(() => trace(graph, undefined, [[1]]));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe("c.cell:4:19: tensor 'W_hh' would hold 20000 × 20000 = 400000000 values, more than the limit of 33554432 (is a size too large?)");
  });

  it('readCellHeader reads a name and title past 100,000 blank lines and blanks, in linear time', () => {
    const text = `${'\n'.repeat(100_000)}cell: c\ntitle: A  ${' '.repeat(100_000)}  cell\n${'\n'.repeat(100_000)}`;
    expect(readCellHeader(text)).toEqual({ name: 'c', title: `A  ${' '.repeat(100_000)}  cell` });
  }, 10_000);
});
