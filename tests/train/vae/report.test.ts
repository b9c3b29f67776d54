import { describe, expect, it } from 'vitest';
import { formatTable, historyCsv } from '../../../src/train/vae/report.js';

describe('vae reports', () => {
  it('historyCsv writes 6 significant digits and leaves missing test losses empty', () => {
    const csv = historyCsv([{ epoch: 1, trainLoss: 123.456789, trainReconstruction: 100, trainKl: 23.456789, testLoss: Number.NaN, testReconstruction: Number.NaN, testKl: Number.NaN }]);
    expect(csv).toBe('epoch,train_loss,train_reconstruction,train_kl,test_loss,test_reconstruction,test_kl\n1,123.457,100,23.4568,,,\n');
  });

  it('formatTable aligns the first column left and the rest right', () => {
    expect(formatTable(['name', 'n'], [['ab', '1'], ['c', '22']])).toBe('name   n\n----  --\nab     1\nc     22\n');
  });
});
