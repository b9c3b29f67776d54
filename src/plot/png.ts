/**
 * plot stage: grey images → PNG bytes. A tiny PNG encoder (8-bit greyscale, filter 0,
 * zlib deflate from node:zlib) is all an image grid needs; it is deterministic for a
 * given Node version because deflate at a fixed level is.
 */
import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** An 8-bit greyscale PNG from row-major bytes (0 black, 255 white). */
export function encodeGreyPng(pixels: Uint8Array, width: number, height: number): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`png size must be positive integers, got ${width}×${height}`);
  }
  if (pixels.length !== width * height) throw new RangeError(`png needs ${width * height} pixels, got ${pixels.length}`);
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = 8; // bit depth
  header[9] = 0; // colour type: greyscale
  // Scanlines each start with filter type 0 (none).
  const raw = new Uint8Array(height * (width + 1));
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', new Uint8Array(deflateSync(raw, { level: 9 }))),
    chunk('IEND', new Uint8Array(0)),
  ];
  return new Uint8Array(Buffer.concat(parts));
}

export interface ImageGridOptions {
  /** Each image pixel becomes scale×scale output pixels (default 2). */
  readonly scale?: number;
  /** Gap between images and around the grid, in output pixels (default 2). */
  readonly gapPx?: number;
  /** Grey level of the gaps in [0, 1] (default 1, white). */
  readonly background?: number;
  /** Draw 1 as black and 0 as white (default false: 0 black, 1 white, as MNIST is usually shown). */
  readonly invert?: boolean;
}

/**
 * Tiles grey images (each `width`×`height`, row-major, values in [0, 1], clamped) into a grid
 * with `columns` images a row, and returns PNG bytes: reconstructions, samples, digits.
 */
export function imageGrid(
  images: readonly ArrayLike<number>[],
  width: number,
  height: number,
  columns: number,
  options: ImageGridOptions = {},
): Uint8Array {
  if (images.length === 0) throw new RangeError('imageGrid needs at least one image');
  if (!Number.isInteger(columns) || columns <= 0) throw new RangeError(`columns must be a positive integer, got ${columns}`);
  const scale = options.scale ?? 2;
  const gap = options.gapPx ?? 2;
  const rows = Math.ceil(images.length / columns);
  const cols = Math.min(columns, images.length);
  const outWidth = gap + cols * (width * scale + gap);
  const outHeight = gap + rows * (height * scale + gap);
  const pixels = new Uint8Array(outWidth * outHeight).fill(Math.round(255 * clamp01(options.background ?? 1)));
  images.forEach((image, index) => {
    if (image.length !== width * height) throw new RangeError(`image ${index} has ${image.length} values, expected ${width}×${height} = ${width * height}`);
    const left = gap + (index % columns) * (width * scale + gap);
    const top = gap + Math.floor(index / columns) * (height * scale + gap);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let v = clamp01(image[y * width + x]!);
        if (options.invert) v = 1 - v;
        const grey = Math.round(255 * v);
        for (let dy = 0; dy < scale; dy++) {
          const rowStart = (top + y * scale + dy) * outWidth + left + x * scale;
          pixels.fill(grey, rowStart, rowStart + scale);
        }
      }
    }
  });
  return encodeGreyPng(pixels, outWidth, outHeight);
}

function clamp01(v: number): number {
  return Number.isNaN(v) ? 0 : v < 0 ? 0 : v > 1 ? 1 : v;
}
