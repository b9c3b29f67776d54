// localiseRuns: a flagged run trimmed to the span of its points whose own score exceeds the
// threshold. Hand-worked cases (a spike smeared by 5-step smoothing, a sustained anomaly, a run
// with no exceeding point), generated cases against a direct restatement of the rule (fast-check,
// seeded), and detect() on a short series with one spike.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCell } from '../../../src/index.js';
import { detect, flag, localiseRuns, runsOf } from '../../../src/train/anomaly/index.js';
import { createRandom } from '../../../src/random.js';
import { expectClose } from '../../expect.js';

describe('localiseRuns', () => {
  it('a spike at step 3 (and its echo at 4, predicted from it) that 5-step smoothing keeps above 2 for steps 4..7 is trimmed to step 4', () => {
    // Squared point scores 0.25, 0.25, 0.25, 36, 16, 0.25, ... averaged over 5: sqrt(36.75 / 5) = 2.71 at step 3.
    const points = [0.5, 0.5, 0.5, 6, 4, 0.5, 0.5, 0.5, 0.5, 0.5];
    const smoothed = points.map((_, t) => (t < 4 ? Number.NaN : Math.sqrt(points.slice(t - 4, t + 1).reduce((a, p) => a + p * p, 0) / 5)));
    const flags = flag(smoothed, 2);
    expect(Array.from(flags)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 0, 0]);
    // The smoothed run starts at 4 (the first full average), so only step 4 of the two stays.
    expect(Array.from(localiseRuns(flags, points, 2))).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 0]);
  });

  it('keeps one run from the first to the last exceeding point, dips below the threshold included', () => {
    const flags = Uint8Array.from([0, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0]);
    const points = [9, 1, 3, 1, 3, 1, 1, 9, 1, 1, 9];
    expect(Array.from(localiseRuns(flags, points, 2))).toEqual([0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0]);
  });

  it('a run with no exceeding point (visible only on average) is kept whole; NaN scores never exceed', () => {
    const flags = Uint8Array.from([1, 1, 1, 0, 1]);
    expect(Array.from(localiseRuns(flags, [1.9, 1.9, Number.NaN, 5, Number.NaN], 2))).toEqual([1, 1, 1, 0, 1]);
  });

  it('generated cases: the result is the rule restated run by run, never adds a flag and never adds a run', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.double({ min: 0, max: 4, noNaN: true })), { minLength: 1, maxLength: 60 }), (cells) => {
        const flags = Uint8Array.from(cells.map(([f]) => (f ? 1 : 0)));
        const points = cells.map(([, p]) => p);
        const got = localiseRuns(flags, points, 2);
        const expected = new Uint8Array(flags.length);
        for (const run of runsOf(flags)) {
          const over = Array.from({ length: run.end - run.start }, (_, k) => run.start + k).filter((t) => points[t]! > 2);
          const [from, to] = over.length ? [over[0]!, over[over.length - 1]! + 1] : [run.start, run.end];
          expected.fill(1, from, to);
        }
        expect(Array.from(got)).toEqual(Array.from(expected));
        expect(got.every((f, t) => f <= flags[t]!)).toBe(true);
        expect(runsOf(got).length).toBe(runsOf(flags).length);
      }),
      { seed: 29, numRuns: 300 },
    );
  });
});

describe('detect() with localise', () => {
  it('a 6-unit spike in a noisy sine: the smoothed run 450..454 is trimmed, the scores are unchanged, and pointScores are what the 5-step score averages', () => {
    const random = createRandom(5);
    const length = 600;
    const values = Float64Array.from({ length }, (_, t) => Math.sin((2 * Math.PI * t) / 25) + 0.05 * random.normal());
    values[450] = values[450]! + 6;
    const labels = new Uint8Array(length);
    labels.fill(1, 440, 470);
    const series = { channels: ['v'], values, length, labels };
    const options = { cell: loadCell('rnn'), hidden: 8, window: 20, epochs: 3, seed: 1 };
    const smeared = detect(series, { ...options, localise: false });
    const localised = detect(series, { ...options, localise: true });
    const points = smeared.rnn.pointScores!;
    const spikeRun = (d: typeof smeared) => runsOf(d.rnn.flagged).find((r) => r.start <= 450 && 450 < r.end);
    expect(spikeRun(smeared)).toEqual({ start: 450, end: 455 });
    // Steps 451 and 452 are predicted well again (their own scores lie below the threshold).
    expect(points[450]!).toBeGreaterThan(50 * smeared.rnn.threshold);
    expect(Math.max(points[451]!, points[452]!)).toBeLessThan(smeared.rnn.threshold);
    expect(spikeRun(localised)!.start).toBe(450);
    expect(spikeRun(localised)!.end).toBeLessThan(455);
    expect(Array.from(localised.rnn.flagged)).toEqual(Array.from(localiseRuns(smeared.rnn.flagged, points, smeared.rnn.threshold)));
    expect(localised.rnn.scores).toEqual(smeared.rnn.scores);
    const averaged = Array.from(points, (_, t) => (t < 24 ? Number.NaN : Math.sqrt(points.slice(t - 4, t + 1).reduce((a, p) => a + p * p, 0) / 5)));
    expectClose(smeared.rnn.scores.slice(24), averaged.slice(24), { rtol: 1e-12 }, 'scores from pointScores');
  }, 60_000); // two detector trainings (3 epochs each), as localise must not change them: 4-4.5 s alone on an idle machine
});
