// The table of a trace the engine made, which reads its numbers straight from the engine's
// float64 history (src/trace/table.ts), against the string reference (reference-table.ts) on
// the same numbers read as arrays: shipped cells (noise, x_prev and peepholes included) and
// generated cells, batch 2, every node; a step whose arrays a caller changed; and an engine
// step's records against the mathjs evaluator's plain objects of the same values.
import { describe, expect, it } from 'vitest';
import { loadCell, parseCell, type CellGraph } from '../../src/index.js';
import { createRandom } from '../../src/random.js';
import { formatTable, trace } from '../../src/trace/index.js';
import { engineValues } from '../../src/trace/engine-run.js';
import { generateCell, generateWeights } from '../diagram/random-cells.js';
import { referenceTable } from './reference-table.js';

const GENERATED = 12;

/** An engine trace of 3 steps, batch 2, with inputs drawn from `seed` (|x| up to 40, so some columns widen). */
function engineTrace(cell: CellGraph, seed: number, weights?: Record<string, number[] | number[][]>) {
  const sizes = Object.fromEntries(cell.dims.map((d) => [d, d === 'input' ? 2 : 3]));
  const random = createRandom(seed);
  const features = cell.inputs.reduce((n, d) => n + d.shape.reduce<number>((a, s) => a * (typeof s === 'number' ? s : sizes[s]!), 1), 0);
  const inputs = Array.from({ length: 3 }, (_, t) => Array.from({ length: 2 }, () => Array.from({ length: features }, () => random.uniform(-1, 1) * (t === 2 ? 40 : 1))));
  const result = trace(cell, weights, inputs, { sizes, seed, evaluator: 'engine' });
  expect(result.evaluator).toBe('engine');
  return result;
}

describe('formatTable on an engine trace', () => {
  it(`gives the reference's bytes for every node of the shipped cells and ${GENERATED} generated cells (digits 0, 4, 9)`, () => {
    const cells: [CellGraph, Record<string, number[] | number[][]> | undefined][] = [
      ...['gru', 'lstm', 'lstm-peephole', 'qrnn', 'vae-reparam', 'antisymmetric'].map((name): [CellGraph, undefined] => [loadCell(name), undefined]),
      ...Array.from({ length: GENERATED }, (_, k): [CellGraph, Record<string, number[] | number[][]>] => {
        const generated = generateCell(900 + k);
        return [parseCell(generated.text, { file: `generated-${900 + k}.cell` }), generateWeights(generated, { input: 2, hidden: 3 }, createRandom(k))];
      }),
    ];
    const failures: string[] = [];
    cells.forEach(([cell, weights], k) => {
      const result = engineTrace(cell, 40 + k, weights);
      const names = Object.keys(result.steps[0]!.nodes);
      // The tables first: reading the arrays (as the reference does) makes them the step's values.
      const tables = [0, 4, 9].map((digits) => [digits, formatTable(result, { nodes: 'all', digits })] as const);
      for (const [digits, table] of tables) if (table !== referenceTable(result, names, digits)) failures.push(`${cell.name}, digits ${digits}`);
    });
    expect(failures).toEqual([]);
  });

  it("prints a caller's change to a step's arrays (the arrays, once made, are the step's values)", () => {
    const result = engineTrace(loadCell('gru'), 7);
    const before = formatTable(result, { nodes: ['h'] });
    result.steps[1]!.nodes['h']![1]![2] = -12.5;
    const after = formatTable(result, { nodes: ['h'] });
    expect(after).not.toBe(before);
    expect(after).toBe(referenceTable(result, ['h'], 4));
    expect(after).toContain('-12.5000');
  });

  it("an engine step's nodes and values behave as the mathjs evaluator's plain objects (keys, JSON, in, writes refused); only the engine's nodes hand out its values", () => {
    const cell = loadCell('lstm');
    const inputs = [[[0.5, -1], [1, 0.25]], [[0, 2], [-0.75, 0.5]]];
    const [engine, mathjs] = (['engine', 'mathjs'] as const).map((evaluator) => trace(cell, undefined, inputs, { sizes: { hidden: 3 }, seed: 2, evaluator }));
    for (let t = 0; t < 2; t++) {
      const [e, m] = [engine!.steps[t]!, mathjs!.steps[t]!];
      // The two evaluators agree to the bit on the LSTM, so the JSON texts are equal.
      expect(Object.keys(e.nodes)).toEqual(Object.keys(m.nodes));
      expect(JSON.stringify(e.nodes)).toBe(JSON.stringify(m.nodes));
      expect(Object.entries(e.values)).toEqual(Object.entries(m.values));
      expect(['h' in e.nodes, 'nothing' in e.nodes, e.nodes['nothing']]).toEqual([true, false, undefined]);
      expect(() => {
        (e.values as Record<string, unknown>)['h'] = [];
      }).toThrow(TypeError);
      expect([engineValues(m.nodes), engineValues(e.values)]).toEqual([undefined, undefined]);
    }
    // A fresh engine trace: h at step 0 is read where the engine wrote it until its arrays are
    // made (the last step's states already are: the trace's `final` holds them).
    const fresh = trace(cell, undefined, inputs, { sizes: { hidden: 3 }, seed: 2, evaluator: 'engine' });
    const valuesOf = engineValues(fresh.steps[0]!.nodes)!;
    const h = valuesOf('h')!;
    expect(Array.from(h.data.subarray(h.start + h.rowStride, h.start + h.rowStride + h.width))).toEqual(mathjs!.steps[0]!.values['h']![1]);
    expect([valuesOf('nothing'), engineValues(fresh.steps[1]!.nodes)!('h')]).toEqual([undefined, undefined]);
    void fresh.steps[0]!.nodes['h'];
    expect(engineValues(fresh.steps[0]!.nodes)!('h')).toBeUndefined();
  });
});
