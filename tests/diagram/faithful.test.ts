// checkFaithful on every test cell, and on drawings with planted faults: the figure must say
// what the equations say, whatever the layout. The shipped cells are checked in
// geometry.test.ts, on the layouts it makes for checkGeometry (each layout made once).
import { describe, expect, it } from 'vitest';
import { parseCell, type CellGraph } from '../../src/cell/index.js';
import { checkFaithful, drawPlaced, placeDiagram } from '../../src/diagram/index.js';
import { unroll } from '../../src/diagram/unroll.js';
import { constTex } from '../../src/diagram/extra-ops.js';
import type { DiagramGraph } from '../../src/diagram/types.js';
import { cellNamed, fixtureCell, FIXTURE_CELLS } from './helpers.js';

const twoSteps = { steps: [{ time: 't-1', t: -1 }, { time: 't', t: 0 }], initialTime: 't-2' };
const lstmWith = (header: string) => parseCell(`cell: l\ntitle: L\ninput: x\nstate: c, h\n${header}f = σ(W_f x + U_f h_prev)\nc = f ⊙ c_prev + (1 - f) ⊙ tanh(W_c x)\nh = f ⊙ tanh(c)\n`, { file: 'l.cell' });
const upward = (cell: CellGraph) => unroll(cell, twoSteps).ports.filter((p) => p.side === 'north').map((p) => p.valueOf);

const ALL = FIXTURE_CELLS.map((file) => ({ name: file, cell: () => fixtureCell(file) }));

describe('checkFaithful on every tests/fixtures/cells/*.cell', { timeout: 120_000 }, () => {
  it('finds the test cells folder with at least the diagram cells in it', () => {
    expect(FIXTURE_CELLS.filter((f) => f.startsWith('diagram-'))).toEqual(['diagram-indrnn.cell', 'diagram-readout.cell', 'diagram-scaled.cell', 'diagram-shared-weight.cell', 'diagram-stacked-lstm.cell', 'diagram-stacked.cell']);
  });
  for (const { name, cell } of ALL) {
    for (const detail of ['gates', 'ops'] as const) {
      // A literature cell's gates at 2 steps and ops at 1 step are checked in tests/cell/corpus.test.ts, on the layouts it draws.
      const stepCounts = name.startsWith('diagram-') ? [1, 2] : [detail === 'gates' ? 1 : 2];
      it(`checkFaithful(${name}, ${detail}) finds nothing at ${stepCounts.join(' and ')} step${stepCounts.length > 1 ? 's' : ''}, placed and unplaced`, async () => {
        for (const steps of stepCounts) {
          const placed = await placeDiagram(cell(), { steps, detail, title: '' });
          expect(checkFaithful(cell(), placed.graph), `${steps} steps`).toEqual([]);
          expect(checkFaithful(cell(), placed), `${steps} steps, placed`).toEqual([]);
        }
      });
    }
  }
});

