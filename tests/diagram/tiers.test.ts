// Stacked layers: a cell whose states form a chain within a step is drawn layer above layer.
import { describe, expect, it } from 'vitest';
import { parseCell } from '../../src/cell/index.js';
import { checkFaithful, placeDiagram } from '../../src/diagram/index.js';
import { checkGeometry } from '../../src/diagram/geometry.js';
import { planTiers } from '../../src/diagram/tiers.js';
import { unroll } from '../../src/diagram/unroll.js';
import { cellNamed, fixtureCell } from './helpers.js';

const oneStep = { steps: [{ time: 't', t: 0 }], initialTime: 't-1' };

describe('planTiers', () => {
  it('planTiers(stacked h1, h2) puts h1 in the bottom tier and h2 above, joined by the one wire h1 → h2', () => {
    const tiers = planTiers(unroll(fixtureCell('diagram-stacked.cell'), oneStep))!;
    expect(tiers.map((t) => t.graph.nodes.map((n) => n.id))).toEqual([['h1'], ['h2']]);
    expect(tiers.map((t) => t.graph.ports.map((p) => p.id))).toEqual([
      ['in:h1', 'out:h1', 'x:x', 'above:h1'],
      ['in:h2', 'out:h2', 'up:h2', 'below:h1'],
    ]);
  });

  it('planTiers leaves one-group cells alone: the LSTM (c and h read each other), GRU, and a cell whose upper state reads a lower state from the step before', () => {
    for (const name of ['lstm', 'lstm-peephole', 'gru', 'rnn']) expect(planTiers(unroll(cellNamed(name), oneStep)), name).toBeNull();
    const previous = parseCell('cell: p\ntitle: P\ninput: x\nstate: a, b\na = tanh(W x + U a_prev)\nb = tanh(V a + R a_prev + S b_prev)\n', { file: 'p.cell' });
    expect(planTiers(unroll(previous, oneStep))).toBeNull();
  });
});

describe('placeDiagram(stacked)', { timeout: 60_000 }, () => {
  for (const detail of ['gates', 'ops'] as const) {
    it(`draws layer 2 above layer 1 (${detail} detail), each state entering and leaving at its own layer's height`, async () => {
      const cell = fixtureCell('diagram-stacked.cell');
      const placed = await placeDiagram(cell, { steps: 2, detail });
      expect(checkGeometry(placed)).toEqual([]);
      expect(checkFaithful(cell, placed)).toEqual([]);
      for (const step of [0, 1]) {
        const layer = (state: string) => placed.nodes.find((n) => n.key === `${step}:${state}`)!;
        expect(layer('h2').y + layer('h2').height, `step ${step}`).toBeLessThan(layer('h1').y);
      }
      const initial = (s: string) => placed.terminals.find((t) => t.key === `initial:${s}`)!;
      expect(initial('h2').y).toBeLessThan(initial('h1').y);
    });
  }

  // Side by side, when the tiers were added: 737 and 1,953. (531 and 1,229 before h1, c2 were set as h_{1,t}, c_{2,t}.)
  it('is narrower stacked: two RNN layers 534 units wide at 2 steps, two LSTM layers 1,234', async () => {
    expect((await placeDiagram(fixtureCell('diagram-stacked.cell'), { steps: 2 })).width).toBe(534);
    expect((await placeDiagram(fixtureCell('diagram-stacked-lstm.cell'), { steps: 2 })).width).toBe(1234);
  });

  it('placeDiagram(two stacked LSTM layers) is clean and faithful at 1 and 2 steps in both details, with c2 and h2 above c1 and h1', async () => {
    const cell = fixtureCell('diagram-stacked-lstm.cell');
    expect(planTiers(unroll(cell, oneStep))!.map((t) => t.graph.ports.filter((p) => p.side === 'west').map((p) => p.name))).toEqual([['c1', 'h1'], ['c2', 'h2']]);
    for (const detail of ['gates', 'ops'] as const) {
      for (const steps of [1, 2]) {
        const placed = await placeDiagram(cell, { steps, detail });
        expect([...checkGeometry(placed), ...checkFaithful(cell, placed)], `${detail}, ${steps} steps`).toEqual([]);
      }
    }
  });
});
