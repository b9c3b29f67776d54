import { describe, expect, it } from 'vitest';
import { unroll } from '../../src/diagram/unroll.js';
import { cellNamed } from './helpers.js';

const twoSteps = { steps: [{ time: 't-1', t: -1 }, { time: 't', t: 0 }], initialTime: 't-2' };
const glyphs = (name: string, detail: 'gates' | 'ops' = 'gates') =>
  unroll(cellNamed(name), { ...twoSteps, detail }).nodes.map((n) => `${n.id}:${n.glyph}:${n.tex}`);

describe('unroll', () => {
  it('unroll(gru) draws r, z, n as layer boxes, W_hn h + b_hn as a linear box, and the pointwise ops as circles', () => {
    expect(glyphs('gru')).toEqual([
      'r:layer:\\sigma',
      'z:layer:\\sigma',
      'n.add.1:linear:W_{hn}{\\cdot}+b_{hn}',
      'n.mul.0:pointwise:\\odot',
      'n:layer:\\tanh',
      'h.sub.0:pointwise:1-',
      'h.mul.0:pointwise:\\odot',
      'h.mul.1:pointwise:\\odot',
      'h:pointwise:+',
      'concat.x.h_prev:concat:',
    ]);
  });

  it('unroll(gru-cho) puts the reset product before the candidate layer (no linear box)', () => {
    expect(glyphs('gru-cho')).toEqual([
      'r:layer:\\sigma',
      'z:layer:\\sigma',
      'n.mul.0:pointwise:\\odot',
      'n:layer:\\tanh',
      'h.sub.0:pointwise:1-',
      'h.mul.0:pointwise:\\odot',
      'h.mul.1:pointwise:\\odot',
      'h:pointwise:+',
      'concat.x.h_prev:concat:',
    ]);
  });

  it('unroll(gru) merges x_t and h_{t-1} into one wire that feeds r and z (concatenation)', () => {
    const graph = unroll(cellNamed('gru'), twoSteps);
    const into = (id: string) => graph.edges.filter((e) => e.target === id).map((e) => `${e.source}/${e.kind}`);
    expect(into('concat.x.h_prev')).toEqual(['x:x/input', 'in:h/state']);
    expect(into('r')).toEqual(['concat.x.h_prev/internal']);
    expect(into('z')).toEqual(['concat.x.h_prev/internal']);
    expect(into('n')).toEqual(['x:x/input', 'n.mul.0/internal']);
    expect(into('n.add.1')).toEqual(['in:h/state']);
    expect(into('out:h')).toEqual(['h/state']);
    expect(into('up:h')).toEqual(['h/output']);
    expect(graph.ports.map((p) => `${p.id}:${p.side}`)).toEqual(['in:h:west', 'out:h:east', 'x:x:south', 'up:h:north']);
  });

  it('unroll(lstm) puts f ⊙ c_{t-1} and the + on the cell-state belt, and only h leaves upward', () => {
    const graph = unroll(cellNamed('lstm'), twoSteps);
    expect(graph.nodes.filter((n) => n.lane).map((n) => n.id)).toEqual(['c.mul.0', 'c']);
    expect(graph.edges.filter((e) => e.kind === 'belt').map((e) => e.id)).toEqual(['in:c->c.mul.0', 'c.mul.0->c', 'c->out:c']);
    expect(graph.ports.filter((p) => p.side === 'north').map((p) => p.id)).toEqual(['up:h']);
  });

  it('unroll(lstm) feeds all four gates from one merge of x_t and h_{t-1}; peepholes stay separate', () => {
    const lstm = unroll(cellNamed('lstm'), twoSteps);
    expect(lstm.edges.filter((e) => e.source === 'concat.x.h_prev').map((e) => e.target)).toEqual(['i', 'f', 'g', 'o']);
    const peephole = unroll(cellNamed('lstm-peephole'), twoSteps);
    expect(peephole.edges.filter((e) => e.target === 'i').map((e) => `${e.source}/${e.kind}`)).toEqual(['concat.x.h_prev/internal', 'in:c/peephole']);
    expect(unroll(cellNamed('rnn'), twoSteps).nodes.some((n) => n.glyph === 'concat')).toBe(false);
  });

  it('unroll(lstm-peephole) draws the three peepholes as distinct wires: c_{t-1} into i and f, c_t into o', () => {
    const graph = unroll(cellNamed('lstm-peephole'), twoSteps);
    expect(graph.edges.filter((e) => e.kind === 'peephole').map((e) => `${e.source}->${e.target}`)).toEqual(['in:c->i', 'in:c->f', 'c->o']);
    expect(unroll(cellNamed('lstm'), twoSteps).edges.filter((e) => e.kind === 'peephole')).toEqual([]);
  });

  it('unroll(vae-reparam) draws exp(logvar / 2) as ÷2 then an exp function, with the noise as a dashed input', () => {
    const graph = unroll(cellNamed('vae-reparam'), { steps: [{ time: 't', t: 0 }], initialTime: 't-1' });
    expect(graph.nodes.map((n) => `${n.id}:${n.glyph}:${n.tex}`)).toEqual(['std.div.0:pointwise:\\div 2', 'std:function:\\exp', 'z.mul.0:pointwise:\\odot', 'z:pointwise:+']);
    expect(graph.ports.map((p) => `${p.id}:${p.role}`)).toEqual(['x:mu:input', 'x:logvar:input', 'x:eps:noise', 'up:z:output']);
  });

  it('unroll(rnn, ops) draws every matmul and bias', () => {
    expect(glyphs('rnn', 'ops')).toEqual([
      'h.matmul.0:matmul:\\times',
      'h.add.0:pointwise:+',
      'h.matmul.1:matmul:\\times',
      'h.add.1:pointwise:+',
      'h.add.2:pointwise:+',
      'h:layer:\\tanh',
      'W_ih:param:W_{ih}',
      'b_ih:param:b_{ih}',
      'W_hh:param:W_{hh}',
      'b_hh:param:b_{hh}',
    ]);
  });

  it('unroll covers every computing node of the cell exactly once in gates detail', () => {
    for (const name of ['gru', 'lstm-peephole', 'mgu', 'vae-reparam']) {
      const cell = cellNamed(name);
      const covered = unroll(cell, twoSteps).nodes.flatMap((n) => n.covers).sort();
      const computing = cell.nodes.filter((n) => !['input', 'state', 'noise', 'const'].includes(n.kind)).map((n) => n.id).sort();
      expect(covered, name).toEqual(computing);
    }
  });
});

describe('unroll in ops detail', () => {
  it('unroll(lstm-peephole, ops) keeps the peepholes distinct: the wires into each p ⊙ c product', () => {
    const graph = unroll(cellNamed('lstm-peephole'), { ...twoSteps, detail: 'ops' });
    expect(graph.edges.filter((e) => e.kind === 'peephole').map((e) => `${e.source}->${e.target}`)).toEqual(['in:c->i.mul.0', 'in:c->f.mul.0', 'c->o.mul.0']);
  });

  it('unroll(lstm, ops) draws the gates as σ/tanh boxes and tanh(c) as a function', () => {
    const graph = unroll(cellNamed('lstm'), { ...twoSteps, detail: 'ops' });
    expect(graph.nodes.filter((n) => n.glyph === 'layer' || n.glyph === 'function').map((n) => `${n.id}:${n.glyph}`)).toEqual(['i:layer', 'f:layer', 'g:layer', 'o:layer', 'h.tanh.0:function']);
  });
});