describe('the defects of issue 11, each drawn right', () => {
  it('unroll(shared weight W) draws no wire between the two boxes that use W; W is a label of both', () => {
    const graph = unroll(fixtureCell('diagram-shared-weight.cell'), twoSteps);
    const into = (id: string) => graph.edges.filter((e) => e.target === id).map((e) => `${e.source}/${e.valueOf}`);
    expect(into('a')).toEqual(['x:x/x']);
    expect(into('h.tanh.0')).toEqual(['x:x/x', 'in:h/h_prev']);
    expect(into('h')).toEqual(['h.tanh.0/h.tanh.0', 'a/a']);
    expect(graph.nodes.filter((n) => n.covers.includes('W')).map((n) => n.id)).toEqual(['a', 'h.tanh.0']);
  });

  it('unroll(shared weight W, ops) wires one W box into both matrix products', () => {
    const graph = unroll(fixtureCell('diagram-shared-weight.cell'), { ...twoSteps, detail: 'ops' });
    expect(graph.edges.filter((e) => e.source === 'W').map((e) => e.target)).toEqual(['a.matmul.0', 'h.matmul.0']);
  });

  it('unroll(output: y) sends y upward and h only to the next step', () => {
    const graph = unroll(fixtureCell('diagram-readout.cell'), twoSteps);
    expect(graph.ports.map((p) => `${p.id}:${p.side}`)).toEqual(['in:h:west', 'out:h:east', 'x:x:south', 'up:y:north']);
    expect(graph.edges.filter((e) => e.target === 'up:y' || e.target === 'out:h').map((e) => `${e.source}->${e.target}`)).toEqual(['h->out:h', 'y->up:y']);
  });

  it('unroll(LSTM, output: c, h) sends exactly c and h upward; without the header only h; output: h only h', () => {
    expect(lstmWith('output: c, h\n').outputsDeclared).toBe(true);
    expect(lstmWith('').outputsDeclared).toBe(false);
    expect(lstmWith('output: c, h\n').outputs).toEqual(lstmWith('').outputs);
    expect(upward(lstmWith('output: c, h\n'))).toEqual(['c', 'h']);
    expect(upward(lstmWith('output: h, c\n'))).toEqual(['h', 'c']);
    expect(upward(lstmWith(''))).toEqual(['h']);
    expect(upward(lstmWith('output: h\n'))).toEqual(['h']);
    expect(upward(lstmWith('output: c\n'))).toEqual(['c']);
  });

  it('unroll(one state h, output: h) sends h upward, as without the header', () => {
    const rnn = (header: string) => parseCell(`cell: r\ntitle: R\ninput: x\nstate: h\n${header}h = tanh(W x + U h_prev)\n`, { file: 'r.cell' });
    expect(rnn('output: h\n').outputsDeclared).toBe(true);
    expect(upward(rnn('output: h\n'))).toEqual(['h']);
    expect(upward(rnn(''))).toEqual(['h']);
  });

  it("unroll(Olah's LSTM) draws [h_prev; x] once, h_{t-1} entering above x, its wire fanning out to the four gates (gates) or products (ops)", () => {
    const cell = cellNamed('olah-lstm');
    for (const [detail, readers] of [['gates', ['f', 'i', 'c_tilde', 'o']], ['ops', ['f.matmul.0', 'i.matmul.0', 'c_tilde.matmul.0', 'o.matmul.0']]] as const) {
      const graph = unroll(cell, { ...twoSteps, detail });
      expect(graph.nodes.filter((n) => n.glyph === 'concat').map((n) => `${n.id}:${n.valueOf}`), detail).toEqual(['f.concat.0:f.concat.0']);
      expect(graph.edges.filter((e) => e.target === 'f.concat.0').map((e) => `${e.source}/${e.slot}`), detail).toEqual(['in:h/0', 'x:x/1']);
      expect(graph.edges.filter((e) => e.source === 'f.concat.0').map((e) => e.target), detail).toEqual(readers);
    }
  });

  it('unroll([h_prev; x] and [x; h_prev]) draws two stacks: the order of the parts is the value', () => {
    const text = 'cell: s\ntitle: S\ninput: x\nstate: h\nparam W: [hidden, hidden+input]\nparam U: [hidden, input+hidden]\na = σ(W * [h_prev; x])\nh = tanh(U * [x; h_prev]) ⊙ a\n';
    const cell = parseCell(text, { file: 's.cell' });
    for (const detail of ['gates', 'ops'] as const) {
      const graph = unroll(cell, { ...twoSteps, detail });
      expect(graph.nodes.filter((n) => n.glyph === 'concat').map((n) => n.id), detail).toEqual(['a.concat.0', 'h.concat.0']);
      expect(checkFaithful(cell, graph), detail).toEqual([]);
    }
  });

  it('constTex writes very small and very large constants as powers of ten, others as numbers', () => {
    const cases: [number, string][] = [[0.00001, '10^{-5}'], [0.001, '10^{-3}'], [2.5e-4, '2.5{\\cdot}10^{-4}'], [-1e-5, '-10^{-5}'], [1e6, '10^{6}'], [0.01, '0.01'], [0.5, '0.5'], [2, '2'], [0, '0'], [1 / 3, '0.333333']];
    expect(cases.map(([v]) => constTex(v))).toEqual(cases.map(([, tex]) => tex));
  });

  it("unroll(LayerNorm-LSTM) labels var + 0.00001 as +10^{-5}, in a circle no wider than 52 px (71 when written 0.00001)", async () => {
    const cell = fixtureCell('layernorm-lstm.cell');
    expect(unroll(cell, twoSteps).nodes.find((n) => n.id === 'h.add.0')!.tex).toBe('+10^{-5}');
    const placed = await placeDiagram(cell, { steps: 1, title: '' });
    expect(placed.nodes.find((n) => n.key === '0:h.add.0')!.glyphBox.width).toBeLessThanOrEqual(52);
  }, 60_000);

  it('unroll(SCRN) draws a long operator label, ×(1 − 0.95), in an ellipse as tall as two lines, not a disc as tall as the label is wide', async () => {
    const cell = fixtureCell('scrn.cell');
    const placed = await placeDiagram(cell, { steps: 1, title: '' });
    const operators = placed.nodes.filter((n) => n.node.glyph === 'pointwise');
    const long = operators.filter((n) => n.node.tex.includes('0.95') && n.node.tex.includes('('));
    expect(long).toHaveLength(1);
    const box = long[0]!.glyphBox;
    expect([box.width > 2 * box.height, box.height <= 2 * long[0]!.labelBox.height + 1, box.width >= long[0]!.labelBox.width]).toEqual([true, true, true]);
    // The short labels (+, ×0.95) keep their circles.
    for (const n of operators.filter((o) => o !== long[0])) expect(n.glyphBox.width, n.node.tex).toBe(n.glyphBox.height);
    const svg = await drawPlaced(cell, placed, { steps: 1, title: '' });
    const group = svg.slice(svg.indexOf(`id="s0-${long[0]!.node.id.replaceAll('.', '-')}"`));
    expect(group.slice(0, group.indexOf('</g>'))).toContain('<ellipse');
  }, 60_000);

  it('unroll(IndRNN) draws u ⊙ h_{t-1} as the recurrence, not a peephole, in both details', async () => {
    const cell = fixtureCell('diagram-indrnn.cell');
    for (const detail of ['gates', 'ops'] as const) {
      expect(unroll(cell, { ...twoSteps, detail }).edges.filter((e) => e.valueOf === 'h_prev').map((e) => e.kind), detail).toEqual(['state']);
    }
    const key = (await placeDiagram(cell, { legend: true })).key!.map((k) => k.kind);
    expect(key).not.toContain('peephole');
    expect(key).toEqual(['layer', 'junction']);
  });

  it('unroll(division by a parameter, gates) writes ÷s into the operator, with no parameter box', () => {
    const graph = unroll(fixtureCell('diagram-scaled.cell'), twoSteps);
    expect(graph.nodes.filter((n) => n.glyph === 'pointwise').map((n) => n.tex)).toEqual(['1-', '\\odot', '\\odot', '\\div s', '+']);
    expect(graph.nodes.some((n) => n.glyph === 'param')).toBe(false);
  });
});

