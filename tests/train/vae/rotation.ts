// A seeded random rotation of R⁴ for the MIG tests (Gram-Schmidt on a Gaussian matrix: Haar-distributed up to sign).
import { createRandom } from '../../../src/random.js';

export function rotation(seed: number): number[][] {
  const random = createRandom(seed);
  const rows: number[][] = [];
  for (let i = 0; i < 4; i++) {
    let v = Array.from({ length: 4 }, () => random.normal());
    for (const u of rows) {
      const dot = v.reduce((s, x, k) => s + x * u[k]!, 0);
      v = v.map((x, k) => x - dot * u[k]!);
    }
    const norm = Math.hypot(...v);
    rows.push(v.map((x) => x / norm));
  }
  return rows;
}
