import { describe, expect, it } from 'vitest';
import { parseCell, toJson, toMarkdown, toTex, toText, withSizes } from '../../src/cell/index.js';
import { listCells, readCell } from '../../src/io/index.js';
import { expectGolden } from '../golden.js';

const load = (name: string) => {
  const source = readCell(name);
  return parseCell(source.text, { file: source.file });
};
const paramShapes = (name: string) => Object.fromEntries(load(name).params.map((p) => [p.name, p.shape.join('x')]));

describe('shipped cells', () => {
  it('lists every shipped cell', () => {
    expect(listCells()).toEqual(['antisymmetric', 'gru', 'gru-cho', 'janet', 'lstm', 'lstm-peephole', 'mgu', 'olah-lstm', 'qrnn', 'rnn', 'vae-reparam']);
  });

  it('rnn: Elman weights', () => {
    expect(paramShapes('rnn')).toEqual({ W_ih: 'hiddenxinput', b_ih: 'hidden', W_hh: 'hiddenxhidden', b_hh: 'hidden' });
  });

  for (const name of ['gru', 'gru-cho']) {
    it(`${name}: three gates, matrices [hidden, input] and [hidden, hidden], biases [hidden]`, () => {
      const shapes = paramShapes(name);
      expect(Object.keys(shapes)).toHaveLength(12);
      for (const g of ['r', 'z', 'n']) {
        expect(shapes[`W_i${g}`]).toBe('hiddenxinput');
        expect(shapes[`W_h${g}`]).toBe('hiddenxhidden');
        expect(shapes[`b_i${g}`]).toBe('hidden');
        expect(shapes[`b_h${g}`]).toBe('hidden');
      }
    });
  }

  it('gru and gru-cho differ only in where the reset gate acts', () => {
    const node = (name: string, id: string) => load(name).nodes.find((n) => n.id === id)!;
    // PyTorch: r multiplies (W_hn h_prev + b_hn), i.e. the result of an add.
    const gruMul = load('gru').nodes.find((n) => n.statement === 'n' && n.kind === 'mul')!;
    expect(gruMul.inputs[0]).toBe('r');
    expect(node('gru', gruMul.inputs[1]).kind).toBe('add');
    // Cho: W_hn multiplies (r ⊙ h_prev).
    const choMatmul = load('gru-cho').nodes.find((n) => n.kind === 'matmul' && n.inputs[0] === 'W_hn')!;
    const inner = node('gru-cho', choMatmul.inputs[1]);
    expect(inner.kind).toBe('mul');
    expect(inner.inputs).toEqual(['r', 'h_prev']);
  });

  for (const name of ['lstm', 'lstm-peephole']) {
    it(`${name}: four gates with two biases each`, () => {
      const shapes = paramShapes(name);
      for (const g of ['i', 'f', 'g', 'o']) {
        expect(shapes[`W_i${g}`]).toBe('hiddenxinput');
        expect(shapes[`W_h${g}`]).toBe('hiddenxhidden');
        expect(shapes[`b_i${g}`]).toBe('hidden');
        expect(shapes[`b_h${g}`]).toBe('hidden');
      }
      expect(load(name).states.map((s) => s.name)).toEqual(['c', 'h']);
    });
  }

  it('lstm-peephole: diagonal peepholes; i and f see c_prev, o sees the new c', () => {
    const cell = load('lstm-peephole');
    const shapes = paramShapes('lstm-peephole');
    expect([shapes.p_i, shapes.p_f, shapes.p_o]).toEqual(['hidden', 'hidden', 'hidden']);
    const peep = (p: string) => cell.nodes.find((n) => n.kind === 'mul' && n.inputs[0] === p)!;
    expect(peep('p_i').inputs[1]).toBe('c_prev');
    expect(peep('p_f').inputs[1]).toBe('c_prev');
    expect(peep('p_o').inputs[1]).toBe('c');
    expect(Object.keys(shapes)).toHaveLength(19);
  });

  it('mgu: a new cell with no code of its own', () => {
    expect(paramShapes('mgu')).toEqual({
      W_f: 'hiddenxinput', U_f: 'hiddenxhidden', b_f: 'hidden',
      W_n: 'hiddenxinput', U_n: 'hiddenxhidden', b_n: 'hidden',
    });
  });

  it('vae-reparam: no state, a noise input shaped by its use, z the output', () => {
    const cell = load('vae-reparam');
    expect(cell.states).toEqual([]);
    expect(cell.params).toEqual([]);
    expect(cell.noises.map((n) => [n.name, n.shape])).toEqual([['eps', ['latent']]]);
    expect(cell.inputs.map((n) => [n.name, n.shape])).toEqual([['mu', ['latent']], ['logvar', ['latent']]]);
    expect(cell.outputs).toEqual(['z']);
  });

  it('node ids come from the source, and every node records its statement and position', () => {
    const cell = load('gru');
    const r = cell.nodes.find((n) => n.id === 'r')!;
    expect(r).toMatchObject({ kind: 'activation', fn: 'sigmoid', statement: 'r', shape: ['hidden'] });
    expect(r.span).toEqual({ file: 'templates/cells/gru.cell', line: 8, column: 5, length: 37 });
    const wir = cell.nodes.find((n) => n.id === 'W_ir')!;
    expect(wir.span).toMatchObject({ line: 8, column: 7, length: 4 });
    expect(cell.nodes.find((n) => n.id === 'r.matmul.0')!.inputs).toEqual(['W_ir', 'x']);
  });

  it('withSizes resolves every dim to a number', () => {
    const cell = withSizes(load('gru'), { input: 3, hidden: 5 });
    expect(cell.params.find((p) => p.name === 'W_hr')!.shape).toEqual([5, 5]);
    expect(cell.nodes.every((n) => n.shape.every((d) => typeof d === 'number'))).toBe(true);
    expect(() => withSizes(load('gru'), { input: 3 })).toThrow("cell 'gru' needs a size for 'hidden'");
  });

  it('a user .cell file parses with explicit param lines and its own dim names', () => {
    const cell = parseCell(
      ['cell: tiny', 'input: x [features]', 'state: h [units]', 'param W: [units, features]', 'h = relu(W x + softplus(U h_prev))'].join('\n'),
      { file: 'tiny.cell' },
    );
    expect(cell.params.map((p) => [p.name, p.shape])).toEqual([['W', ['units', 'features']], ['U', ['units', 'units']]]);
  });
});

describe('equations (golden files)', () => {
  for (const name of listCells()) {
    it(name, () => {
      const cell = load(name);
      expectGolden(`equations/${name}.txt`, toText(cell));
      expectGolden(`equations/${name}.tex`, toTex(cell));
      expectGolden(`equations/${name}.md`, toMarkdown(cell));
      expectGolden(`equations/${name}.json`, toJson(cell));
    });
  }
});