describe('checkFaithful finds planted faults', () => {
  const cell = fixtureCell('diagram-shared-weight.cell');
  const graph = unroll(cell, twoSteps);
  const edit = (change: (g: DiagramGraph) => Partial<DiagramGraph>): DiagramGraph => ({ ...graph, ...change(graph) });

  it('a wire from one box into another that carries a shared parameter (the old shared-W drawing)', () => {
    const broken = edit((g) => ({ edges: [...g.edges, { id: 'h.tanh.0->a', source: 'h.tanh.0', target: 'a', slot: 1, kind: 'internal', valueOf: 'W' }] }));
    expect(checkFaithful(cell, broken)).toEqual(['the wire from layer h.tanh.0 into layer a carries W, but layer h.tanh.0 does not produce it']);
  });

  it('a missing wire, a wire into a glyph that does not read its value, a state upward instead of the output', () => {
    const missing = edit((g) => ({ edges: g.edges.filter((e) => e.id !== 'a->h') }));
    expect(checkFaithful(cell, missing)).toEqual(['pointwise h reads a, but no wire brings it']);
    const stray = edit((g) => ({ edges: [...g.edges, { id: 'in:h->a', source: 'in:h', target: 'a', slot: 1, kind: 'state', valueOf: 'h_prev' }] }));
    expect(checkFaithful(cell, stray)).toEqual(['the wire from port in:h into layer a carries h_prev, which layer a does not read']);
    const readout = fixtureCell('diagram-readout.cell');
    const wrongOutput = unroll(readout, twoSteps);
    const asBefore: DiagramGraph = {
      ...wrongOutput,
      ports: wrongOutput.ports.map((p) => (p.id === 'up:y' ? { ...p, id: 'up:h', name: 'h', valueOf: 'h' } : p)),
      edges: wrongOutput.edges.map((e) => (e.target === 'up:y' ? { ...e, id: 'h->up:h', source: 'h', target: 'up:h', valueOf: 'h' } : e)),
    };
    expect(checkFaithful(readout, asBefore)).toEqual(['the port up:y (north, carrying y) is missing', 'the port up:h (north, carrying h) does not belong to the cell']);
  });

  it('an LSTM declaring output: c, h drawn by the default rule (only h upward), and one declaring nothing drawn with c upward', () => {
    const declared = lstmWith('output: c, h\n');
    const undeclared = lstmWith('');
    // Each drawn as the other's declaration asks: the ports and wires are right for the other cell.
    expect(checkFaithful(declared, unroll(undeclared, twoSteps))).toEqual(['the port up:c (north, carrying c) is missing']);
    expect(checkFaithful(undeclared, unroll(declared, twoSteps))).toEqual(['the port up:c (north, carrying c) does not belong to the cell']);
  });

  it("Olah's LSTM drawn with one concatenation per gate (the old drawing), and its stack missing x", () => {
    const olah = cellNamed('olah-lstm');
    const graph = unroll(olah, twoSteps);
    const perGate: DiagramGraph = {
      ...graph,
      nodes: [...graph.nodes, { ...graph.nodes.find((n) => n.id === 'f.concat.0')!, id: 'i.concat.0', valueOf: 'i.concat.0', covers: ['i.concat.0'] }],
      edges: [
        ...graph.edges.filter((e) => e.id !== 'f.concat.0->i'),
        { id: 'in:h->i.concat.0', source: 'in:h', target: 'i.concat.0', slot: 0, kind: 'state', valueOf: 'h_prev' },
        { id: 'x:x->i.concat.0', source: 'x:x', target: 'i.concat.0', slot: 1, kind: 'input', valueOf: 'x' },
        { id: 'i.concat.0->i', source: 'i.concat.0', target: 'i', slot: 0, kind: 'internal', valueOf: 'i.concat.0' },
      ],
    };
    expect(checkFaithful(olah, perGate)).toEqual([
      'concat i.concat.0 draws i.concat.0 apart from f.concat.0, the same stack',
      'the wire from concat i.concat.0 into layer i carries f.concat.0, but concat i.concat.0 does not produce it',
    ]);
    const noX = { ...graph, edges: graph.edges.filter((e) => e.id !== 'x:x->f.concat.0') };
    expect(checkFaithful(olah, noX)).toEqual(['concat f.concat.0 reads x, but no wire brings it']);
  });

  it('a computation drawn twice or not at all, and a parameter missing from a label', () => {
    const twice = edit((g) => ({ nodes: g.nodes.map((n) => (n.id === 'a' ? { ...n, covers: [...n.covers, 'h.add.0'] } : n)) }));
    expect(checkFaithful(cell, twice)).toContain('h.add.0 is drawn by 2 glyphs');
    const scaled = fixtureCell('diagram-scaled.cell');
    const unlabelled = unroll(scaled, twoSteps);
    const noS = { ...unlabelled, nodes: unlabelled.nodes.map((n) => (n.tex === '\\div s' ? { ...n, tex: '\\div' } : n)) };
    expect(checkFaithful(scaled, noS)).toEqual(['pointwise h.div.0 uses s but its label \\div does not show it']);
  });

  it('a circle drawn with the wrong operator, a σ box that computes tanh, and 1 − z written as −1 (z − 1)', () => {
    const gru = parseCell('cell: g\ntitle: G\ninput: x\nstate: h\nz = σ(W x + U h_prev)\nh = z ⊙ h_prev + (1 - z) ⊙ tanh(V x)\n', { file: 'g.cell' });
    const g = unroll(gru, twoSteps);
    const relabel = (id: string, tex: string): DiagramGraph => ({ ...g, nodes: g.nodes.map((n) => (n.id === id ? { ...n, tex } : n)) });
    expect(checkFaithful(gru, g)).toEqual([]);
    expect(checkFaithful(gru, relabel('h.mul.0', '+'))).toEqual(['pointwise h.mul.0 draws h.mul.0, a mul, but its label + does not show \\odot']);
    expect(checkFaithful(gru, relabel('h.tanh.0', '\\sigma'))).toEqual(['layer h.tanh.0 draws h.tanh.0, a tanh, but its label \\sigma does not show \\tanh']);
    expect(checkFaithful(gru, relabel('h.sub.0', '-1'))).toEqual(['pointwise h.sub.0 draws h.sub.0 as -1, which reads its operands the other way round (expected 1-)']);
  });

  it('a − h_{t-1} placed with h_{t-1} entering above a (it would read h_{t-1} − a)', async () => {
    const cell = parseCell('cell: d\ntitle: D\ninput: x\nstate: h\na = tanh(W x)\nh = a - h_prev\n', { file: 'd.cell' });
    const placed = await placeDiagram(cell, { steps: 2, title: '' });
    expect(checkFaithful(cell, placed)).toEqual([]);
    // Step 1's two operands trade heights: the wires stay right, the order does not.
    const ends = new Map(placed.edges.filter((e) => e.target === '1:h').map((e) => [e.valueOf, e.points.at(-1)!]));
    const swapped = {
      ...placed,
      edges: placed.edges.map((e) => (e.target === '1:h' ? { ...e, points: [...e.points.slice(0, -1), ends.get(e.valueOf === 'a' ? 'h_prev' : 'a')!] } : e)),
    };
    const [a, hPrev] = [ends.get('a')!.y, ends.get('h_prev')!.y];
    expect(a).toBeLessThan(hPrev);
    expect(checkFaithful(cell, swapped)).toEqual([`step 1: pointwise h computes a − h_prev, but a enters at y ${hPrev}, not above h_prev at y ${a}`]);
  }, 60_000);

  it('a peephole style on IndRNN recurrence, and a peephole drawn as a plain wire', () => {
    const indrnn = fixtureCell('diagram-indrnn.cell');
    const g = unroll(indrnn, twoSteps);
    const styled = { ...g, edges: g.edges.map((e) => (e.valueOf === 'h_prev' ? { ...e, kind: 'peephole' as const } : e)) };
    expect(checkFaithful(indrnn, styled)).toEqual(['the wire in:h->h is drawn as a peephole, but h_prev is not a peephole connection of h']);
    const lstm = cellNamed('lstm-peephole');
    const p = unroll(lstm, twoSteps);
    const plain = { ...p, edges: p.edges.map((e) => (e.id === 'c->o' ? { ...e, kind: 'internal' as const } : e)) };
    expect(checkFaithful(lstm, plain)).toEqual(['the wire c->o carries c into a peephole but is drawn as internal']);
  });

  it('a state that does not cross into the next step in the placed figure', async () => {
    const placed = await placeDiagram(cell, { steps: 2, title: '' });
    const cut = { ...placed, edges: placed.edges.filter((e) => e.key !== '0:out:h->1:in:h') };
    expect(checkFaithful(cell, cut)).toEqual(['state h from step 0 into step 1 is not drawn (no wire 0:out:h → 1:in:h)']);
  });

  it('checkFaithful(user cell) accepts a cell written by hand with several states and a noise input', () => {
    const text = 'cell: u\ntitle: U\ninput: x\nstate: c, h\neps ~ N(0, I)\nf = σ(W x + U h_prev)\nc = f ⊙ c_prev + (1 - f) ⊙ tanh(W x + eps)\nh = tanh(c) * 2\n';
    const user = parseCell(text, { file: 'u.cell' });
    for (const detail of ['gates', 'ops'] as const) expect(checkFaithful(user, unroll(user, { ...twoSteps, detail })), detail).toEqual([]);
  });
});
