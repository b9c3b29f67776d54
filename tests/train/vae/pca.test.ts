import { describe, expect, it } from 'vitest';
import { projectTo2d } from '../../../src/train/vae/pca.js';

describe('projectTo2d', () => {
  it('finds the axes of an axis-aligned ellipse in 3-D (variances 4.5, 0.5, 0.01, uncorrelated)', () => {
    const points: number[] = [];
    for (const [a, b, c] of [[3, 0, 0.1], [-3, 0, 0.1], [0, 1, -0.1], [0, -1, -0.1]]) points.push(a!, b!, c!);
    const flat = projectTo2d(Float64Array.from(points), 3);
    // First component = the x axis (sign: largest entry positive), second = y.
    expect(Array.from(flat).map((v) => Number(v.toFixed(9)) + 0)).toEqual([3, 0, -3, 0, 0, 1, 0, -1]);
  });

  it('passes 2-D codes through unchanged', () => {
    expect(Array.from(projectTo2d(Float64Array.from([1, 2, 3, 4]), 2))).toEqual([1, 2, 3, 4]);
  });
});
