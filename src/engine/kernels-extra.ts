/**
 * Engine stage: the kernels behind the cell language's less common ops (abs, sqrt, the hard
 * sigmoids, constant powers, clip, elementwise min/max, transpose, row min/max, and the
 * repeat that lets a per-sample scalar meet a row), forward and backward side by side.
 * kernels.ts spreads them into its table; the shared helpers come in as arguments, so the
 * two files do not import each other's values.
 */
import { ShapeError } from '../errors.js';
import type { Kernel, OpAttrs } from './kernels.js';
import type { Data, Tensor } from './tensor.js';

interface Helpers {
  out(shape: readonly number[], like: Data): Tensor;
  unary(f: (x: number) => number, dfFromOut: (y: number, x: number) => number): Kernel;
  broadcastShape(a: readonly number[], b: readonly number[], op?: string): readonly number[];
}

type ExtraOp = 'abs' | 'sqrt' | 'hardsigmoid' | 'hardsigmoidKeras2' | 'powConst' | 'clip' | 'minimum' | 'maximum' | 'transpose' | 'rowMin' | 'rowMax' | 'expandCols';

type Out = Helpers['out'];

function unaryWithAttrs(out: Out, f: (x: number, attrs: OpAttrs) => number, df: (x: number, attrs: OpAttrs) => number): Kernel {
  return {
    forward([a], attrs) {
      const r = out(a!.shape, a!.data);
      for (let i = 0; i < r.data.length; i++) r.data[i] = f(a!.data[i]!, attrs);
      return r;
    },
    backward([a], _r, g, [ga], attrs) {
      if (ga) for (let i = 0; i < g.length; i++) ga[i] += g[i]! * df(a!.data[i]!, attrs);
    },
  };
}

/** Elementwise min or max with the smaller operand repeating (i mod its size); a tie sends the gradient to a. */
function extremum({ out, broadcastShape }: Helpers, pickA: (x: number, y: number) => boolean): Kernel {
  return {
    forward([a, b]) {
      const r = out(broadcastShape(a!.shape, b!.shape, 'min/max'), a!.data);
      const x = a!.data, y = b!.data;
      for (let i = 0; i < r.data.length; i++) {
        const u = x[i % x.length]!, v = y[i % y.length]!;
        r.data[i] = pickA(u, v) ? u : v;
      }
      return r;
    },
    backward([a, b], _r, g, [ga, gb]) {
      const x = a!.data, y = b!.data;
      for (let i = 0; i < g.length; i++) {
        const toA = pickA(x[i % x.length]!, y[i % y.length]!);
        if (toA && ga) ga[i % x.length] += g[i]!;
        if (!toA && gb) gb[i % y.length] += g[i]!;
      }
    },
  };
}

function rowExtremum(out: Out, better: (x: number, best: number) => boolean): Kernel {
  const argBest = (x: Data, start: number, n: number): number => {
    let k = start;
    for (let j = start + 1; j < start + n; j++) if (better(x[j]!, x[k]!)) k = j;
    return k;
  };
  return {
    forward([a]) {
      const n = a!.shape[a!.shape.length - 1] ?? 1;
      const r = out(a!.shape.slice(0, -1), a!.data);
      for (let i = 0; i < r.data.length; i++) r.data[i] = a!.data[argBest(a!.data, i * n, n)]!;
      return r;
    },
    backward([a], _r, g, [ga]) {
      if (!ga) return;
      const n = a!.shape[a!.shape.length - 1] ?? 1;
      for (let i = 0; i < g.length; i++) ga[argBest(a!.data, i * n, n)] += g[i]!;
    },
  };
}

