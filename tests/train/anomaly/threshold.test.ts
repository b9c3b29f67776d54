import { describe, expect, it } from 'vitest';
import { fitGpd, gpdLogLikelihood, potThreshold, robustSpread, thresholdOf } from '../../../src/train/anomaly/index.js';
import { createRandom } from '../../../src/random.js';

/** n draws of Exp(1) from a seeded source (inverse CDF). */
function exponential(n: number, seed: number): number[] {
  const random = createRandom(seed);
  return Array.from({ length: n }, () => -Math.log(1 - random.next()));
}

describe('peaks-over-threshold (SPOT initialisation)', () => {
  it('GPD log-likelihood by hand: y = [1, 2], γ 0.5, σ 1 → −(1 + 2)·(ln 1.5 + ln 2) = −3 ln 3', () => {
    expect(gpdLogLikelihood([1, 2], { shape: 0.5, scale: 1 })).toBeCloseTo(-3 * Math.log(3), 12);
    // γ = 0 is the exponential: −2 ln 2 − (1 + 2)/2.
    expect(gpdLogLikelihood([1, 2], { shape: 0, scale: 2 })).toBeCloseTo(-2 * Math.log(2) - 1.5, 12);
  });

  it('recovers a GPD (γ 0.2, σ 1) from 5000 seeded draws within 0.1', () => {
    const random = createRandom(11);
    const y = Array.from({ length: 5000 }, () => (1 / 0.2) * ((1 - random.next()) ** -0.2 - 1));
    const fit = fitGpd(y);
    expect(Math.abs(fit.shape - 0.2)).toBeLessThan(0.1);
    expect(Math.abs(fit.scale - 1)).toBeLessThan(0.1);
  });

  it('on 20000 Exp(1) scores at risk 1e-3 it lands near the true 0.999 quantile ln 1000 = 6.908 (±0.5)', () => {
    const { threshold, excesses } = potThreshold(exponential(20000, 5), 1e-3);
    expect(excesses).toBe(400); // 2% above the initial 0.98 quantile
    expect(Math.abs(threshold - Math.log(1000))).toBeLessThan(0.5);
  });

  it('one spike of 1000 among 500 held-out scores: max follows it, pot and robust move by less than 1', () => {
    const clean = exponential(500, 7);
    const spiked = [...clean.slice(0, 250), 1000, ...clean.slice(250)];
    expect(thresholdOf(spiked, 0, spiked.length, { rule: 'max' })).toBe(1000);
    for (const rule of [{ rule: 'pot' as const }, { rule: 'robust' as const }]) {
      const before = thresholdOf(clean, 0, clean.length, rule);
      const after = thresholdOf(spiked, 0, spiked.length, rule);
      expect(Math.abs(after - before)).toBeLessThan(1);
    }
  });

  it('robust: median + k·1.4826·MAD; [1, 2, 3, 4, 100] → median 3, MAD 1 → 3 + 6·1.4826 = 11.8956', () => {
    expect(robustSpread([1, 2, 3, 4, 100])).toEqual({ median: 3, spread: 1.4826 });
    expect(thresholdOf([1, 2, 3, 4, 100], 0, 5, { rule: 'robust', k: 6 })).toBeCloseTo(11.8956, 10);
    expect(thresholdOf([9, 1, 2, 3, 4, 100], 1, 6, { rule: 'quantile', quantile: 0.5 })).toBe(3);
  });
});
