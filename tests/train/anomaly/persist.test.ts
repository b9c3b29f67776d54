// persistentRuns: flagged runs shorter than minRun steps are dropped. Hand-worked cases, generated
// cases against a direct restatement of the rule (fast-check, seeded), and detect(): the rnn's runs
// are dropped before localising, the baselines' are not, and a bad minRun names --min-run.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCell } from '../../../src/index.js';
import { detect, flag, MIN_RUN_DEFAULT, minRunFor, persistentRuns, runsOf } from '../../../src/train/anomaly/index.js';
import { createRandom } from '../../../src/random.js';

describe('persistentRuns', () => {
  it('drops the runs of 1 step and keeps those of 2 and more (minRun 2), at the ends of the array too', () => {
    const flags = Uint8Array.from([1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0, 1]);
    expect(Array.from(persistentRuns(flags, 2))).toEqual([0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0]);
    expect(Array.from(persistentRuns(flags, 3))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0]);
    expect(Array.from(persistentRuns(flags, 1))).toEqual(Array.from(flags));
    expect(flags[0]).toBe(1); // the input is not changed
  });

  it('a 6-unit spike smeared over 5 steps by the 5-step average persists; one step grazing the threshold does not', () => {
    // Point scores 0.5, a spike of 6 at step 6, 1.9 at steps 14..17, 2.6 at 18 and 1.0 at 19. Averaged over 5 steps:
    // steps 6..10: sqrt((36 + 4·0.25) / 5) = 2.72; step 17: sqrt((0.25 + 4·3.61) / 5) = 1.71;
    // step 18: sqrt((4·3.61 + 6.76) / 5) = 2.06; step 19: sqrt((3·3.61 + 6.76 + 1) / 5) = 1.93.
    const points = Array.from({ length: 26 }, (_, t) => (t === 6 ? 6 : t >= 14 && t <= 17 ? 1.9 : t === 18 ? 2.6 : t === 19 ? 1 : 0.5));
    const smoothed = points.map((_, t) => (t < 4 ? Number.NaN : Math.sqrt(points.slice(t - 4, t + 1).reduce((a, p) => a + p * p, 0) / 5)));
    const flags = flag(smoothed, 2);
    expect(runsOf(flags)).toEqual([{ start: 6, end: 11 }, { start: 18, end: 19 }]);
    expect(runsOf(persistentRuns(flags, 2))).toEqual([{ start: 6, end: 11 }]);
    expect(runsOf(persistentRuns(flags, 5))).toEqual([{ start: 6, end: 11 }]);
    expect(runsOf(persistentRuns(flags, 6))).toEqual([]);
  });

  it('the default is 2 steps, but 1 when scores are not averaged (smooth 1: a spike is one step); a given minRun is kept', () => {
    expect([minRunFor(5), minRunFor(2), minRunFor(1), minRunFor(5, 4), minRunFor(1, 3), minRunFor(5, 1)]).toEqual([2, 2, 1, 4, 3, 1]);
  });

  it('refuses a minRun that is not a positive integer', () => {
    expect(() => persistentRuns(new Uint8Array(3), 0)).toThrow('the shortest flagged run must be a positive integer, got 0');
    expect(() => persistentRuns(new Uint8Array(3), 1.5)).toThrow('the shortest flagged run must be a positive integer, got 1.5');
  });

  it('generated cases: the rule restated run by run; never adds a flag; keeps every run of minRun or more whole', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 6 }), (cells, minRun) => {
        const flags = Uint8Array.from(cells.map((f) => (f ? 1 : 0)));
        const got = persistentRuns(flags, minRun);
        const expected = new Uint8Array(flags.length);
        let t = 0;
        while (t < flags.length) {
          let end = t;
          while (end < flags.length && flags[end] === flags[t]) end++;
          if (flags[t] === 1 && end - t >= minRun) expected.fill(1, t, end);
          t = end;
        }
        expect(Array.from(got)).toEqual(Array.from(expected));
        expect(got.every((f, k) => f <= flags[k]!)).toBe(true);
      }),
      { seed: 31, numRuns: 300 },
    );
  });
});

describe('detect() with minRun', () => {
  const random = createRandom(7);
  const length = 600;
  const values = Float64Array.from({ length }, (_, t) => Math.sin((2 * Math.PI * t) / 25) + 0.1 * random.normal());
  values[450] = values[450]! + 6;
  const labels = new Uint8Array(length);
  labels.fill(1, 440, 470);
  const series = { channels: ['v'], values, length, labels };
  // The values themselves as input (levelWindow 0): read relative to their recent level, this series leaves no short run to drop.
  const options = { cell: loadCell('rnn'), hidden: 8, window: 20, epochs: 3, seed: 1, localise: false, levelWindow: 0 };

  it(`default ${MIN_RUN_DEFAULT}: the rnn's flags are those of minRun 1 without the short runs; the spike's run stays; the baselines are not filtered`, () => {
    const every = detect(series, { ...options, minRun: 1 });
    const kept = detect(series, options);
    expect(MIN_RUN_DEFAULT).toBe(2);
    expect(Array.from(kept.rnn.flagged)).toEqual(Array.from(persistentRuns(every.rnn.flagged, 2)));
    expect(kept.rnn.scores).toEqual(every.rnn.scores);
    // The one-step run at 570 goes; the spike's run (450..454) and two 2-step runs stay.
    expect(runsOf(every.rnn.flagged)).toEqual([{ start: 450, end: 455 }, { start: 518, end: 520 }, { start: 570, end: 571 }, { start: 572, end: 574 }]);
    expect(runsOf(kept.rnn.flagged)).toEqual([{ start: 450, end: 455 }, { start: 518, end: 520 }, { start: 572, end: 574 }]);
    expect(kept.baselines.map((b) => Array.from(b.flagged))).toEqual(every.baselines.map((b) => Array.from(b.flagged)));
  });

  it('refuses a minRun of 0 naming --min-run', () => {
    expect(() => detect(series, { ...options, minRun: 0 })).toThrow('--min-run must be a positive integer, found 0');
  });
});
