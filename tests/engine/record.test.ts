// forward({ record }): every recorded node's value at every step, written by the step where it
// stays (src/engine/schedule-record.ts), against the rows the observer copies node by node (the
// path it replaced), bit for bit, on the shipped LSTM and GRU and generated cells (batch 3); a
// second run leaves the first's values as they were, and so do runs that keep their memory
// (keepMemory: copied out, the memory run in again); an unknown node is refused.
import { afterEach, describe, expect, it } from 'vitest';
import { loadCell, parseCell, type CellGraph } from '../../src/index.js';
import { compile, randn, type Tensor } from '../../src/engine/index.js';
import { useWasm } from '../../src/engine/matmul.js';
import { createRandom } from '../../src/random.js';
import { generateCell } from '../diagram/random-cells.js';

const T = 4;
const B = 3;

/** Per node id, its rows at every step as the observer copies them ([T·B·width], row-major). */
function observed(cell: CellGraph, sizes: Record<string, number>, seed: number) {
  const compiled = compile(cell, sizes, { dtype: 'float64', exact: true });
  const random = createRandom(seed);
  const params = compiled.initParams(random);
  const inputs: Record<string, Tensor> = Object.fromEntries(compiled.inputs.map((d) => [d.name, randn([T, B, ...d.shape], random)]));
  const initial: Record<string, Tensor> = Object.fromEntries(compiled.states.map((s) => [s.name, randn([B, ...s.shape], random)]));
  const noise: Record<string, Tensor> = Object.fromEntries(compiled.noises.map((d) => [d.name, randn([T, B, ...d.shape], random)]));
  const nodes = compiled.cell.nodes.filter((n) => n.kind !== 'param' && n.kind !== 'const');
  const width = (id: string) => compiled.cell.nodes.find((n) => n.id === id)!.shape.reduce<number>((a, d) => a * Number(d), 1);
  const copies = new Map(nodes.map((n) => [n.id, new Float64Array(T * B * width(n.id))]));
  compiled.forward(params, {
    inputs,
    initial,
    noise,
    observe: (t, copyRow) => {
      for (const [id, into] of copies) for (let b = 0; b < B; b++) copyRow(id, b, into, (t * B + b) * width(id));
    },
  });
  const run = (keepMemory = false) => compiled.forward(params, { inputs, initial, noise, record: nodes.map((n) => n.id), keepMemory }).recorded!;
  return { compiled, copies, run };
}

/** Equal to the bit (-0 and 0 apart, NaN equal to NaN). */
const same = (a: readonly number[] | undefined, b: readonly number[] | undefined): boolean => a !== undefined && b !== undefined && a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

/** The recorded values of every node as [T·B·width] arrays. */
function flatten(recorded: ReturnType<ReturnType<typeof observed>['run']>): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const [id, h] of recorded) {
    const values: number[] = [];
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let i = 0; i < h.width; i++) values.push(h.data[h.offset + t * h.tStride + b * h.rowStride + i]!);
    out.set(id, values);
  }
  return out;
}

describe('forward() with record', () => {
  const cells: [string, CellGraph][] = [
    ['lstm', loadCell('lstm')],
    ['gru', loadCell('gru')],
    ['vae-reparam', loadCell('vae-reparam')],
    ...Array.from({ length: 10 }, (_, k): [string, CellGraph] => [`generated ${700 + k}`, parseCell(generateCell(700 + k).text, { file: `g${700 + k}.cell` })]),
  ];

  afterEach(() => {
    useWasm(true);
  });

  for (const wasm of [true, false]) {
    it(`keeps every node at every step, equal to the observer's rows to the bit, and a second run leaves them as they were (${wasm ? 'WebAssembly kernels' : 'JavaScript loops'})`, () => {
      useWasm(wasm);
      const failures: string[] = [];
      cells.forEach(([name, cell], k) => {
        const sizes = Object.fromEntries(cell.dims.map((d) => [d, d === 'input' ? 4 : 8]));
        const { compiled, copies, run } = observed(cell, sizes, k + 1);
        const first = run();
        const firstValues = flatten(first);
        for (const [id, values] of copies) if (!same(firstValues.get(id), Array.from(values))) failures.push(`${name}: ${id}`);
        if (firstValues.size !== copies.size) failures.push(`${name}: ${firstValues.size} nodes recorded of ${copies.size}`);
        run();
        for (const [id, values] of flatten(first)) if (!same(values, firstValues.get(id))) failures.push(`${name}: ${id} changed by the next run`);
        // keepMemory: copies out of memory the schedule keeps and runs in again (the second
        // and third runs reuse the first's); each run's values stay as they were.
        const kept = [run(true), run(true), run(true)];
        kept.forEach((recorded, r) => {
          for (const [id, values] of flatten(recorded)) if (!same(values, firstValues.get(id))) failures.push(`${name}: ${id}, kept run ${r}`);
        });
        compiled.dispose();
      });
      expect(failures).toEqual([]);
    });
  }

  it("a recorded run's states and final states are the plain run's, to the bit, kept or handed over, after later runs too", () => {
    for (const [name, hidden] of [['lstm', 8], ['gru', 5]] as const) {
      const compiled = compile(loadCell(name), { input: 3, hidden }, { dtype: 'float64', exact: true });
      const random = createRandom(hidden);
      const params = compiled.initParams(random);
      // Two sequences taking turns, so a run sharing memory a later run writes would show.
      const values = [0, 1].map(() => ({ inputs: { x: randn([T, B, 3], random) }, initial: Object.fromEntries(compiled.states.map((s) => [s.name, randn([B, ...s.shape], random)])) }));
      const plains = values.map((v) => compiled.forward(params, v));
      const record = compiled.cell.nodes.filter((n) => n.kind !== 'param' && n.kind !== 'const').map((n) => n.id);
      const runs = [false, true, true, false, true].map((keepMemory, r) => compiled.forward(params, { ...values[r % 2]!, record, keepMemory }));
      for (const [r, run] of runs.entries()) {
        const plain = plains[r % 2]!;
        for (const s of compiled.states) {
          expect(same(Array.from(run.states[s.name]!.data), Array.from(plain.states[s.name]!.data)), `${name} run ${r}: ${s.name}`).toBe(true);
          expect(same(Array.from(run.final[s.name]!.data), Array.from(plain.final[s.name]!.data)), `${name} run ${r}: final ${s.name}`).toBe(true);
        }
      }
      compiled.dispose();
    }
  });

  it('refuses a node the cell does not have', () => {
    const sizes = { input: 2, hidden: 3 };
    const compiled = compile(loadCell('gru'), sizes, { dtype: 'float64' });
    const random = createRandom(1);
    const inputs = { x: randn([2, 1, 2], random) };
    expect(() => compiled.forward(compiled.initParams(random), { inputs, record: ['h', 'q'] })).toThrow("cell 'gru' has no node 'q' to record");
  });
});
