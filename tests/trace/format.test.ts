// The text forms of a trace, compared with reviewed files in tests/fixtures/trace
// (GATEFLOW_UPDATE_GOLDEN=1 rewrites them). Weights are fixed by hand, so the numbers
// do not depend on the random stream.
import { describe, expect, it } from 'vitest';
import { loadCell } from '../../src/index.js';
import { formatTable, toCsv, toJson, trace } from '../../src/trace/index.js';
import { expectGolden } from '../golden.js';

const FIXTURES = '../fixtures/trace';
const gruWeights = {
  W_ir: [[0.5, -0.25], [0.1, 0.3]], b_ir: [0, 0.1], W_hr: [[-1, 0.2], [0.4, 0.5]], b_hr: [0.1, 0],
  W_iz: [[1, 0], [0, 1]], b_iz: [0.2, -0.2], W_hz: [[0.5, 0], [0, -0.5]], b_hz: [0, 0],
  W_in: [[2, -1], [1, 2]], b_in: [-0.1, 0.1], W_hn: [[1.5, 0], [0.5, 1]], b_hn: [0.3, -0.3],
};
const single = trace(loadCell('gru'), gruWeights, [[1, 0], [0, 1], [-1, 0.5]]);
const batched = trace(loadCell('gru'), gruWeights, [[[1, 0], [0, -1]], [[0, 1], [2, 0]]]);

describe('formatTable / toJson / toCsv', () => {
  it('formatTable aligns one block per step', () => {
    expectGolden(`${FIXTURES}/gru-table.txt`, formatTable(single));
    expectGolden(`${FIXTURES}/gru-batch-table.txt`, formatTable(batched, { digits: 3 }));
  });

  it('toJson has the documented shape: cell, sizes, steps[t].values [batch][size], final', () => {
    const json = toJson(batched);
    const parsed = JSON.parse(json);
    expect(Object.keys(parsed)).toEqual(['cell', 'sizes', 'steps', 'final']);
    expect(parsed.sizes).toEqual({ input: 2, hidden: 2, batch: 2 });
    expect(parsed.steps.map((s: { t: number }) => s.t)).toEqual([0, 1]);
    expect(Object.keys(parsed.steps[0].values)).toEqual(['r', 'z', 'n', 'h']);
    expect(parsed.steps[1].values.h).toEqual(batched.steps[1].values.h);
    expect(parsed.final).toEqual({ h: batched.steps[1].values.h });
    expectGolden(`${FIXTURES}/gru-batch.json`, json);
  });

  it('toJson with every node adds "nodes" by IR id', () => {
    const parsed = JSON.parse(toJson(single, { nodes: 'all' }));
    expect(parsed.steps[0].nodes['n.matmul.1']).toEqual(single.steps[0].nodes['n.matmul.1']);
    expect(parsed.steps[0].nodes.h_prev).toEqual([[0, 0]]);
  });

  it('toCsv has a row per step and batch element and full-precision numbers', () => {
    const csv = toCsv(batched);
    expect(csv.split('\n')[0]).toBe('t,batch,x[0],x[1],r[0],r[1],z[0],z[1],n[0],n[1],h[0],h[1]');
    expect(csv.trim().split('\n')).toHaveLength(1 + 2 * 2);
    const last = csv.trim().split('\n')[4].split(',').map(Number);
    expect(last.slice(0, 4)).toEqual([1, 1, 2, 0]);
    expect(last.slice(10)).toEqual(batched.steps[1].values.h[1]);
    expectGolden(`${FIXTURES}/gru-batch.csv`, csv);
  });

  it('a list of node ids selects and orders what the table and CSV show', () => {
    expect(toCsv(single, { nodes: ['h', 'z'] }).split('\n')[0]).toBe('t,batch,h[0],h[1],z[0],z[1]');
    // W_hn h_prev at t = 1 with h_prev = h at t = 0 = [0.2246, 0.4030]: [1.5·0.2246, 0.5·0.2246 + 0.4030].
    const table = formatTable(single, { nodes: ['n.matmul.1'], digits: 3 });
    expect(table.split('\n').slice(1)).toEqual([
      't  node             0       1',
      '0  n.matmul.1   0.000   0.000',
      '',
      '1  n.matmul.1   0.337   0.515',
      '',
      '2  n.matmul.1  -0.236   0.528',
      '',
    ]);
    expect(() => toCsv(single, { nodes: ['h', 'q'] })).toThrow("no node 'q' in the trace (nodes: x, h_prev, r.matmul.0, r.add.0, r.matmul.1, r.add.1, r.add.2, r, z.matmul.0, z.add.0, z.matmul.1, z.add.1, z.add.2, z, n.matmul.0, n.add.0, n.matmul.1, n.add.1, n.mul.0, n.add.2, n, h.sub.0, h.mul.0, h.mul.1, h)");
  });

  it('an output too large for one string is refused with advice', () => {
    const row = new Array(100).fill(0.5);
    const step = { t: 0, values: { h: [row] }, nodes: { x: [[1]], h: [row] } };
    const huge = { cell: 'rnn', sizes: { input: 1, hidden: 100, batch: 1 }, steps: new Array(200_000).fill(step), final: { h: [row] }, weights: new Map() };
    expect(() => toCsv(huge)).toThrow('the CSV would hold 20200000 numbers, more than one file of text can (15000000); trace fewer steps, or pick nodes with --nodes');
    expect(() => toJson(huge)).toThrow('the JSON would hold 20000000 numbers');
    expect(toCsv({ ...huge, steps: huge.steps.slice(0, 2) }).split('\n')).toHaveLength(4);
  });

  it('the same inputs give the same bytes', () => {
    const again = trace(loadCell('gru'), gruWeights, [[[1, 0], [0, -1]], [[0, 1], [2, 0]]]);
    expect(toJson(again)).toBe(toJson(batched));
    expect(toCsv(again)).toBe(toCsv(batched));
  });
});
