/**
 * VAE stage: LeCun's IDX format, as the MNIST files are stored (big-endian): a magic number
 * 0x00000803 (unsigned bytes, 3 dimensions) then count, rows, cols and the pixels; labels
 * 0x00000801 then count and one byte each. Pure: bytes in, rows out, every mismatch named.
 */
import { InputError } from '../../errors.js';
import type { Dataset } from './data.js';

const IMAGES_MAGIC = 0x00000803;
const LABELS_MAGIC = 0x00000801;

function header(bytes: Uint8Array, file: string, magic: number, dims: number): number[] {
  const words = 1 + dims;
  const tooShort = () => new InputError(`${file}: ${bytes.length} bytes, too short for an IDX header of ${4 * words}`);
  if (bytes.length < 4) throw tooShort();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found = view.getUint32(0);
  if (found !== magic) {
    throw new InputError(`${file}: not an IDX ${dims === 3 ? 'image' : 'label'} file (magic 0x${found.toString(16).padStart(8, '0')}, expected 0x${magic.toString(16).padStart(8, '0')})`);
  }
  if (bytes.length < 4 * words) throw tooShort();
  const sizes = Array.from({ length: dims }, (_, i) => view.getUint32(4 + 4 * i));
  const expected = 4 * words + sizes.reduce((a, b) => a * b, 1);
  if (bytes.length !== expected) throw new InputError(`${file}: ${bytes.length} bytes, expected ${expected} for ${sizes.join(' × ')} values after the header`);
  return sizes;
}

/** Images as rows of intensities in [0, 1] (byte / 255), with the labels of a matching label file. */
export function parseIdx(images: Uint8Array, labels: Uint8Array, files: { readonly images: string; readonly labels: string }): Dataset {
  const [count, rows, cols] = header(images, files.images, IMAGES_MAGIC, 3) as [number, number, number];
  const [labelCount] = header(labels, files.labels, LABELS_MAGIC, 1) as [number];
  if (labelCount !== count) throw new InputError(`${files.labels}: ${labelCount} labels for the ${count} images of ${files.images}`);
  const dim = rows * cols;
  const values = new Float32Array(count * dim);
  for (let i = 0; i < values.length; i++) values[i] = images[16 + i]! / 255;
  return { count, dim, values, labels: Int32Array.from(labels.subarray(8)) };
}
