/**
 * VAE stage: a dSprites-like dataset generated in code (Matthey et al. 2017; no download), for
 * measuring disentanglement. White shapes on black, with dSprites's factor grids: shape (square,
 * ellipse, heart), scale (6 values in [0.5, 1]), orientation (40 values in [0, 2π], both ends
 * included as in dSprites's latents_possible_values), x and y (32 values each in [0, 1]).
 * The pixel geometry (sprite size, margins) is ours: dSprites does not publish its renderer.
 */
import { InputError } from '../../errors.js';
import type { Random } from '../../random.js';
import type { Dataset } from './data.js';

export const SPRITE_SHAPES = ['square', 'ellipse', 'heart'] as const;
export const SPRITE_FACTORS = ['shape', 'scale', 'orientation', 'x', 'y'] as const;

const linspace = (from: number, to: number, n: number) => Array.from({ length: n }, (_, i) => from + ((to - from) * i) / (n - 1));

/** dSprites's latents_possible_values for the five varying factors (colour is always white). */
export const SPRITE_GRIDS: Readonly<Record<(typeof SPRITE_FACTORS)[number], readonly number[]>> = {
  shape: [1, 2, 3],
  scale: linspace(0.5, 1, 6),
  orientation: linspace(0, 2 * Math.PI, 40),
  x: linspace(0, 1, 32),
  y: linspace(0, 1, 32),
};

export interface SpritesOptions {
  /** Image side: 64 (dSprites) or 32 (quick runs, anti-aliased so that neighbouring positions stay distinct). */
  readonly side?: number;
  readonly count?: number;
}

/** Images plus the factor levels (and values) that made each one. */
export interface SpritesDataset extends Dataset {
  readonly side: number;
  readonly factorNames: readonly string[];
  /** count × 5 level indices, row-major, in SPRITE_FACTORS order. */
  readonly factors: Int32Array;
  readonly factorLevels: readonly number[];
}

/** Half the square's side at scale 1, and the margin that keeps a rotated heart of scale 1 inside, as fractions of the image side. */
const HALF_SIZE = 0.15;
const MARGIN = 0.23;

/** Whether (u, v) in the sprite's own frame (units: half-size, v up) is inside the shape. */
export function insideShape(shape: number, u: number, v: number): boolean {
  if (shape === 0) return Math.abs(u) <= 1 && Math.abs(v) <= 1;
  if (shape === 1) return u * u + 4 * v * v <= 1; // semi-axes 1 and 1/2, long axis along u at orientation 0
  // The heart (x² + y² − 1)³ ≤ x² y³, spanning x ∈ [−1.14, 1.14], y ∈ [−1, 1.25]; scaled to width 2, centred.
  const x = u * 1.14;
  const y = v * 1.14 + 0.125;
  const r = x * x + y * y - 1;
  return r * r * r <= x * x * y * y * y;
}

/**
 * Renders one sprite into `out` (side × side, row-major; row 0 at the top). 64 px: binary, a
 * pixel is on when its centre is inside (dSprites is binary); smaller: the fraction of a 4 × 4
 * grid of sub-pixel samples inside.
 */
export function renderSprite(out: Float32Array, side: number, shape: number, scale: number, orientation: number, x: number, y: number): void {
  const sub = side >= 64 ? 1 : 4;
  const half = HALF_SIZE * side * scale;
  const cx = side * (MARGIN + (1 - 2 * MARGIN) * x);
  const cy = side * (MARGIN + (1 - 2 * MARGIN) * y);
  const cos = Math.cos(orientation);
  const sin = Math.sin(orientation);
  for (let row = 0; row < side; row++) {
    for (let col = 0; col < side; col++) {
      let hits = 0;
      for (let a = 0; a < sub; a++) {
        for (let b = 0; b < sub; b++) {
          const dx = col + (b + 0.5) / sub - cx;
          const dy = cy - (row + (a + 0.5) / sub); // y up in the sprite's frame
          // Rotate the point by −orientation, i.e. the shape by +orientation (counter-clockwise).
          if (insideShape(shape, (dx * cos + dy * sin) / half, (-dx * sin + dy * cos) / half)) hits++;
        }
      }
      out[row * side + col] = hits / (sub * sub);
    }
  }
}

/** `count` sprites with every factor drawn uniformly and independently from its grid (a uniform sample of dSprites's full product). */
export function makeSprites(random: Random, options: SpritesOptions = {}): SpritesDataset {
  const side = options.side ?? 64;
  const count = options.count ?? 10000;
  if (side !== 64 && side !== 32) throw new InputError(`--side must be 64 or 32, got ${side}`);
  const levels = SPRITE_FACTORS.map((f) => SPRITE_GRIDS[f].length);
  const dim = side * side;
  const values = new Float32Array(count * dim);
  const factors = new Int32Array(count * levels.length);
  for (let i = 0; i < count; i++) {
    const level = levels.map((n) => random.int(n));
    factors.set(level, i * levels.length);
    const [shape, scale, orientation, x, y] = SPRITE_FACTORS.map((f, k) => SPRITE_GRIDS[f][level[k]!]!);
    renderSprite(values.subarray(i * dim, (i + 1) * dim), side, shape! - 1, scale!, orientation!, x!, y!);
  }
  return { count, dim, values, side, factorNames: [...SPRITE_FACTORS], factors, factorLevels: levels };
}
