// The level window chosen from the fit part (level.ts, levelDrift and levelWindowFor): the drift
// statistic against its white-noise value, by hand and on generated series; detect() reading the
// values on a clean sine and relative to the level on a wandering one; the choice saved with a model.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CELLS_DIR } from '../../../src/io/index.js';
import { loadCell } from '../../../src/index.js';
import { createRandom } from '../../../src/random.js';
import { detect, LEVEL_DRIFT_MIN, levelDrift, levelRelative, levelWindowFor, modelFromJson, modelToJson, synthSeries, type Series } from '../../../src/train/anomaly/index.js';

const sd = (v: readonly number[]) => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
};

describe('levelDrift', () => {
  it('by hand, window 2: sd of the medians of the 2 values before each step over sd of the rest', () => {
    // x = 1, 3, 2, 6, 4: steps 2..4 have medians 2, 2.5, 4 and rests 0, 3.5, 0.
    const x = Float64Array.of(1, 3, 2, 6, 4);
    expect(levelDrift(x, 1, 5, 2)).toBeCloseTo(sd([2, 2.5, 4]) / sd([0, 3.5, 0]), 12);
    // Only [0, fitEnd) counts: a wild value after it changes nothing.
    expect(levelDrift(Float64Array.of(1, 3, 2, 6, 4, 1e9), 1, 5, 2)).toBe(levelDrift(x, 1, 5, 2));
  });

  it('white noise: about 1.2533/√window (the sd of a median of n normal values, 1.2533/√n), on 8 seeds', () => {
    for (let seed = 1; seed <= 8; seed++) {
      const random = createRandom(seed);
      const x = Float64Array.from({ length: 4000 }, () => random.normal());
      // Over 3,800 steps the rolling median has some 19 independent windows: within 35%.
      expect(levelDrift(x, 1, 4000, 200) / (1.2533 / Math.sqrt(200)), `seed ${seed}`).toBeGreaterThan(0.65);
      expect(levelDrift(x, 1, 4000, 200) / (1.2533 / Math.sqrt(200)), `seed ${seed}`).toBeLessThan(1.35);
    }
  });

  it('the largest over channels; a clean sine is far below LEVEL_DRIFT_MIN, a random-walk level far above', () => {
    const random = createRandom(3);
    let level = 0;
    const T = 1500;
    const x = new Float64Array(2 * T);
    for (let t = 0; t < T; t++) {
      x[2 * t] = Math.sin((2 * Math.PI * t) / 40) + 0.05 * random.normal();
      x[2 * t + 1] = (level += 0.05 * random.normal()) + 0.3 * random.normal();
    }
    const sine = levelDrift(x.filter((_, i) => i % 2 === 0), 1, T, 200);
    const walk = levelDrift(x.filter((_, i) => i % 2 === 1), 1, T, 200);
    expect(sine).toBeLessThan(LEVEL_DRIFT_MIN);
    expect(walk).toBeGreaterThan(10 * LEVEL_DRIFT_MIN);
    expect(levelDrift(x, 2, T, 200)).toBe(walk);
    expect(levelWindowFor(x, 2, T)).toMatchObject({ window: 200, drift: walk });
  });

  it('undefined (NaN) when the input never leaves its level; levelWindowFor then reads the values', () => {
    const flat = new Float64Array(600).fill(2);
    expect(levelDrift(flat, 1, 600, 200)).toBeNaN();
    expect(levelWindowFor(flat, 1, 600)).toEqual({ window: 0, drift: Number.NaN });
  });

  it('hands on the fit part it read relative to the level, from which levelRelative goes on to the very values of a whole pass', () => {
    // Random-walk levels (so the window is chosen), 1 to 3 channels, missing inputs, any fit part.
    const bit = (v: number) => (Object.is(v, -0) ? '-0' : String(v));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 300, max: 900 }), fc.integer({ min: 0, max: 400 }), (seed, C, fitEnd, after) => {
        const random = createRandom(seed);
        const levels = new Float64Array(C);
        const x = Float64Array.from({ length: (fitEnd + after) * C }, (_, i) => (random.uniform(0, 1) < 0.02 ? Number.NaN : (levels[i % C] += random.normal()) + 0.3 * random.normal()));
        const choice = levelWindowFor(x, C, fitEnd);
        expect(choice.window).toBe(200);
        expect(Array.from(choice.fitRelative!.values, bit)).toEqual(Array.from(levelRelative(x.subarray(0, fitEnd * C), C, 200), bit));
        expect(Array.from(levelRelative(x, C, 200, choice.fitRelative), bit)).toEqual(Array.from(levelRelative(x, C, 200), bit));
      }),
      { seed: 89, numRuns: 20 },
    );
    // A part of another window or of more steps than the series cannot be gone on from.
    const random = createRandom(5);
    let level = 0;
    const x = Float64Array.from({ length: 600 }, () => (level += random.normal()));
    const part = levelWindowFor(x, 1, 600).fitRelative!;
    expect(() => levelRelative(x, 1, 100, part)).toThrow('a walk of window 200 stopped at step 600 of 1 channel(s) cannot go on over 600 steps of 1 with window 100');
    expect(() => levelRelative(x.subarray(0, 300), 1, 200, part)).toThrow('a walk of window 200 stopped at step 600 of 1 channel(s) cannot go on over 300 steps of 1 with window 200');
  });
});

