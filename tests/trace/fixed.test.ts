// The table's number formatting (src/trace/fixed.ts) against Number.prototype.toFixed, and the
// table (formatTable, written as bytes) against the plain string formatter it replaced, here
// as the reference: generated numbers (ties and their float64 neighbours, every range,
// NaN, ±0, ±Infinity) and generated traces (widths, batches, digits, names, empty rows).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixedDigits } from '../../src/trace/fixed.js';
import { formatTable, type Trace } from '../../src/trace/index.js';
import { referenceTable } from './reference-table.js';

const SEED = 19;

/** The float64 `steps` ulps after (or before) v. */
function neighbour(v: number, steps: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  view.setBigInt64(0, view.getBigInt64(0) + BigInt(steps));
  return view.getFloat64(0);
}

/** Numbers toFixed finds hard: near a tie of `digits` places, near 2^52 / 10^digits, and any double. */
const hardNumber = (digits: number) =>
  fc.oneof(
    fc.double(),
    fc.double({ min: -10, max: 10 }),
    fc.tuple(fc.integer({ min: -2e6, max: 2e6 }), fc.integer({ min: -3, max: 3 })).map(([k, ulps]) => neighbour((k + 0.5) / 10 ** digits, ulps)),
    fc.tuple(fc.double({ min: 0.5, max: 1 }), fc.boolean()).map(([f, negative]) => (negative ? -1 : 1) * f * (2 ** 52 / 10 ** digits)),
    fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 1e21, -1e21, 0.5, -0.5, 1.5, 2.5, 1.005, 0.000049999, -0.00001, Number.MAX_VALUE, Number.MIN_VALUE),
  );

describe('fixedDigits: toFixed as bytes', () => {
  it('gives toFixed(digits) for every generated number and digits 0 to 17', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 17 }).chain((digits) => fc.tuple(fc.constant(digits), fc.array(hardNumber(digits), { minLength: 1, maxLength: 40 }))),
        ([digits, numbers]) => {
          const fixed = fixedDigits(digits);
          const wrong = numbers.filter((v) => fixed.format(v) !== v.toFixed(digits) || fixed.length(v) !== v.toFixed(digits).length);
          expect(wrong.map((v) => [v, fixed.format(v), v.toFixed(digits)])).toEqual([]);
        },
      ),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it('writeCells writes each number as toFixed(digits), right-aligned in its cell, -0 as 0 (digits 0 to 17)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 17 }).chain((digits) => fc.tuple(fc.constant(digits), fc.array(hardNumber(digits), { minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 3 }))),
        ([digits, numbers, from]) => {
          const texts = numbers.map((v) => (Object.is(v, -0) ? 0 : v).toFixed(digits));
          const cell = Math.max(...texts.map((t) => t.length)) + 2;
          const bytes = new Uint8Array(3 + numbers.length * cell).fill(32);
          const data = Float64Array.from([...new Array<number>(from).fill(7), ...numbers]);
          const end = fixedDigits(digits).writeCells(bytes, 3, data, from, numbers.length, cell);
          expect(end).toBe(3 + numbers.length * cell);
          expect(new TextDecoder().decode(bytes)).toBe(' '.repeat(3) + texts.map((t) => t.padStart(cell)).join(''));
        },
      ),
      { seed: SEED, numRuns: 600 },
    );
  });

  it('rounds exact ties of the binary value half away from zero, as toFixed does', () => {
    // 0.125 and 2.5 are exact in binary: true ties. 1.005 is 1.00499999999999989…: down.
    const cases: [number, number, string][] = [[0.125, 2, '0.13'], [-0.125, 2, '-0.13'], [2.5, 0, '3'], [-2.5, 0, '-3'], [1.005, 2, '1.00'], [-0.00001, 4, '-0.0000']];
    expect(cases.map(([v, digits]) => fixedDigits(digits).format(v))).toEqual(cases.map(([, , text]) => text));
  });
});

/** A trace of nodes with generated names, widths (0 included) and values, over 1–4 steps and 1–3 batch elements. */
const traceArbitrary = fc
  .record({
    steps: fc.integer({ min: 1, max: 4 }),
    batch: fc.integer({ min: 1, max: 3 }),
    digits: fc.integer({ min: 0, max: 8 }),
    nodes: fc.uniqueArray(fc.record({ name: fc.oneof(fc.stringMatching(/^[a-z][a-z0-9_.]{0,11}$/), fc.constantFrom('σ', 'h_prev', 'gate·z')), width: fc.integer({ min: 0, max: 5 }) }), { minLength: 1, maxLength: 4, selector: (n) => n.name }),
  })
  .chain((shape) =>
    fc
      .array(hardNumber(shape.digits), { minLength: shape.steps * shape.batch * shape.nodes.reduce((n, d) => n + d.width, 0), maxLength: shape.steps * shape.batch * shape.nodes.reduce((n, d) => n + d.width, 0) })
      .map((values) => {
        let next = 0;
        const steps = Array.from({ length: shape.steps }, (_, t) => {
          const nodes = Object.fromEntries(shape.nodes.map((d) => [d.name, Array.from({ length: shape.batch }, () => Array.from({ length: d.width }, () => values[next++]!))]));
          return { t, values: {}, nodes };
        });
        const trace = { cell: 'generated', sizes: { hidden: 2, batch: shape.batch }, steps, final: {}, weights: new Map(), evaluator: 'engine' } as unknown as Trace;
        return { trace, names: shape.nodes.map((d) => d.name), digits: shape.digits };
      }),
  );

describe('formatTable: the bytes the string formatter gave', () => {
  it('matches the reference on generated traces', () => {
    fc.assert(
      fc.property(traceArbitrary, ({ trace, names, digits }) => {
        expect(formatTable(trace, { nodes: names, digits })).toBe(referenceTable(trace, names, digits));
      }),
      { seed: SEED, numRuns: 400 },
    );
  });
});
