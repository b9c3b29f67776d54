import { describe, expect, it } from 'vitest';
import { knnLogDensity, logUnitBallVolume, nearestNeighbours } from '../../../src/train/vae/knn.js';

describe('knn', () => {
  it('finds the nearest other points in order', () => {
    const points = Float64Array.from([0, 0, 1, 0, 3, 0, 7, 0]);
    const nn = nearestNeighbours(points, 2, 2);
    expect(Array.from(nn.indices)).toEqual([1, 2, 0, 2, 1, 0, 2, 1]);
    expect(Array.from(nn.distances)).toEqual([1, 3, 1, 2, 2, 3, 4, 6]);
  });

  it('unit ball volumes: 2 in 1-D, π in 2-D, 4π/3 in 3-D, π²/2 in 4-D', () => {
    expect(Math.exp(logUnitBallVolume(1))).toBeCloseTo(2, 12);
    expect(Math.exp(logUnitBallVolume(2))).toBeCloseTo(Math.PI, 12);
    expect(Math.exp(logUnitBallVolume(3))).toBeCloseTo((4 * Math.PI) / 3, 12);
    expect(Math.exp(logUnitBallVolume(4))).toBeCloseTo(Math.PI ** 2 / 2, 12);
  });

  it('density k / ((n-1) V_d r_k^d) on points of a 1-D grid', () => {
    // 0..10 spaced 1: the middle point's 2nd neighbour is at distance 1, the end point's at 2.
    const points = Float64Array.from({ length: 11 }, (_, i) => i);
    const logp = knnLogDensity(points, 1, 2);
    expect(Math.exp(logp[5]!)).toBeCloseTo(2 / (10 * 2 * 1), 12);
    expect(Math.exp(logp[0]!)).toBeCloseTo(2 / (10 * 2 * 2), 12);
  });

  it('estimates a uniform density on the unit square to within 10 %', () => {
    const side = 40;
    const points: number[] = [];
    for (let i = 0; i < side; i++) for (let j = 0; j < side; j++) points.push((i + 0.5) / side + 0.003 * Math.sin(i * 7 + j * 3), (j + 0.5) / side);
    const logp = knnLogDensity(Float64Array.from(points), 2, 8);
    // Interior point: true density 1.
    expect(Math.abs(Math.exp(logp[20 * side + 20]!) - 1)).toBeLessThan(0.1);
  });
});
