import { describe, expect, it } from 'vitest';
import { parseCell } from '../../src/cell/index.js';
import { checkFaithful, placeDiagram } from '../../src/diagram/index.js';
import { boxesOverlap, checkGeometry, segmentCrossesBox } from '../../src/diagram/geometry.js';
import type { PlacedGraph } from '../../src/diagram/types.js';
import { cellNamed, SHIPPED } from './helpers.js';

/**
 * The figure says what the equations say, placed and unplaced (faithful.test.ts checks the test
 * cells; the shipped ones are checked here, on the layouts this file makes anyway).
 */
const expectFaithful = (name: string, placed: PlacedGraph, what: string): void => {
  expect(checkFaithful(cellNamed(name), placed.graph), what).toEqual([]);
  expect(checkFaithful(cellNamed(name), placed), `${what}, placed`).toEqual([]);
};

describe('checkGeometry and checkFaithful on every shipped cell', { timeout: 60_000 }, () => {
  for (const name of SHIPPED) {
    for (const steps of [1, 2, 3]) {
      it(`placeDiagram(${name}, ${steps} steps${steps === 2 ? ', with its key' : ''}) has no overlap, no clipped label, no wire through a foreign box, and is faithful`, async () => {
        const placed = await placeDiagram(cellNamed(name), { steps, legend: steps === 2 });
        expect(checkGeometry(placed)).toEqual([]);
        expectFaithful(name, placed, `${steps} steps`);
        const expectedSteps = cellNamed(name).states.length ? steps : 1;
        expect(placed.steps).toHaveLength(expectedSteps);
        // Each state crosses from one step into the next in a straight horizontal line.
        for (const e of placed.edges.filter((e) => e.kind === 'state' && e.step === -1)) {
          expect(e.points.map((p) => p.y), e.key).toEqual([e.points[0].y, e.points[0].y]);
        }
        // Steps run left to right and every step is the same size.
        for (let i = 1; i < placed.steps.length; i++) {
          expect(placed.steps[i].x).toBeGreaterThan(placed.steps[i - 1].x + placed.steps[i - 1].width);
          expect(placed.steps[i].width).toBe(placed.steps[0].width);
        }
      });
    }
    it(`placeDiagram(${name}, annotated) keeps every value strip inside its box`, async () => {
      const cell = cellNamed(name);
      const values = new Map(cell.nodes.map((n) => [n.id, [0.5, -0.5, 1]]));
      const steps = (cell.states.length ? [4, 5] : [0]).map((t) => ({ t, values }));
      const placed = await placeDiagram(cell, { annotate: { steps } });
      expect(checkGeometry(placed)).toEqual([]);
      expect(placed.nodes.filter((n) => n.node.glyph !== 'concat').every((n) => n.stripBox !== null)).toBe(true);
    });

    it(`placeDiagram(${name}, ops detail) is clean and faithful too, at 1 and 2 steps`, async () => {
      for (const steps of [1, 2]) {
        const placed = await placeDiagram(cellNamed(name), { steps, detail: 'ops' });
        expect(checkGeometry(placed), `${steps} steps`).toEqual([]);
        expectFaithful(name, placed, `ops, ${steps} steps`);
        for (const e of placed.edges.filter((e) => e.kind === 'state' && e.step === -1)) expect(e.points, e.key).toHaveLength(2);
      }
    });
  }

  it('placeDiagram(lstm) runs the cell state straight along the top of every step', async () => {
    const placed = await placeDiagram(cellNamed('lstm'), { steps: 2 });
    const belt = placed.edges.filter((e) => e.kind === 'belt');
    expect(belt.length).toBe(6);
    const ys = new Set(belt.flatMap((e) => e.points.map((p) => p.y)));
    expect(ys.size).toBe(1);
    const beltY = [...ys][0];
    for (const n of placed.nodes.filter((n) => !n.node.lane)) expect(n.y, n.key).toBeGreaterThan(beltY);
  });

  it('placeDiagram(lstm-peephole, legend) keys exactly the glyphs and wires it draws', async () => {
    const placed = await placeDiagram(cellNamed('lstm-peephole'), { legend: true });
    expect(placed.key!.map((k) => `${k.kind}:${k.sampleTex}`)).toEqual(['layer:\\sigma', 'pointwise:\\odot', 'function:\\tanh', 'concat:', 'junction:', 'belt:', 'peephole:']);
    const keyTop = Math.min(...placed.key!.map((k) => k.sample.y));
    expect(keyTop).toBeGreaterThan(Math.max(...placed.terminals.map((t) => t.y + t.height)));
    expect((await placeDiagram(cellNamed('gru'))).key).toBeNull();
  });

  it('placeDiagram(gru) sends x_t in from below and h_t out upward', async () => {
    const placed = await placeDiagram(cellNamed('gru'), { steps: 2 });
    for (const s of placed.steps) {
      const input = placed.terminals.find((t) => t.key === `${s.index}:x:x:terminal`)!;
      const output = placed.terminals.find((t) => t.key === `${s.index}:up:h:terminal`)!;
      expect(input.y).toBeGreaterThan(s.y + s.height);
      expect(output.y + output.height).toBeLessThan(s.y);
    }
  });
});

