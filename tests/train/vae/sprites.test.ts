import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/random.js';
import { insideShape, makeSprites, renderSprite, SPRITE_FACTORS, SPRITE_GRIDS } from '../../../src/train/vae/sprites.js';

const ink = (image: Float32Array) => image.reduce((a, b) => a + b, 0);
const render = (side: number, shape: number, scale: number, orientation: number, x: number, y: number) => {
  const out = new Float32Array(side * side);
  renderSprite(out, side, shape, scale, orientation, x, y);
  return out;
};

describe('dSprites-like sprites', () => {
  it("has dSprites's factor grids: 3 shapes, 6 scales in [0.5, 1], 40 orientations in [0, 2π], 32 x and y in [0, 1] (1e-12)", () => {
    expect(SPRITE_FACTORS).toEqual(['shape', 'scale', 'orientation', 'x', 'y']);
    expect(SPRITE_GRIDS.shape).toEqual([1, 2, 3]);
    const expectGrid = (grid: readonly number[], from: number, to: number, n: number) => {
      expect(grid).toHaveLength(n);
      grid.forEach((v, i) => expect(v).toBeCloseTo(from + ((to - from) * i) / (n - 1), 12));
    };
    expectGrid(SPRITE_GRIDS.scale, 0.5, 1, 6);
    expectGrid(SPRITE_GRIDS.orientation, 0, 2 * Math.PI, 40);
    expectGrid(SPRITE_GRIDS.x, 0, 1, 32);
    expectGrid(SPRITE_GRIDS.y, 0, 1, 32);
    // 3 · 6 · 40 · 32 · 32 = 737,280 images, dSprites's count.
    expect(Object.values(SPRITE_GRIDS).reduce((n, g) => n * g.length, 1)).toBe(737280);
  });

  it('draws a square of side 0.3 · 64 · scale and an ellipse of area π · a · a/2 (within 2 % of the pixel count)', () => {
    for (const scale of SPRITE_GRIDS.scale) {
      const half = 0.15 * 64 * scale;
      const square = ink(render(64, 0, scale, 0, 0.5, 0.5));
      const ellipse = ink(render(64, 1, scale, 0, 0.5, 0.5));
      // Binary pixels at 64 px: the count is the area up to the boundary's pixels.
      expect(Math.abs(square - 4 * half * half)).toBeLessThanOrEqual(8 * half * 0.6);
      expect(Math.abs(ellipse / (Math.PI * half * (half / 2)) - 1)).toBeLessThan(0.1);
    }
    // 32 px: anti-aliased, so the ink is the area to 2 %.
    const half = 0.15 * 32;
    expect(Math.abs(ink(render(32, 0, 1, 0.3, 0.5, 0.5)) / (4 * half * half) - 1)).toBeLessThan(0.02);
    expect(Math.abs(ink(render(32, 1, 1, 0.3, 0.5, 0.5)) / ((Math.PI * half * half) / 2) - 1)).toBeLessThan(0.02);
  });

  it('draws the heart upright at orientation 0 (lobes up, point down), mirror-symmetric, with the curve\'s area (5 %)', () => {
    expect(insideShape(2, -0.5, 0.6)).toBe(true); // a lobe
    expect(insideShape(2, 0, 0.95)).toBe(false); // the notch between the lobes
    expect(insideShape(2, 0, -0.9)).toBe(true); // near the point
    expect(insideShape(2, 0.5, -0.9)).toBe(false);
    const heart = render(64, 2, 1, 0, 0.5, 0.5);
    expect(heart.every((v, p) => v === heart[p - (p % 64) + 63 - (p % 64)])).toBe(true);
    // Its area: the curve (x² + y² − 1)³ = x² y³ integrated on a fine grid here, scaled by (half-size / 1.14)².
    let cells = 0;
    const step = 0.002;
    for (let x = -1.2; x < 1.2; x += step) {
      for (let y = -1.1; y < 1.3; y += step) {
        const r = x * x + y * y - 1;
        if (r * r * r <= x * x * y * y * y) cells++;
      }
    }
    const half = 0.15 * 64;
    expect(Math.abs(ink(heart) / (cells * step * step * (half / 1.14) ** 2) - 1)).toBeLessThan(0.05);
  });

  it('rotates counter-clockwise: a quarter turn maps the ellipse onto itself turned, and 0 and 2π draw the same image', () => {
    const flat = render(32, 1, 1, 0, 0.5, 0.5);
    const upright = render(32, 1, 1, Math.PI / 2, 0.5, 0.5);
    let diff = 0;
    // Transposing a centred image turns it a quarter (up to a mirror the ellipse does not see).
    for (let row = 0; row < 32; row++) for (let col = 0; col < 32; col++) diff = Math.max(diff, Math.abs(flat[row * 32 + col]! - upright[col * 32 + row]!));
    expect(diff).toBeLessThan(1e-6);
    for (const shape of [0, 1, 2]) {
      const turned = render(64, shape, 1, 2 * Math.PI, 0.3, 0.7);
      const start = render(64, shape, 1, 0, 0.3, 0.7);
      expect(turned.every((v, p) => v === start[p])).toBe(true);
    }
  });

  it('moves the sprite with x and y (the ink centroid at side · (0.23 + 0.54 · x), within 0.1 px: 4 × 4 sub-pixel samples) and keeps it inside the frame', () => {
    for (const x of [0, 0.25, 1]) {
      const image = render(32, 0, 0.5, 0, x, 1 - x);
      let cx = 0;
      let cy = 0;
      for (let row = 0; row < 32; row++) for (let col = 0; col < 32; col++) [cx, cy] = [cx + image[row * 32 + col]! * (col + 0.5), cy + image[row * 32 + col]! * (row + 0.5)];
      expect(Math.abs(cx / ink(image) - 32 * (0.23 + 0.54 * x))).toBeLessThan(0.1);
      expect(Math.abs(cy / ink(image) - 32 * (0.23 + 0.54 * (1 - x)))).toBeLessThan(0.1);
    }
    // The largest sprites in the corners at every orientation leave the border pixels dark.
    for (const shape of [0, 1, 2]) {
      for (const orientation of SPRITE_GRIDS.orientation.filter((_, i) => i % 5 === 0)) {
        for (const [x, y] of [[0, 0], [1, 1], [0, 1], [1, 0]]) {
          const image = render(64, shape, 1, orientation, x!, y!);
          for (let i = 0; i < 64; i++) expect(image[i]! + image[63 * 64 + i]! + image[i * 64]! + image[i * 64 + 63]!).toBe(0);
        }
      }
    }
  });

  it('makeSprites keeps each image\'s factors, draws every level, and is seeded', () => {
    const data = makeSprites(createRandom(3), { side: 32, count: 400 });
    expect(data.factorLevels).toEqual([3, 6, 40, 32, 32]);
    for (const i of [0, 17, 399]) {
      const [shape, scale, orientation, x, y] = SPRITE_FACTORS.map((f, k) => SPRITE_GRIDS[f][data.factors[i * 5 + k]!]!);
      const expected = render(32, shape! - 1, scale!, orientation!, x!, y!);
      expect(data.values.subarray(i * 1024, (i + 1) * 1024).every((v, p) => v === expected[p])).toBe(true);
    }
    for (const k of [0, 1]) expect(new Set(Array.from({ length: 400 }, (_, i) => data.factors[i * 5 + k])).size).toBe(data.factorLevels[k]);
    const again = makeSprites(createRandom(3), { side: 32, count: 400 }).values;
    expect(again.every((v, p) => v === data.values[p])).toBe(true);
    expect(() => makeSprites(createRandom(3), { side: 48, count: 1 })).toThrow('--side must be 64 or 32, got 48');
  });
});
