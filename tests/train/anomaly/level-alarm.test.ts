// The level alarm (level.ts): alarms, resolution and threshold by hand; detect() on generated slow
// ramps (random length and slope, continuous or rounded to integers as CPU percentages are) must
// flag the ramp and raise no level alarm before it; a saved model keeps the alarm's threshold; the
// report names the alarms.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCell } from '../../../src/index.js';
import { detect, detectionSummary, formatMetrics, levelAlarms, levelAlarmThreshold, levelChannel, levelQuantum, levelRelative, modelFromJson, modelToJson, LEVEL_MARGIN, MIN_LEVEL_THRESHOLD } from '../../../src/train/anomaly/index.js';
import { createRandom } from '../../../src/random.js';
import { CELLS_DIR } from '../../../src/io/index.js';

describe('levelAlarms', () => {
  it('by hand: the first step of each run above the threshold of at least minRun steps, re-armed after `rearm` quiet steps', () => {
    // Above 1 at steps 2-4, 6, 9-10, 16-17; NaN is never above.
    const s = [0, 0, 2, 3, 2, 0, 5, 0, 0, 2, 2, 0, 0, 0, 0, Number.NaN, 4, 4];
    const steps = (a: Uint8Array) => [...a.keys()].filter((t) => a[t]);
    // minRun 2, no re-arm: runs 2-4, 9-10, 16-17 (step 6 alone is too short).
    expect(steps(levelAlarms(s, 1, 2, 0))).toEqual([2, 9, 16]);
    // Re-arm 4: 9 follows the run ending at 6 by 2 quiet steps (7, 8), 16 follows 10 by 5 (11-15).
    expect(steps(levelAlarms(s, 1, 2, 4))).toEqual([2, 16]);
    // The too-short run at 6 still counts as above: with re-arm 3, 9 is 2 steps after it.
    expect(steps(levelAlarms(s, 1, 2, 3))).toEqual([2, 16]);
    // minRun 1: step 6 alarms after 1 quiet step (5), not after 2.
    expect(steps(levelAlarms(s, 1, 1, 1))).toEqual([2, 6, 9, 16]);
    expect(steps(levelAlarms(s, 1, 1, 2))).toEqual([2, 9, 16]);
  });
});

describe('levelQuantum and levelAlarmThreshold', () => {
  it('the smallest gap between distinct fit-part values, the largest over channels over √C; 0 for one distinct value', () => {
    // Channel 0: 0.5, 2, 1, 2 → gaps 0.5, 1; channel 1: 3, 3.25, 10, 3 → gaps 0.25, 6.75. Step 4 is outside the fit part.
    const x = Float64Array.of(0.5, 3, 2, 3.25, 1, 10, 2, 3, 1.9, 3.01);
    expect(levelQuantum(x, 2, 4)).toBeCloseTo(0.5 / Math.SQRT2, 15);
    expect(levelQuantum(Float64Array.of(4, 4, 4), 1, 3)).toBe(0);
    // Integers standardised by a spread of 0.6: a gap of 1/0.6.
    expect(levelQuantum(Float64Array.from([2, 3, 2, 1, 2], (v) => (v - 2) / 0.6), 1, 5)).toBeCloseTo(1 / 0.6, 12);
  });

  it('the margin times the larger of the tail threshold and the quantum, at least the minimum', () => {
    expect([LEVEL_MARGIN, MIN_LEVEL_THRESHOLD]).toEqual([1.5, 1]);
    expect(levelAlarmThreshold(2, 0.1)).toBeCloseTo(3, 15);
    expect(levelAlarmThreshold(0, 1 / 0.6)).toBeCloseTo(2.5, 12);
    expect(levelAlarmThreshold(0.2, 0)).toBe(1);
  });
});

/**
 * White noise about a flat level, then a ramp climbing `climb` over `length` steps, then flat at the top: noise sd 1, or
 * 0.5 and rounded to integers (as real-like aws-cpu: a climb of 10–20 over 150–300 steps).
 */
function rampSeries(seed: number, start: number, length: number, climb: number, rounded: boolean) {
  const random = createRandom(seed);
  const T = start + length + 200;
  const values = Float64Array.from({ length: T }, (_, t) => {
    const v = 10 + climb * Math.min(1, Math.max(0, (t - start) / length)) + (rounded ? 0.5 : 1) * random.normal();
    return rounded ? Math.round(v) : v;
  });
  return { channels: ['value'], values, length: T };
}