describe('checkGeometry on user cells (no cell-specific code)', { timeout: 60_000 }, () => {
  const cells: Record<string, string> = {
    'two inputs, three states': 'cell: b\ntitle: B\ninput: x, u\nstate: c, m, h\nc = σ(W x + U u) ⊙ c_prev + m_prev\nm = relu(-c + V h_prev) / 2\nh = softplus(c) ⊙ m + p ⊙ h_prev\n',
    'a state that is never read': 'cell: a\ntitle: A\ninput: x\nstate: h\nh = tanh(W x + b)\n',
    'two states never read (their west ports once coincided)': 'cell: a2\ntitle: A2\ninput: x\nstate: h, c\noutput: y\nh = softplus(W0 x)\nc = σ(W1 x + b2)\ny = U3 h + q4 ⊙ h\n',
    'three states, two never read': 'cell: a3\ntitle: A3\ninput: x\nstate: h, c, m\noutput: y\nh = (exp(c_prev) - softplus(W0 x + b1)) / 2\nc = softplus(W0 x)\nm = relu(W0 x + U2 c_prev) ⊙ c_prev\ny = U3 c + q4 ⊙ c\n',
    'scalar constants and division by a parameter': 'cell: c\ntitle: C\ninput: x\nstate: h\ng = exp(W x) / s\nh = 2 * h_prev - g\n',
  };
  for (const [what, text] of Object.entries(cells)) {
    it(`placeDiagram(${what}) is clean at 1 to 3 steps, and in ops detail`, async () => {
      const cell = parseCell(text, { file: 'user.cell' });
      for (const steps of [1, 2, 3]) expect(checkGeometry(await placeDiagram(cell, { steps })), `gates ${steps}`).toEqual([]);
      expect(checkGeometry(await placeDiagram(cell, { steps: 2, detail: 'ops' })), 'ops 2').toEqual([]);
    });
  }
});

describe('checkGeometry finds planted faults', { timeout: 60_000 }, () => {
  it('reports two overlapping boxes, a clipped label and a wire through a box', async () => {
    const placed = await placeDiagram(cellNamed('rnn'), { steps: 1 });
    const [node] = placed.nodes;
    const input = placed.terminals.find((t) => t.role === 'input')!;
    const broken: PlacedGraph = {
      ...placed,
      nodes: [{ ...node, labelBox: { ...node.labelBox, x: node.x - 5 } }],
      terminals: [...placed.terminals, { ...input, key: 'copy', x: input.x + 3 }],
      edges: [
        ...placed.edges,
        { ...placed.edges[0], key: 'stray', source: 'a', target: 'b', step: -1, points: [{ x: node.x - 10, y: node.y + 5 }, { x: node.x + node.width + 10, y: node.y + 5 }] },
        { ...placed.edges[0], key: 'slanted', source: 'a', target: 'b', step: -1, points: [{ x: 1, y: 1 }, { x: 5, y: 3 }] },
      ],
    };
    const problems = checkGeometry(broken);
    expect(problems).toContain('label of step 0 h sticks out of its box');
    expect(problems).toContain('step 0 x:x:terminal overlaps copy');
    expect(problems).toContain('wire stray crosses step 0 h');
    expect(problems).toContain('wire slanted has a slanted segment');
  });

  it('reports junction dots drawn on top of each other (twice at one point, or a few px apart)', async () => {
    const placed = await placeDiagram(cellNamed('gru'), { steps: 1, detail: 'ops' });
    const fan = placed.edges.find((e) => e.junctions.length > 0)!;
    const [dot] = fan.junctions;
    const twice: PlacedGraph = { ...placed, edges: [...placed.edges, { ...fan, key: 'copy', junctions: [dot, { x: dot.x + 3, y: dot.y }] }] };
    const at = `(${dot.x.toFixed(1)}, ${dot.y.toFixed(1)})`;
    expect(checkGeometry(twice).filter((p) => p.startsWith('junction'))).toEqual([
      `junction dots of wires step ${fan.key.replace(/^0:/, '0 ')} and copy overlap at ${at}`,
      `junction dots of wires step ${fan.key.replace(/^0:/, '0 ')} and copy overlap at ${at}`,
      `junction dots of wires copy and copy overlap at ${at}`,
    ]);
  });

  it('boxesOverlap ignores boxes that only touch; segmentCrossesBox ignores a wire along a side', () => {
    expect(boxesOverlap({ x: 0, y: 0, width: 10, height: 10 }, { x: 10, y: 0, width: 5, height: 5 })).toBe(false);
    expect(boxesOverlap({ x: 0, y: 0, width: 10, height: 10 }, { x: 9, y: 9, width: 5, height: 5 })).toBe(true);
    const box = { x: 0, y: 0, width: 10, height: 10 };
    expect(segmentCrossesBox({ x: -5, y: 0, }, { x: 15, y: 0 }, box)).toBe(false);
    expect(segmentCrossesBox({ x: -5, y: 5 }, { x: 15, y: 5 }, box)).toBe(true);
    expect(segmentCrossesBox({ x: 5, y: -5 }, { x: 5, y: 2 }, box)).toBe(true);
    expect(segmentCrossesBox({ x: 5, y: -5 }, { x: 5, y: 0 }, box)).toBe(false);
  });
});
