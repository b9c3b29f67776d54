import { describe, expect, it } from 'vitest';
import { fitGpd, gpdLogLikelihood, gpdSurvival, potThreshold, robustSpread, thresholdOf } from '../../../src/train/anomaly/index.js';
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

  it('one spike of 1000 among 1250 scores: max follows it; pot (the spike fails the tail-outlier test) and robust move by less than 1', () => {
    const clean = exponential(1250, 7);
    const spiked = [...clean.slice(0, 600), 1000, ...clean.slice(600)];
    expect(thresholdOf(spiked, 0, spiked.length, { rule: 'max' })).toBe(1000);
    const pot = (s: number[]) => thresholdOf(s, 0, s.length, { rule: 'pot' });
    expect(pot(clean)).toBeGreaterThan(4);
    expect(Math.abs(pot(spiked) - pot(clean))).toBeLessThan(1);
    const robust = (s: number[]) => thresholdOf(s, 0, s.length, { rule: 'robust' });
    expect(Math.abs(robust(spiked) - robust(clean))).toBeLessThan(1);
  });

  it('keeps the tail unbounded (γ ≥ 0): on 5000 Uniform(0, 1) scores the fit is exponential and the threshold t + mean excess · ln(N_t / (risk·n)) lies above the sample maximum', () => {
    const random = createRandom(12);
    const scores = Array.from({ length: 5000 }, () => random.next());
    const pot = potThreshold(scores, 1e-3);
    expect(pot.fit.shape).toBeGreaterThanOrEqual(0);
    expect(pot.fit.shape).toBeLessThan(1e-9); // the likelihood's maximum lies at the edge x = 0 of the search
    // Computed here: the 0.98 quantile as numpy interpolates it, and the mean excess over it.
    const sorted = scores.slice().sort((a, b) => a - b);
    const position = 0.98 * (sorted.length - 1);
    const t = sorted[Math.floor(position)]! + (position % 1) * (sorted[Math.floor(position) + 1]! - sorted[Math.floor(position)]!);
    const excesses = sorted.filter((v) => v > t).map((v) => v - t);
    const mean = excesses.reduce((a, b) => a + b, 0) / excesses.length;
    expect(pot.threshold).toBeCloseTo(t + mean * Math.log(excesses.length / (1e-3 * scores.length)), 6);
    expect(pot.threshold).toBeGreaterThan(sorted.at(-1)!);
  });

  it('robust: median + k·1.4826·MAD; [1, 2, 3, 4, 100] → median 3, MAD 1 → 3 + 6·1.4826 = 11.8956', () => {
    expect(robustSpread([1, 2, 3, 4, 100])).toEqual({ median: 3, spread: 1.4826 });
    expect(thresholdOf([1, 2, 3, 4, 100], 0, 5, { rule: 'robust', k: 6 })).toBeCloseTo(11.8956, 10);
    expect(thresholdOf([9, 1, 2, 3, 4, 100], 1, 6, { rule: 'quantile', quantile: 0.5 })).toBe(3);
  });
});

describe('GPD survival', () => {
  it('is (1 + γy/σ)^(−1/γ): y 2, γ 0.5, σ 1 → 2^(−2) = 0.25; exponential at γ 0: e^(−1); 0 beyond a negative shape\'s support', () => {
    expect(gpdSurvival(2, { shape: 0.5, scale: 1 })).toBeCloseTo(0.25, 12);
    expect(gpdSurvival(2, { shape: 0, scale: 2 })).toBeCloseTo(Math.exp(-1), 12);
    expect(gpdSurvival(3, { shape: -0.5, scale: 1 })).toBe(0);
  });
});
