import { describe, expect, it } from 'vitest';
import { loadCell } from '../../../src/index.js';
import { burstMask, detect, errorFloors, formatMetrics, MIN_RNN_THRESHOLD, synthSeries } from '../../../src/train/anomaly/index.js';

const small = { cell: loadCell('rnn'), hidden: 6, window: 20, epochs: 4, lr: 0.01, seed: 1, smooth: 1 };

describe('robust fitting', () => {
  it('replaces the fit-part points the first fit cannot predict, refits, and keeps the error scale from the rest', () => {
    const base = synthSeries({ seed: 4, length: 1000, period: 20, count: 1, kinds: ['spike'] });
    // Five labelled spikes of +8 in the fit part (the first 300 points), irregularly spaced: spikes
    // every 50 steps would repeat with the period 100 (a multiple of the signal's 20) and be
    // taken for a season longer than the window (seasonal.ts).
    const spikes = [60, 115, 160, 230, 265];
    const values = base.values.map((v, t) => (spikes.includes(t) ? v + 8 : v));
    const labels = base.labels!.map((l, t) => (spikes.includes(t) ? 1 : l));
    const series = { ...base, values, labels };
    const robust = detect(series, small);
    const plain = detect(series, { ...small, robustFit: false });
    expect(robust.fit.labelledInFit).toBe(5);
    expect(robust.fit.replaced).toBeGreaterThanOrEqual(5);
    expect(plain.fit.replaced).toBe(0);
    // 4 epochs, then 2 more on the cleaned series.
    expect(robust.history).toHaveLength(6);
    expect(plain.history).toHaveLength(4);
    // Spikes of 8 (about 10 signal standard deviations) inflate the plain error scale.
    expect(robust.model.errorStd[0]!).toBeLessThan(0.8 * plain.model.errorStd[0]!);
  });
});

describe('the error scale', () => {
  it('is floored at 1% of the series\' scale in the predictor\'s units, not at an absolute 1e-12', () => {
    // Zero but for a pulse of 20 every 30 steps (art_increase_spike_density's shape): the seasonal
    // profile (period 30 > window 10) holds the pulses, every residual is 0, so the predictor reads
    // zeros and its errors do not vary. Each phase's scale is then the floor 0.01 (in the fit
    // part's standard deviations), one standard deviation is 1 / 0.01 = 100 input units, and 1%
    // of it is 1. An off-phase spike of 20 in the held-out part is the normal part's largest error.
    const length = 600;
    const values = Float64Array.from({ length }, (_, t) => (t % 30 === 0 || t === 250 ? 20 : 0));
    const series = { channels: ['value'], values, length, labels: new Uint8Array(length) };
    const detection = detect(series, { ...small, window: 10, epochs: 2, smooth: 5 });
    expect(detection.model.seasonal[0]?.period).toBe(30);
    expect(errorFloors(detection.model.seasonal, 1)[0]).toBe(1);
    expect(detection.model.errorStd[0]).toBe(1);
    // With the floor at 1e-12 (before) the threshold was 6.3e14.
    expect(detection.rnn.threshold).toBeLessThan(1e4);
    // The scored part repeats the pulses exactly: its scores are rounding noise, under the rnn's least threshold (1).
    expect(detection.rnn.threshold).toBeGreaterThanOrEqual(MIN_RNN_THRESHOLD);
    expect(detection.rnn.flagged.filter(Boolean).length).toBe(0);
    expect(errorFloors([undefined, undefined], 2)).toEqual(Float64Array.of(0.01, 0.01));
  });
});

describe('bursts in the normal part and the threshold', () => {
  it('burstMask by hand (smooth 2): steps 3, 4, 6 are one burst → [3, 8); 10, 11 (a spike and the next prediction) and a lone 20 stay', () => {
    const steps = new Uint8Array(30);
    for (const t of [3, 4, 6, 10, 11, 20]) steps[t] = 1;
    const mask = burstMask(steps, 0, 30, 2);
    expect([...mask].flatMap((m, t) => (m ? [t] : []))).toEqual([3, 4, 5, 6, 7]);
    // Only [from, until) is looked at.
    expect([...burstMask(steps, 5, 30, 2)].some(Boolean)).toBe(false);
  });

  it('three oscillating 12-point bursts in the fit part lift the POT threshold almost 4×; --exclude-bursts brings it back within 1.7× of the clean series\'', () => {
    const base = synthSeries({ seed: 4, length: 1000, period: 20, count: 1, kinds: ['spike'] });
    const bursts = [80, 180, 250];
    const inBurst = (t: number) => bursts.some((start) => t >= start && t < start + 12);
    // ±3 (about 3 signal standard deviations), crossing zero now and then.
    const series = { ...base, values: base.values.map((v, t) => (inBurst(t) ? v + 3 * Math.sin(t) : v)), labels: base.labels!.map((l, t) => (inBurst(t) ? 1 : l)) };
    // The values themselves as input (levelWindow 0), as when the burst rule was chosen.
    const settings = { ...small, smooth: 5, levelWindow: 0 };
    const clean = detect(base, settings).rnn.threshold;
    const kept = detect(series, settings);
    const excluded = detect(series, { ...settings, excludeBursts: true });
    expect(kept.fit.labelledInFit).toBe(36);
    expect(kept.fit.burstSteps).toBe(0);
    expect(kept.rnn.threshold).toBeGreaterThan(3.5 * clean);
    expect(excluded.rnn.threshold).toBeLessThan(1.7 * clean);
    // Most of the 36 burst steps, plus at most smooth − 1 = 4 after each of the three.
    expect(excluded.fit.burstSteps).toBeGreaterThanOrEqual(30);
    expect(excluded.fit.burstSteps).toBeLessThanOrEqual(36 + 3 * 4);
  }, 60_000);
});

describe('ensemble', () => {
  it('scores by the pointwise median of the members, member k being the run with seed + k', () => {
    const series = synthSeries({ seed: 5, length: 800, period: 20, count: 1, kinds: ['spike'] });
    const ensemble = detect(series, { ...small, ensemble: 3 });
    const runs = [1, 2, 3].map((seed) => detect(series, { ...small, seed }));
    for (const t of [450, 600, 799]) {
      const sorted = runs.map((r) => r.rnn.scores[t]!).sort((a, b) => a - b);
      expect(ensemble.rnn.scores[t]).toBe(sorted[1]);
    }
    expect(ensemble.members.map((m) => m.metrics.composite.f1)).toEqual(runs.map((r) => r.rnn.evaluation!.metrics.composite.f1));
    expect(formatMetrics(ensemble).at(-1)).toMatch(/^composite F1 of the 3 ensemble members alone: /);
  });
});

describe('reports', () => {
  it('say so when no labelled window lies in the scored part, and count the labelled points in the fit part', () => {
    const base = synthSeries({ seed: 6, length: 800, period: 20, count: 1, kinds: ['spike'] });
    const labels = base.labels!.map((_, t) => (t >= 100 && t < 110 ? 1 : 0));
    const warnings: string[] = [];
    const result = detect({ ...base, labels }, { ...small, warn: (m) => warnings.push(m) });
    expect(result.fit).toMatchObject({ labelledInFit: 10, labelledInHoldout: 0 });
    expect(warnings).toEqual([]);
    const lines = formatMetrics(result);
    expect(lines[0]).toBe('method             threshold  flagged');
    expect(lines.at(-1)).toBe('no labelled window lies in the scored part (steps 400 on): every labelled point is in the part treated as normal, so there is nothing to measure');
  });
});
