import { describe, expect, it } from 'vitest';
import { loadCell } from '../../../src/index.js';
import { detect, formatMetrics, synthSeries } from '../../../src/train/anomaly/index.js';

const small = { cell: loadCell('rnn'), hidden: 6, window: 20, epochs: 4, lr: 0.01, seed: 1, smooth: 1 };

describe('robust fitting', () => {
  it('replaces the fit-part points the first fit cannot predict, refits, and keeps the error scale from the rest', () => {
    const base = synthSeries({ seed: 4, length: 1000, period: 20, count: 1, kinds: ['spike'] });
    // Five labelled spikes of +8 in the fit part (the first 300 points).
    const spikes = [60, 110, 160, 210, 260];
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
