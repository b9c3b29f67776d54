import { describe, expect, it } from 'vitest';
import { projectTo2d } from '../../../src/train/vae/pca.js';
import { formatTable, historyCsv, imageSide, latentPoints, reconstructionCells, trainCurvePanels } from '../../../src/train/vae/report.js';

describe('vae reports', () => {
  it('historyCsv writes 6 significant digits and leaves missing test losses empty', () => {
    const csv = historyCsv([{ epoch: 1, trainLoss: 123.456789, trainReconstruction: 100, trainKl: 23.456789, testLoss: Number.NaN, testReconstruction: Number.NaN, testKl: Number.NaN }]);
    expect(csv).toBe('epoch,train_loss,train_reconstruction,train_kl,test_loss,test_reconstruction,test_kl\n1,123.457,100,23.4568,,,\n');
  });

  it('formatTable aligns the first column left and the rest right', () => {
    expect(formatTable(['name', 'n'], [['ab', '1'], ['c', '22']])).toBe('name   n\n----  --\nab     1\nc     22\n');
  });

  it('reconstructionCells puts each band of originals above its reconstructions, the last band short', () => {
    const originals = Float32Array.from({ length: 5 * 2 }, (_, i) => i);
    const rebuilt = Float32Array.from({ length: 5 * 2 }, (_, i) => 100 + i);
    const cells = reconstructionCells(originals, rebuilt, 2, 5, 3).map((c) => c[0]);
    expect(cells).toEqual([0, 2, 4, 100, 102, 104, 6, 8, 106, 108]);
    expect([imageSide(16), imageSide(15), imageSide(1)]).toEqual([4, undefined, 1]);
  });

  it('trainCurvePanels names the loss by beta and keeps train and test per epoch', () => {
    const row = (epoch: number) => ({ epoch, trainLoss: epoch, trainReconstruction: 2 * epoch, trainKl: 3 * epoch, testLoss: -epoch, testReconstruction: -2 * epoch, testKl: -3 * epoch });
    const one = trainCurvePanels([row(1), row(2)], 1);
    expect(one.loss.title).toBe('Negative ELBO');
    expect(one.epochs).toEqual([1, 2]);
    expect([one.reconstruction.train, one.kl.test]).toEqual([[2, 4], [-3, -6]]);
    expect(trainCurvePanels([row(1)], 4).loss.title).toBe('Loss (reconstruction + 4·KL; test: β = 1)');
  });

  it('latentPoints projects on the principal axes fitted to the first `fitted` rows and labels the shown ones', () => {
    const means = Float64Array.from({ length: 30 }, (_, i) => Math.sin(i * 1.7) * (1 + (i % 3)));
    const points = latentPoints(means, 3, 4, Int32Array.from([7, 8, 9, 1, 2, 3, 4, 5, 6, 0]), 10);
    const all = projectTo2d(means, 3);
    const firstFour = projectTo2d(means.subarray(0, 12), 3);
    expect(points.flatMap((p) => [p.x, p.y])).toEqual(Array.from(all.subarray(0, 8)));
    expect(Array.from(firstFour)).not.toEqual(Array.from(all.subarray(0, 8)));
    expect(points.map((p) => p.category)).toEqual(['7', '8', '9', '1']);
    expect(latentPoints(means, 3, 2)[0]).not.toHaveProperty('category');
  });
});

