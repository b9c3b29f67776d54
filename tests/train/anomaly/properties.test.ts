// Generated cases (fast-check, seeded: a failure prints its seed and the shrunk counterexample)
// for the metrics, the NAB score and the series repairs, against facts computed here.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSeriesCsv } from '../../../src/io/series.js';
import { cleanSeries } from '../../../src/io/series-clean.js';
import { evaluate, nabScore, probationPeriod, referenceFlags, runsOf } from '../../../src/train/anomaly/index.js';

const bits = (min: number, max: number) => fc.array(fc.integer({ min: 0, max: 1 }), { minLength: min, maxLength: max });
const inUnit = (v: number) => Number.isNaN(v) || (v >= 0 && v <= 1);

describe('metrics on generated flags and labels', () => {
  it('every score lies in [0, 1]; counts are consistent; flagging everything has composite F1 2P/(1 + P)', () => {
    fc.assert(
      fc.property(bits(1, 80).chain((labels) => fc.tuple(fc.constant(labels), bits(labels.length, labels.length))), ([labels, flags]) => {
        const m = evaluate(flags, labels, { tolerance: 3 });
        for (const s of [m.points, m.composite, m.range]) for (const v of [s.precision, s.recall, s.f1]) expect(inUnit(v)).toBe(true);
        expect(m.events.detected).toBeLessThanOrEqual(m.events.labelled);
        expect(m.events.falsePositiveRuns).toBeLessThanOrEqual(m.events.runs);
        expect(m.events.delays.every((d) => d >= 0)).toBe(true);
        const windows = labels.filter((l, t) => l === 1 && labels[t - 1] !== 1).length;
        const all = evaluate(referenceFlags(labels.length, 0).everything, labels);
        const share = labels.filter((l) => l === 1).length / labels.length;
        if (windows > 0) expect(all.composite.f1).toBeCloseTo((2 * share) / (1 + share), 12);
        const perfect = evaluate(labels, labels);
        if (windows > 0) expect(perfect.range).toEqual({ precision: 1, recall: 1, f1: 1 });
      }),
      { seed: 13, numRuns: 300 },
    );
  });

  it('NAB: the first point of every scored window is 100, nothing is 0, anything else at most 100', () => {
    fc.assert(
      fc.property(bits(20, 120).chain((labels) => fc.tuple(fc.constant(labels), bits(labels.length, labels.length))), ([labels, flags]) => {
        const from = probationPeriod(labels.length);
        const windows = runsOf(labels).filter((w) => w.end > from);
        fc.pre(windows.length > 0 && windows.every((w) => w.start >= from));
        const firsts = labels.map((_, t) => (windows.some((w) => w.start === t) ? 1 : 0));
        expect(nabScore(firsts, labels).normalised).toBeCloseTo(100, 9);
        expect(nabScore(labels.map(() => 0), labels).normalised).toBe(0);
        expect(nabScore(flags, labels).normalised).toBeLessThanOrEqual(100 + 1e-9);
      }),
      { seed: 17, numRuns: 300 },
    );
  });
});

describe('series repairs on generated files', () => {
  it('shuffled times with repeats come out strictly increasing, each value the mean of its time\'s rows, lines from the file', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: -50, max: 50 })), { minLength: 1, maxLength: 40 }), (rows) => {
        const text = 't,value\n' + rows.map(([t, v]) => `${t},${v}`).join('\n') + '\n';
        const { series } = cleanSeries(decodeSeriesCsv(text, 'g.csv'));
        const times = series.timestamps!.map(Number);
        const expected = [...new Set(rows.map(([t]) => t))].sort((a, b) => a - b);
        expect(times).toEqual(expected);
        times.forEach((time, i) => {
          const group = rows.filter(([t]) => t === time).map(([, v]) => v);
          expect(series.values[i]).toBeCloseTo(group.reduce((a, b) => a + b, 0) / group.length, 9);
          // The line of the first row (in file order) with that time: rows start at line 2.
          expect(series.source.lines[i]).toBe(2 + rows.findIndex(([t]) => t === time));
        });
      }),
      { seed: 19, numRuns: 300 },
    );
  });

  it('interpolated missing values lie on the line between their known neighbours', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.integer({ min: -100, max: 100 }), { freq: 3 }), { minLength: 2, maxLength: 40 }), (cells) => {
        fc.pre(cells.some((c) => c !== null));
        const text = 't,value\n' + cells.map((c, t) => `${t},${c ?? ''}`).join('\n') + '\n';
        const { series } = cleanSeries(decodeSeriesCsv(text, 'g.csv', { missing: 'interpolate' }), { missing: 'interpolate' });
        const known = cells.flatMap((c, t) => (c === null ? [] : [t]));
        cells.forEach((c, t) => {
          if (c !== null) return expect(series.values[t]).toBe(c);
          const before = known.filter((k) => k < t).at(-1);
          const after = known.find((k) => k > t);
          const value = before === undefined ? cells[after!]! : after === undefined ? cells[before]! : cells[before]! + ((t - before) / (after - before)) * (cells[after]! - cells[before]!);
          expect(series.values[t]).toBeCloseTo(value, 9);
        });
      }),
      { seed: 23, numRuns: 300 },
    );
  });
});
