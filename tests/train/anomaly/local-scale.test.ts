// locallyStandardised: each error judged against the median and scaled MAD of the errors before
// it. Hand-worked windows, generated cases against a direct restatement with robustSpread
// (fast-check, seeded), the O(n) MAD against sorting the deviations, and the default detector
// on one nab-dev series (tests/fixtures/nab) against the bar of issue 13.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCell } from '../../../src/index.js';
import { readSeries } from '../../../src/io/series.js';
import { detect, LOCAL_SCALE_DEFAULT, LOCAL_SCALE_SLACK, locallyStandardised, medianAbsoluteDeviation, robustSpread, runsOf } from '../../../src/train/anomaly/index.js';

describe('locallyStandardised', () => {
  it('window 3, slack 1, by hand: [0, 1, 2, 10, 3] → the first 3 as they are; 10 against [0, 1, 2] (median 1, MAD 1) = 9/1.4826; 3 against [1, 2, 10] = 1/1.4826', () => {
    const r = locallyStandardised(Float64Array.from([0, 1, 2, 10, 3]), 1, 3, 1);
    expect(Array.from(r.slice(0, 3))).toEqual([0, 1, 2]);
    expect(r[3]!).toBeCloseTo(9 / 1.4826, 12);
    expect(r[4]!).toBeCloseTo(1 / 1.4826, 12);
  });

  it('default slack 1.5: [0, 2, 4, 20, 6] → 20 against [0, 2, 4] (median 2, MAD 2) = 18/(2.9652/1.5) = 9.105625; a spread of 1.4826 (MAD 1) is under the slack: 10 − 1 = 9', () => {
    expect(LOCAL_SCALE_SLACK).toBe(1.5);
    const r = locallyStandardised(Float64Array.from([0, 2, 4, 20, 6]), 1, 3);
    expect(r[3]!).toBeCloseTo(18 / (2 * 1.4826 / 1.5), 12);
    expect(r[3]!).toBeCloseTo(9.105625, 6);
    // 6 against [2, 4, 20]: median 4, MAD 2.
    expect(r[4]!).toBeCloseTo(2 / (2 * 1.4826 / 1.5), 12);
    expect(locallyStandardised(Float64Array.from([0, 1, 2, 10]), 1, 3)[3]!).toBeCloseTo(9, 12);
  });

  it('never narrows the scale below 1: against [0, 0.1, 0.2] (spread 0.148) 5 becomes 5 − 0.1; a shifted past is subtracted', () => {
    const r = locallyStandardised(Float64Array.from([0, 0.1, 0.2, 5]), 1, 3);
    expect(r[3]!).toBeCloseTo(4.9, 12);
    // A level shift of 4: once the window holds only shifted errors, 4.5 scores 0.5.
    const shifted = locallyStandardised(Float64Array.from([0, 0, 0, 4, 4, 4, 4, 4.5]), 1, 3);
    expect(shifted[3]!).toBeCloseTo(4, 12);
    expect(shifted[7]!).toBeCloseTo(0.5, 12);
  });

  it('channels are judged apart (step-major), and NaN steps are skipped in the past and kept NaN', () => {
    const z = Float64Array.from([Number.NaN, 7, 0, 7, 1, 7, 2, 7, 10, 9]);
    const r = locallyStandardised(z, 2, 3, 1);
    expect(Number.isNaN(r[0]!)).toBe(true);
    // Channel 0 at step 4: the past holds 0, 1, 2 (the NaN at step 0 left the window).
    expect(r[8]!).toBeCloseTo(9 / 1.4826, 12);
    // Channel 1: a constant past (MAD 0, scale floored at 1): 9 − 7.
    expect(r[9]!).toBeCloseTo(2, 12);
  });

  it('generated cases: equals (z − median)/max(1, 1.4826·MAD/slack) of the window before each step, computed directly', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.double({ min: -50, max: 50, noNaN: true }), fc.constant(Number.NaN)), { minLength: 1, maxLength: 80 }), fc.integer({ min: 1, max: 25 }), fc.constantFrom(1, 1.5, 3), (values, window, slack) => {
        const z = Float64Array.from(values);
        const got = locallyStandardised(z, 1, window, slack);
        values.forEach((v, t) => {
          const past = values.slice(Math.max(0, t - window), t).filter(Number.isFinite);
          if (!Number.isFinite(v) || past.length < Math.min(window, 10)) return expect(Object.is(got[t], v) || got[t] === v).toBe(true);
          const { median, spread } = robustSpread(past);
          expect(Math.abs(got[t]! - (v - median) / Math.max(1, spread / slack))).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(v)));
        });
      }),
      { seed: 41, numRuns: 200 },
    );
  });

  it('medianAbsoluteDeviation equals the median of the sorted deviations (even and odd counts, m inside and outside the sample)', () => {
    expect(medianAbsoluteDeviation([1, 2, 3, 4, 100], 3)).toBe(1);
    expect(medianAbsoluteDeviation([1, 2, 3, 4], 2.5)).toBe(1);
    expect(medianAbsoluteDeviation([1, 2, 3], 10)).toBe(8);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 40 }), fc.integer({ min: -1200, max: 1200 }), (xs, m) => {
        const sorted = xs.slice().sort((a, b) => a - b);
        const d = xs.map((x) => Math.abs(x - m)).sort((a, b) => a - b);
        const n = d.length;
        expect(medianAbsoluteDeviation(sorted, m)).toBe(n % 2 ? d[(n - 1) / 2] : (d[n / 2 - 1]! + d[n / 2]!) / 2);
      }),
      { seed: 43, numRuns: 300 },
    );
  });
});

describe('detect() option localScale', () => {
  it('refuses a negative or fractional window with the option named', () => {
    const series = { channels: ['v'], values: new Float64Array(300).map((_, t) => Math.sin(t / 5)), length: 300 };
    for (const localScale of [-1, 2.5]) {
      expect(() => detect(series, { cell: loadCell('rnn'), localScale })).toThrow(`--local-scale must be 0 (off) or a positive integer, found ${localScale}`);
    }
  });
});

describe('the default detector on a nab-dev series', () => {
  it('speed_7578 (a small rnn: hidden 8, 3 epochs): every labelled window of the scored half found, more than the z-score, with fewer false-positive runs', () => {
    const file = join(resolve(__dirname, '..', '..', 'fixtures', 'nab'), 'realTraffic__speed_7578.csv');
    // The windows in the scored half (from row ⌊n/2⌋ on), read from the label column here.
    const labels = readFileSync(file, 'utf8').trimEnd().split('\n').slice(1).map((row) => Number(row.split(',')[2]));
    const windows = runsOf(labels.map((l, t) => (t >= Math.floor(labels.length / 2) ? l : 0))).length;
    expect(windows).toBe(3);
    const d = detect(readSeries(file), { cell: loadCell('rnn'), hidden: 8, epochs: 3, seed: 1 });
    expect(d.model.localScale).toBe(LOCAL_SCALE_DEFAULT);
    const rnn = d.rnn.evaluation!.metrics;
    const z = d.baselines.find((b) => b.name === 'rolling z-score')!.evaluation!.metrics;
    expect([rnn.events.detected, rnn.events.labelled]).toEqual([windows, windows]);
    expect(rnn.events.detected).toBeGreaterThan(z.events.detected);
    expect(rnn.events.falsePositiveRuns).toBeLessThan(z.events.falsePositiveRuns);
    expect(rnn.composite.f1).toBeGreaterThan(Math.max(z.composite.f1, d.references!.everything.metrics.composite.f1));
  }, 60_000);
});
