import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/random.js';
import { imbalancedCounts } from '../../../src/train/vae/imbalance.js';
import { imbalanceSweep, type ImbalanceSweepResult } from '../../../src/train/vae/imbalance-sweep.js';
import { bestEstimator } from '../../../src/train/vae/report.js';

/** 4 classes of 16-pixel rows: class c lights pixels 4c..4c+3 (0.9) over a dim background (0.1 ± noise), 150 rows each. */
function blockClasses(seed = 5) {
  const random = createRandom(seed);
  const count = 600;
  const values = new Float32Array(count * 16);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 4;
    for (let p = 0; p < 16; p++) values[i * 16 + p] = Math.min(1, Math.max(0, (Math.floor(p / 4) === i % 4 ? 0.9 : 0.1) + 0.05 * random.normal()));
  }
  return { count, dim: 16, values, labels };
}

describe('imbalance estimator sweep', () => {
  it('scores every estimator in the three spaces against each subset\'s labelled ratio', () => {
    const ratios = [1, 3, 9];
    // The reference pool: other rows of the same 4 balanced classes (its labels are never read).
    const result = imbalanceSweep(blockClasses(), blockClasses(6), createRandom(1), { ratios, seeds: 2, total: 120, latent: 2, hidden: 8, epochs: 1, k: 5, clusters: [2, 3, 4, 5], poolComponents: [2, 4, 6] });
    expect(result.runs).toHaveLength(2 * 3 * 2);
    const oracle = ['oracle-k-kmeans-ratio', 'oracle-k-kmeans-entropy'];
    const methods = ['kmeans-ratio', 'kmeans-entropy', 'gmm-ratio', 'gmm-entropy', 'knn-spread', 'pool-knn-kl', 'pool-mixture-kl', 'pool-mixture-ratio', ...oracle];
    expect(result.estimators.map((e) => e.name)).toEqual([
      ...methods.map((m) => `vae ${m}`),
      ...methods.map((m) => `pca ${m}`),
      ...['kmeans-ratio', 'kmeans-entropy', 'knn-spread', 'pool-knn-kl', ...oracle].map((m) => `pixels ${m}`),
    ]);
    expect(result.estimators.filter((e) => e.oracle).map((e) => e.name)).toEqual(['vae', 'pca', 'pixels'].flatMap((s) => oracle.map((m) => `${s} ${m}`)));
    // The truth is each subset's labelled ratio: the requested one after rounding to whole rows.
    for (const run of result.runs) {
      const counts = imbalancedCounts(run.profile, run.ratio, 4, 120);
      expect(run.counts).toEqual(counts);
      expect(run.trueRatio).toBe(Math.max(...counts) / Math.min(...counts));
    }
    // Four clean blocks: k-means on the pixels finds them, so its mass ratio follows the truth.
    const pixels = result.estimators.find((e) => e.name === 'pixels kmeans-ratio')!;
    expect(pixels.spearman.step).toBeGreaterThan(0.9);
    expect(pixels.spearman['long-tail']).toBeGreaterThan(0.9);
    expect(result.estimators.find((e) => e.name === 'vae knn-spread')!.maeLogRatio.step).toBeNaN();
    // Against a balanced pool of the same blocks, the pool mixture's proportions recover the ratio
    // itself (measured: MAE of the log ratio 0.016 step, 0.014 long-tail; a factor of 1.1 is 0.095).
    const proportions = result.estimators.find((e) => e.name === 'pca pool-mixture-ratio')!;
    for (const profile of ['step', 'long-tail']) {
      expect(proportions.spearman[profile], profile).toBeGreaterThan(0.95);
      expect(proportions.maeLogRatio[profile], profile).toBeLessThan(0.095);
      for (const name of ['pca pool-mixture-kl', 'pca pool-knn-kl']) expect(result.estimators.find((e) => e.name === name)!.spearman[profile], `${name} ${profile}`).toBeGreaterThan(0.9);
    }
  });

  it('bestEstimator skips oracle rows and, without a profile, takes the best worst-profile Spearman', () => {
    const row = (name: string, step: number, longTail: number) => ({ name, isRatio: false, oracle: name.includes('oracle'), spearman: { step, 'long-tail': longTail }, maeLogRatio: {} });
    const result: ImbalanceSweepResult = {
      profiles: ['step', 'long-tail'],
      runs: [],
      estimators: [row('vae oracle-k-kmeans-entropy', 1, 1), row('pca a', 0.95, 0.5), row('vae b', 0.9, 0.8), row('pixels c', 0.7, 0.99)],
    };
    expect(bestEstimator(result, 'step').name).toBe('pca a');
    expect(bestEstimator(result, 'long-tail').name).toBe('pixels c');
    expect(bestEstimator(result).name).toBe('vae b');
  });
});
