// Labels that literature cells not shipped with gateflow drew wrong: a linear box lost the
// brackets of γ ⊙ (W x − m) (Li-GRU), and names numbered as papers number them (β1, h1) were
// set upright as words (\mathrm{beta1}) beside α set as a Greek letter (Delta-RNN).
import { describe, expect, it } from 'vitest';
import { parseCell, symbolTex, toTex } from '../../src/cell/index.js';
import { placeDiagram } from '../../src/diagram/index.js';
import { unroll } from '../../src/diagram/unroll.js';
import { expectGolden } from '../golden.js';
import { fixtureCell } from './helpers.js';

const oneStep = { steps: [{ time: 't', t: 0 }], initialTime: 't-1' };
const linearLabels = (text: string) =>
  unroll(parseCell(text, { file: 'a.cell' }), oneStep)
    .nodes.filter((n) => n.glyph === 'linear')
    .map((n) => n.tex);

describe('linear box labels keep the brackets the structure needs', () => {
  it('Li-GRU: γ_z ⊙ (W_z· − m_z) + β_z, not γ_z ⊙ W_z· − m_z + β_z', () => {
    expect(unroll(fixtureCell('ligru.cell'), oneStep).nodes.filter((n) => n.glyph === 'linear').map((n) => n.tex)).toEqual([
      '\\gamma_{z}\\odot \\left(W_{z}{\\cdot}-m_{z}\\right)+\\beta_{z}',
      '\\gamma_{h}\\odot \\left(W_{h}{\\cdot}-m_{h}\\right)+\\beta_{h}',
    ]);
  });

  it('a difference of sums, and products whose operands are sums or not', () => {
    const head = 'cell: a\ntitle: A\ninput: x\nstate: h\n';
    expect(linearLabels(`${head}a = W x - (U h_prev + b)\nh = tanh(a)\n`)).toEqual(['W{\\cdot}-\\left(U{\\cdot}+b\\right)']);
    expect(linearLabels(`${head}a = (W x + b) ⊙ p + U h_prev\nh = tanh(a)\n`)).toEqual(['\\left(W{\\cdot}+b\\right)\\odot p+U{\\cdot}']);
    expect(linearLabels(`${head}a = p ⊙ (W x) - U h_prev\nh = tanh(a)\n`)).toEqual(['p\\odot W{\\cdot}-U{\\cdot}']);
  });
});

describe('numbered names take their number as a subscript', () => {
  it('a letter or a Greek name followed by digits; other names stay words', () => {
    const cases = [['h1', { time: 0 }], ['h1_prev', { time: 0 }], ['beta1', 'param'], ['eta12', 'param'], ['W_H1', 'param'], ['l0', { time: -1 }], ['ab1', 'param'], ['lstm2', 'param'], ['beta', 'param']] as const;
    expect(cases.map(([name, role]) => symbolTex(name, role))).toEqual(['h_{1,t}', 'h_{1,t-1}', '\\beta_{1}', '\\eta_{12}', 'W_{H1}', 'l_{0,t-1}', '\\mathrm{ab1}', '\\mathrm{lstm2}', '\\beta']);
  });

  it('Delta-RNN equations (golden)', () => {
    expectGolden('equations/delta-rnn.tex', toTex(fixtureCell('delta-rnn.cell')));
  });
});

describe('− and ÷ take their operands top to bottom, on the state lane too', () => {
  // h = a − h_prev and h = h_prev − a were drawn alike: the lane brought h_prev from the left, a came from below.
  const head = 'cell: s\ntitle: S\ninput: x\nstate: h\na = tanh(W x)\n';
  it.each([['h = a - h_prev', ['a', 'h_prev']], ['h = h_prev - a', ['h_prev', 'a']], ['h = a ./ h_prev', ['a', 'h_prev']], ['h = h_prev ./ a', ['h_prev', 'a']]])('%s: the first operand enters above the second', async (statement, order) => {
    const placed = await placeDiagram(parseCell(`${head}${statement}\n`, { file: 's.cell' }), { steps: 1, title: '' });
    const op = placed.nodes.find((n) => n.node.glyph === 'pointwise')!;
    const entry = (value: string) => placed.edges.find((e) => e.target === op.key && e.valueOf === value)!.points.at(-1)!.y;
    expect(entry(order[0]!)).toBeLessThan(entry(order[1]!));
  }, 60_000);
});
