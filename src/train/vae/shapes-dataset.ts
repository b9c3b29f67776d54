/**
 * VAE stage: a synthetic image dataset with known generative factors, for measuring
 * disentanglement (MIG) in the beta sweep. A filled square on a black background, rendered
 * with exact pixel coverage (anti-aliased), whose x position, y position and scale are drawn
 * independently from small discrete grids, like dSprites in miniature.
 */
import type { Random } from '../../random.js';
import type { Dataset } from './data.js';

export interface ShapesOptions {
  /** Image side in pixels (images are side × side). */
  readonly side?: number;
  /** Number of images. */
  readonly count?: number;
  /** Levels of each factor. */
  readonly xLevels?: number;
  readonly yLevels?: number;
  readonly scaleLevels?: number;
}

/** Images plus the factor values that made each one. */
export interface ShapesDataset extends Dataset {
  readonly side: number;
  readonly factorNames: readonly string[];
  /** count × factorNames.length factor level indices, row-major. */
  readonly factors: Int32Array;
  /** Number of levels per factor. */
  readonly factorLevels: readonly number[];
}

/** Overlap of [a0, a1] with the pixel [p, p + 1]. */
function coverage(a0: number, a1: number, p: number): number {
  return Math.max(0, Math.min(a1, p + 1) - Math.max(a0, p));
}

/** Renders one square of side `size` centred at (cx, cy) into `out` (side × side, row-major). */
export function renderSquare(out: Float32Array, side: number, cx: number, cy: number, size: number): void {
  const x0 = cx - size / 2;
  const x1 = cx + size / 2;
  const y0 = cy - size / 2;
  const y1 = cy + size / 2;
  for (let row = 0; row < side; row++) {
    const cyCover = coverage(y0, y1, row);
    for (let col = 0; col < side; col++) out[row * side + col] = cyCover * coverage(x0, x1, col);
  }
}

/** The scale levels' square sides and the centres' range, so every square fits inside the image. */
function geometry(side: number, xLevels: number, yLevels: number, scaleLevels: number) {
  const minSize = side * 0.2;
  const maxSize = side * 0.45;
  const sizes = Array.from({ length: scaleLevels }, (_, i) => (scaleLevels === 1 ? minSize : minSize + ((maxSize - minSize) * i) / (scaleLevels - 1)));
  const margin = maxSize / 2;
  const positions = (levels: number) => Array.from({ length: levels }, (_, i) => (levels === 1 ? side / 2 : margin + ((side - 2 * margin) * i) / (levels - 1)));
  return { sizes, xs: positions(xLevels), ys: positions(yLevels) };
}

/** `count` images with factors drawn uniformly and independently from their level grids. */
export function makeShapes(random: Random, options: ShapesOptions = {}): ShapesDataset {
  const side = options.side ?? 16;
  const count = options.count ?? 4096;
  const levels = [options.xLevels ?? 8, options.yLevels ?? 8, options.scaleLevels ?? 4] as const;
  const { sizes, xs, ys } = geometry(side, ...levels);
  const dim = side * side;
  const values = new Float32Array(count * dim);
  const factors = new Int32Array(count * 3);
  for (let i = 0; i < count; i++) {
    const fx = random.int(levels[0]);
    const fy = random.int(levels[1]);
    const fs = random.int(levels[2]);
    factors.set([fx, fy, fs], i * 3);
    renderSquare(values.subarray(i * dim, (i + 1) * dim), side, xs[fx]!, ys[fy]!, sizes[fs]!);
  }
  return { count, dim, values, side, factorNames: ['x', 'y', 'scale'], factors, factorLevels: levels };
}
