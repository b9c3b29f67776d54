// Cells built to hurt the parser (issue 12): a syntax error after 100 KB of blanks, runs
// of signs and [ brackets too deep for mathjs, syntax errors in deep nesting,
// Object.prototype's names used as functions, and sizes too large to allocate. Each is one CellError or InputError at the right place.
import { describe, expect, it } from 'vitest';
import { readCellHeader } from '../../src/cell/header.js';
import { parseCell, toTex } from '../../src/cell/index.js';
import { CellError, InputError } from '../../src/errors.js';
import { trace } from '../../src/trace/index.js';
import { errorOf } from '../expect.js';

const cell = (statement: string, header = 'cell: c\ninput: x\nstate: h\n') => `${header}${statement}\n`;
const parse = (text: string) => parseCell(text, { file: 'c.cell' });

describe('parseCell on hostile text', () => {
  it('refuses a text longer than 1 Mi code units before parsing it (the long fuzz run exhausted the heap on a 16.6 MB mutant)', () => {
    const text = cell(`h = tanh(x)\n${'#'.repeat(16_600_000)}`);
    const error = errorOf(() => parse(text));
    expect(error).toBeInstanceOf(CellError);
    expect(error.message).toBe(`c.cell:1:1: the cell text is ${text.length} characters long, above the limit of 1048576 (a cell is a few KB; raise the limit with the maxLength option)`);
  });

  it('parses a 2 Mi text when maxLength raises the limit, and still refuses it one code unit below its length', () => {
    const text = cell(`h = tanh(x)\n# ${'padding '.repeat(262_144)}`, 'cell: c\ninput: x\nstate: h [input]\n');
    expect(text.length).toBeGreaterThan(2 * 1024 * 1024);
    expect(parseCell(text, { file: 'c.cell', maxLength: text.length }).nodes.filter((n) => n.kind === 'activation')).toHaveLength(1);
    expect(errorOf(() => parseCell(text, { file: 'c.cell', maxLength: text.length - 1 })).message).toBe(`c.cell:1:1: the cell text is ${text.length} characters long, above the limit of ${text.length - 1} (a cell is a few KB; raise the limit with the maxLength option)`);
  });

  it('parses a statement nested 160,000 deep (a 1 MB file, the default cell limit) and prints it (found by the long fuzz run: push(...nodes) overflowed the stack)', () => {
    const depth = 160_000;
    const parsed = parse(cell(`h = ${'tanh('.repeat(depth)}x${')'.repeat(depth)}`, 'cell: c\ninput: x\nstate: h [input]\n'));
    expect(parsed.nodes.filter((n) => n.kind === 'activation')).toHaveLength(depth);
    expect(toTex(parsed).length).toBeGreaterThan(depth * '\\tanh\\left('.length);
  }, 60_000); // 160,000 nodes parsed and typeset: about 3 s alone, over vitest's 5 s default on a loaded machine

  it('reports a syntax error after 100,000 blanks at its column, in linear time', () => {
    const error = errorOf(() => parse(cell(`h = tanh(W x +${' '.repeat(100_000)})`)));
    expect(error).toBeInstanceOf(CellError);
    expect(error.message).toBe('c.cell:4:100015: syntax error: Value expected');
  }, 10_000);

  it('refuses more than 1,000 signs in a row or 200 nested [ brackets (mathjs parses them recursively) with one message', () => {
    const deep = 'c.cell:4:1: expression nested too deeply for the parser (more than 200 nested [ brackets or 1000 signs in a row); split it into several statements';
    expect(errorOf(() => parse(cell(`h = ${'-'.repeat(20_000)}x`))).message).toBe(deep);
    expect(errorOf(() => parse(cell(`h = tanh(W x + ${'- '.repeat(1001)}b)`))).message).toBe(deep);
    expect(errorOf(() => parse(cell(`h = tanh(W ${'['.repeat(201)}x${']'.repeat(201)})`))).message).toBe(deep);
  });

  it('accepts 1,000 signs in a row: a difference and 999 negations of b', () => {
    const graph = parse(cell(`h = tanh(W x ${'-'.repeat(1000)}b)`));
    expect(graph.nodes.filter((n) => n.kind === 'neg').length).toBe(999);
  });

  it('refuses empty brackets [ ] at their column (found by the fuzzer: it was a TypeError)', () => {
    expect(errorOf(() => parse(cell('h = tanh(W x + [ ])'))).message).toBe('c.cell:4:16: empty brackets [ ]: write the vectors to stack inside, [a; b]');
  });

  it('reports a syntax error inside 2,000 nested brackets at its column, as it does inside 3', () => {
    // The nesting is parsed in pieces (cell/deep-parse.ts); positions stay those of the line.
    for (const depth of [3, 2000]) {
      const column = 'h = tanh('.length + depth + 'W x +'.length + 1;
      expect(errorOf(() => parse(cell(`h = tanh(${'('.repeat(depth)}W x +${')'.repeat(depth)})`))).message).toBe(`c.cell:4:${column}: syntax error: Value expected`);
      expect(errorOf(() => parse(cell(`h = tanh(W x) + ${'('.repeat(depth)}b, c${')'.repeat(depth)}`))).message).toBe(`c.cell:4:${'h = tanh(W x) + '.length + depth + 2}: syntax error: Parenthesis ) expected`);
    }
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])('treats %s( as an unknown function, not an inherited one', (name) => {
    expect(errorOf(() => parse(cell(`h = ${name}(W x + U h_prev)`))).message).toBe(
      `c.cell:4:5: unknown function '${name}' (known: σ, sigmoid, tanh, relu, exp, softplus, abs, sqrt, hardsigmoid, hardsigmoid_keras2, mean, sum, min, max, clip, transpose; for a product write ${name} ⊙ (...) or ${name} * (...))`,
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