describe('levelChannel from level-relative inputs already computed (the predictor\'s, prepare.ts)', () => {
  it('gives the scores, threshold and alarms of computing them afresh, and reads what it is given', () => {
    const bits = (v: Float64Array) => Array.from(v, (x) => (Object.is(x, -0) ? '-0' : String(x)));
    for (const seed of [1, 2, 3]) {
      const random = createRandom(seed);
      let level = 0;
      const train = Float64Array.from({ length: 1200 }, (_, i) => (level += (i % 2 ? 0.1 : 0.05) * random.normal()) + (random.uniform(0, 1) < 0.01 ? Number.NaN : random.normal()));
      const scored = train.map((v, i) => v + (i > 900 ? (i - 900) / 20 : 0));
      const C = 2;
      const threshold = (s: Float64Array) => Math.max(...s.filter(Number.isFinite).slice(0, 300));
      const fresh = levelChannel({ train, scored, C, fitEnd: 360 }, 200, 2, threshold);
      const given = levelChannel({ train, scored, C, fitEnd: 360, relative: { train: levelRelative(train, C, 200), scored: levelRelative(scored, C, 200) } }, 200, 2, threshold);
      expect(bits(given.scores), `seed ${seed}`).toEqual(bits(fresh.scores));
      expect([given.threshold, ...given.alarms]).toEqual([fresh.threshold, ...fresh.alarms]);
    }
    // Zeros in place of the relative inputs: every departure that is defined is 0.
    const x = Float64Array.from({ length: 600 }, (_, i) => Math.sin(i / 9) * 5);
    const zeros = levelChannel({ train: x, scored: x, C: 1, fitEnd: 300, relative: { train: new Float64Array(600), scored: new Float64Array(600) } }, 200, 2, () => 1);
    expect(zeros.scores.filter(Number.isFinite)).toEqual(new Float64Array(600 - 224));
  });
});

describe('detect() with the level alarm, on generated slow ramps', () => {
  it('a climb of 10–20 noise sd (20–40 when rounded) over 150–300 steps: flags each ramp between its start and 100 steps after its end, with no level alarm before it; a saved model keeps the threshold', () => {
    const cell = loadCell('rnn');
    let saved = false;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 150, max: 300 }), fc.double({ min: 10, max: 20, noNaN: true }), fc.boolean(), (seed, length, climb, rounded) => {
        const start = 800 + (seed % 100);
        const series = rampSeries(seed, start, length, climb, rounded);
        const result = detect(series, { cell, hidden: 4, window: 10, epochs: 1, seed: 1, levelAlarm: true });
        const alarms = [...result.level!.alarms.keys()].filter((t) => result.level!.alarms[t] && t >= result.regions.evaluateFrom);
        expect(alarms.length).toBeGreaterThan(0);
        expect(alarms.every((t) => t >= start && t < start + length + 100)).toBe(true);
        expect(alarms.every((t) => result.rnn.flagged[t] === 1)).toBe(true);
        if (!saved) {
          // The model file carries the alarm's threshold, and the same scores come back from it.
          saved = true;
          const text = readFileSync(`${CELLS_DIR}/rnn.cell`, 'utf8');
          const { model } = modelFromJson(modelToJson(result.model, { file: 'rnn.cell', text }), 'm.json');
          expect(model.levelThreshold).toBe(result.model.levelThreshold);
          const again = detect(series, { cell, model });
          expect(Array.from(again.level!.alarms)).toEqual(Array.from(result.level!.alarms));
          // The report names the alarms' steps and threshold (report.json and the printed table).
          const summary = detectionSummary(result, {}) as { levelAlarm: { steps: number[]; threshold: number } };
          expect(summary.levelAlarm.steps).toEqual(alarms);
          // report.json writes 6 significant digits.
          expect(summary.levelAlarm.threshold).toBeCloseTo(result.level!.threshold, 4);
          const line = `level alarms (counted among the rnn's flags; the level left the median of the 200 steps before it, threshold ${result.level!.threshold.toFixed(3)}): step${alarms.length > 1 ? 's' : ''} ${alarms.join(', ')}`;
          expect(formatMetrics(result)).toContain(line);
        }
      }),
      { seed: 2026, numRuns: 4, endOnFailure: true },
    );
    // Four trainings and a rescoring: about 1.5 s on an idle machine; the shared machine under load takes several times that.
  }, 60_000);
});

describe('detect() refuses or explains a level alarm it cannot give', () => {
  const series = rampSeries(3, 300, 150, 15, false);
  const cell = loadCell('rnn');
  it('with --level-window 0: an InputError naming both options', () => {
    expect(() => detect(series, { cell, hidden: 2, window: 10, epochs: 1, levelAlarm: true, levelWindow: 0 })).toThrow('--level-alarm reads the level against the level window; it cannot be used with --level-window 0');
  });
  it('with too short a normal part: a warning with the steps, and no level channel', () => {
    // 400 points: the normal part ends at 200, before the first departure (200 + 25 − 1 = 224).
    const short = { ...series, values: series.values.slice(0, 400), length: 400 };
    const warnings: string[] = [];
    const result = detect(short, { cell, hidden: 2, window: 10, epochs: 1, levelAlarm: true, warn: (m) => warnings.push(m) });
    expect(result.level).toBeUndefined();
    expect(warnings).toContain('the level alarm is off: its threshold needs 50 normal steps after the first 224, and the normal part ends at step 200');
  });
});