describe('detect() without a level window', () => {
  const cell = loadCell('rnn');
  // Window 50, above the synthetic period of 40: a window below it would read the seasonal residual, which is noise.
  const small = { cell, hidden: 2, window: 50, epochs: 1, seed: 1 };

  it('reads the values on a synthetic series (a clean sine: drift 0.013 here), as --level-window 0 does, and says so', () => {
    const series = synthSeries({ seed: 1, kinds: ['flat'], length: 1600, count: 1 });
    const chosen = detect(series, small);
    expect(chosen.model.levelWindow).toBe(0);
    expect(chosen.levelDrift).toBeGreaterThan(0.01);
    expect(chosen.levelDrift).toBeLessThan(LEVEL_DRIFT_MIN);
    const values = detect(series, { ...small, levelWindow: 0 });
    expect(values.levelDrift).toBeUndefined();
    expect([...chosen.rnn.scores]).toEqual([...values.rnn.scores]);
  });

  it('reads relative to the level where it wanders, keeps the choice in a saved model, and takes 200 with the level alarm', () => {
    const random = createRandom(5);
    let level = 0;
    const values = Float64Array.from({ length: 1400 }, () => (level += 0.05 * random.normal()) + 0.3 * random.normal());
    const series: Series = { channels: ['value'], values, length: values.length };
    const chosen = detect(series, small);
    expect(chosen.model.levelWindow).toBe(200);
    expect(chosen.levelDrift).toBeGreaterThan(LEVEL_DRIFT_MIN);
    expect([...chosen.rnn.scores]).toEqual([...detect(series, { ...small, levelWindow: 200 }).rnn.scores]);
    const cellSource = { file: 'rnn.cell', text: readFileSync(`${CELLS_DIR}/rnn.cell`, 'utf8') };
    const sine = detect(synthSeries({ seed: 2, kinds: ['spike'], length: 1200, count: 1 }), small);
    expect(modelFromJson(modelToJson(sine.model, cellSource), 'm.json').model.levelWindow).toBe(0);
    expect(modelFromJson(modelToJson(chosen.model, cellSource), 'm.json').model.levelWindow).toBe(200);
    const alarm = detect(synthSeries({ seed: 2, kinds: ['spike'], length: 1200, count: 1 }), { ...small, levelAlarm: true });
    expect(alarm.model.levelWindow).toBe(200);
    expect(alarm.levelDrift).toBeUndefined();
  });
});