/** a ^ factor for a constant exponent. */
function powConstKernel(out: Out): Kernel {
  return {
    forward([a], attrs) {
      const p = attrs.factor ?? 1;
      const r = out(a!.shape, a!.data);
      for (let i = 0; i < r.data.length; i++) r.data[i] = a!.data[i]! ** p;
      return r;
    },
    backward([a], _r, g, [ga], attrs) {
      const p = attrs.factor ?? 1;
      if (ga) for (let i = 0; i < g.length; i++) ga[i] += g[i]! * p * a!.data[i]! ** (p - 1);
    },
  };
}

/** a[M,N] → aᵀ[N,M]. */
function transposeKernel(out: Out): Kernel {
  return {
    forward([a]) {
      const [M, N] = a!.shape as [number, number];
      if (a!.shape.length !== 2) throw new ShapeError('operand', ['rows', 'cols'], a!.shape, 'transpose');
      const r = out([N, M], a!.data);
      for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) r.data[j * M + i] = a!.data[i * N + j]!;
      return r;
    },
    backward([a], _r, g, [ga]) {
      if (!ga) return;
      const [M, N] = a!.shape as [number, number];
      for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) ga[i * N + j] += g[j * M + i]!;
    },
  };
}

/** [..., 1] or [...] → [..., length]: each entry repeated along a new last axis (a per-row scalar against a row). */
function expandColsKernel(out: Out): Kernel {
  return {
    forward([a], attrs) {
      const n = attrs.length ?? 1;
      const rows = a!.data.length;
      const shape = a!.shape[a!.shape.length - 1] === 1 ? [...a!.shape.slice(0, -1), n] : [...a!.shape, n];
      const r = out(shape, a!.data);
      for (let i = 0; i < rows; i++) r.data.fill(a!.data[i]!, i * n, (i + 1) * n);
      return r;
    },
    backward([a], _r, g, [ga], attrs) {
      if (!ga) return;
      const n = attrs.length ?? 1;
      for (let i = 0; i < a!.data.length; i++) for (let j = 0; j < n; j++) ga[i] += g[i * n + j]!;
    },
  };
}

export function extraKernels(helpers: Helpers): Record<ExtraOp, Kernel> {
  const { out, unary } = helpers;
  return {
    abs: unary(Math.abs, (_y, x) => (x > 0 ? 1 : x < 0 ? -1 : 0)),
    sqrt: unary(Math.sqrt, (y) => 0.5 / y),
    /** Keras 3 and PyTorch: relu6(x + 3) / 6. */
    hardsigmoid: unary((x) => Math.min(Math.max(x + 3, 0), 6) / 6, (_y, x) => (x > -3 && x < 3 ? 1 / 6 : 0)),
    /** Keras 2: clip(0.2 x + 0.5, 0, 1). */
    hardsigmoidKeras2: unary((x) => Math.min(Math.max(0.2 * x + 0.5, 0), 1), (_y, x) => (x > -2.5 && x < 2.5 ? 0.2 : 0)),
    powConst: powConstKernel(out),
    /** min(max(a, low), high); the gradient passes only strictly inside the bounds. */
    clip: unaryWithAttrs(
      out,
      (x, attrs) => Math.min(Math.max(x, attrs.low ?? -Infinity), attrs.high ?? Infinity),
      (x, attrs) => (x > (attrs.low ?? -Infinity) && x < (attrs.high ?? Infinity) ? 1 : 0),
    ),
    // A NaN operand is picked (x !== x only for NaN), as Math.min/max and mathjs keep it.
    minimum: extremum(helpers, (x, y) => x <= y || x !== x),
    maximum: extremum(helpers, (x, y) => x >= y || x !== x),
    transpose: transposeKernel(out),
    /** The smallest (largest) entry along the last axis, which is removed; the gradient goes to the first such entry. */
    // The first NaN of a row is its min and max, as in Math.min(...row).
    rowMin: rowExtremum(out, (x, best) => x < best || (x !== x && best === best)),
    rowMax: rowExtremum(out, (x, best) => x > best || (x !== x && best === best)),
    expandCols: expandColsKernel(out),
  };
}
