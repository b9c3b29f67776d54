/**
 * VAE stage: k-nearest-neighbour distances and the kNN density estimate (Loftsgaarden and
 * Quesenberry 1965): p̂(x_i) = k / ((n - 1) · V_d · r_k(i)^d), with r_k(i) the distance from
 * x_i to its k-th nearest other point and V_d the volume of the unit d-ball. Brute force,
 * O(n² d): fine for the few thousand encoded points the imbalance measure uses.
 */

export interface Neighbours {
  readonly k: number;
  /** count × k indices of each point's nearest other points, nearest first. */
  readonly indices: Int32Array;
  /** count × k Euclidean distances, ascending. */
  readonly distances: Float64Array;
}

/** The k nearest other points of every row of `points` (count × dim, row-major). Ties keep the lower index. */
export function nearestNeighbours(points: ArrayLike<number>, dim: number, k: number): Neighbours {
  const count = points.length / dim;
  if (!(k >= 1 && k < count)) throw new RangeError(`k = ${k} needs 1 ≤ k < number of points (${count})`);
  const indices = new Int32Array(count * k);
  const distances = new Float64Array(count * k);
  const heapD = new Float64Array(k);
  const heapI = new Int32Array(k);
  const row = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    for (let d = 0; d < dim; d++) row[d] = points[i * dim + d]!;
    let size = 0;
    // A max-heap of the k best so far keyed by squared distance: the root is the worst kept.
    for (let j = 0; j < count; j++) {
      if (j === i) continue;
      let s = 0;
      const base = j * dim;
      for (let d = 0; d < dim; d++) {
        const diff = row[d]! - points[base + d]!;
        s += diff * diff;
      }
      if (size < k) {
        let c = size++;
        while (c > 0) {
          const p = (c - 1) >> 1;
          if (heapD[p]! >= s) break;
          heapD[c] = heapD[p]!;
          heapI[c] = heapI[p]!;
          c = p;
        }
        heapD[c] = s;
        heapI[c] = j;
      } else if (s < heapD[0]!) {
        let c = 0;
        for (;;) {
          const l = 2 * c + 1;
          if (l >= k) break;
          const r = l + 1;
          const m = r < k && heapD[r]! > heapD[l]! ? r : l;
          if (heapD[m]! <= s) break;
          heapD[c] = heapD[m]!;
          heapI[c] = heapI[m]!;
          c = m;
        }
        heapD[c] = s;
        heapI[c] = j;
      }
    }
    const order = Array.from({ length: k }, (_, t) => t).sort((a, b) => heapD[a]! - heapD[b]! || heapI[a]! - heapI[b]!);
    order.forEach((t, rank) => {
      indices[i * k + rank] = heapI[t]!;
      distances[i * k + rank] = Math.sqrt(heapD[t]!);
    });
  }
  return { k, indices, distances };
}

/** log Γ(d/2 + 1) for a positive integer d, exactly from Γ(1) = 1 and Γ(1/2) = √π. */
function logGammaHalfPlusOne(d: number): number {
  let x = d % 2 === 0 ? 1 : 0.5;
  let log = d % 2 === 0 ? 0 : 0.5 * Math.log(Math.PI);
  while (x < d / 2 + 1) {
    log += Math.log(x);
    x += 1;
  }
  return log;
}

/** log of the volume of the unit ball in d dimensions. */
export function logUnitBallVolume(d: number): number {
  return (d / 2) * Math.log(Math.PI) - logGammaHalfPlusOne(d);
}

/** Each point's distance to its k-th nearest other point. */
export function kthNeighbourRadii(neighbours: Neighbours): Float64Array {
  const { k, distances } = neighbours;
  return Float64Array.from({ length: distances.length / k }, (_, i) => distances[i * k + k - 1]!);
}

/** Natural-log kNN density from each point's k-th neighbour radius, in `dim` dimensions. */
export function logDensityFromRadii(radii: ArrayLike<number>, dim: number, k: number): Float64Array {
  const count = radii.length;
  const out = new Float64Array(count);
  const constant = Math.log(k) - Math.log(count - 1) - logUnitBallVolume(dim);
  // A duplicate point has r_k = 0; floor the radius so its density is large but finite.
  for (let i = 0; i < count; i++) out[i] = constant - dim * Math.log(Math.max(radii[i]!, 1e-12));
  return out;
}

/** Natural-log kNN density of every point (count × dim, row-major). */
export function knnLogDensity(points: ArrayLike<number>, dim: number, k: number): Float64Array {
  return logDensityFromRadii(kthNeighbourRadii(nearestNeighbours(points, dim, k)), dim, k);
}
