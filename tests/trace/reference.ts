// Independent reference implementations, written from the equations in
// shared/onnx-backend/README.md and shared/numerics.md with plain loops (no IR, no mathjs),
// so the trace stage is checked against something it does not share code with.

export type Vec = number[];
export type Mat = number[][];

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const matVec = (m: Mat, v: Vec): Vec => m.map((row) => row.reduce((s, w, j) => s + w * v[j], 0));
const addV = (...vs: Vec[]): Vec => vs[0].map((_, i) => vs.reduce((s, v) => s + v[i], 0));
const mulV = (a: Vec, b: Vec): Vec => a.map((v, i) => v * b[i]);
const map = (a: Vec, f: (x: number) => number): Vec => a.map(f);

/** Rows k·H … (k+1)·H−1 of a stacked [G·H][cols] matrix. */
export const block = (m: Mat, k: number, H: number): Mat => m.slice(k * H, (k + 1) * H);
export const blockV = (v: Vec, k: number, H: number): Vec => v.slice(k * H, (k + 1) * H);

/** ONNX GRU, gate blocks z, r, h; W [3H][I], R [3H][H], B [6H]. Returns h after every step. */
export function onnxGru(X: Vec[], W: Mat, R: Mat, B: Vec, H: number, linearBeforeReset: boolean, h0?: Vec): Vec[] {
  const [Wz, Wr, Wh] = [0, 1, 2].map((k) => block(W, k, H));
  const [Rz, Rr, Rh] = [0, 1, 2].map((k) => block(R, k, H));
  const [Wbz, Wbr, Wbh, Rbz, Rbr, Rbh] = [0, 1, 2, 3, 4, 5].map((k) => blockV(B, k, H));
  let h = h0 ?? new Array(H).fill(0);
  const out: Vec[] = [];
  for (const x of X) {
    const z = map(addV(matVec(Wz, x), matVec(Rz, h), Wbz, Rbz), sigmoid);
    const r = map(addV(matVec(Wr, x), matVec(Rr, h), Wbr, Rbr), sigmoid);
    const n = linearBeforeReset
      ? map(addV(matVec(Wh, x), mulV(r, addV(matVec(Rh, h), Rbh)), Wbh), Math.tanh)
      : map(addV(matVec(Wh, x), matVec(Rh, mulV(r, h)), Rbh, Wbh), Math.tanh);
    h = h.map((hp, i) => (1 - z[i]) * n[i] + z[i] * hp);
    out.push(h);
  }
  return out;
}

/** ONNX LSTM, gate blocks i, o, f, c; P blocks i, o, f (o peeks at the new c). Returns [h, c] per step. */
export function onnxLstm(X: Vec[], W: Mat, R: Mat, B: Vec, P: Vec | undefined, H: number): { h: Vec; c: Vec }[] {
  const [Wi, Wo, Wf, Wc] = [0, 1, 2, 3].map((k) => block(W, k, H));
  const [Ri, Ro, Rf, Rc] = [0, 1, 2, 3].map((k) => block(R, k, H));
  const [Wbi, Wbo, Wbf, Wbc, Rbi, Rbo, Rbf, Rbc] = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => blockV(B, k, H));
  const [Pi, Po, Pf] = P ? [0, 1, 2].map((k) => blockV(P, k, H)) : [0, 1, 2].map(() => new Array(H).fill(0));
  let h = new Array(H).fill(0);
  let c = new Array(H).fill(0);
  const out: { h: Vec; c: Vec }[] = [];
  for (const x of X) {
    const i = map(addV(matVec(Wi, x), matVec(Ri, h), mulV(Pi, c), Wbi, Rbi), sigmoid);
    const f = map(addV(matVec(Wf, x), matVec(Rf, h), mulV(Pf, c), Wbf, Rbf), sigmoid);
    const g = map(addV(matVec(Wc, x), matVec(Rc, h), Wbc, Rbc), Math.tanh);
    c = addV(mulV(f, c), mulV(i, g));
    const o = map(addV(matVec(Wo, x), matVec(Ro, h), mulV(Po, c), Wbo, Rbo), sigmoid);
    h = mulV(o, map(c, Math.tanh));
    out.push({ h, c });
  }
  return out;
}

/** PyTorch nn.GRU: chunks r, z, n; the reset multiplies (W_hn h + b_hn). */
export function torchGru(X: Vec[], wih: Mat, whh: Mat, bih: Vec, bhh: Vec, H: number): Vec[] {
  const [Wir, Wiz, Win] = [0, 1, 2].map((k) => block(wih, k, H));
  const [Whr, Whz, Whn] = [0, 1, 2].map((k) => block(whh, k, H));
  const [bir, biz, bin] = [0, 1, 2].map((k) => blockV(bih, k, H));
  const [bhr, bhz, bhn] = [0, 1, 2].map((k) => blockV(bhh, k, H));
  let h = new Array(H).fill(0);
  const out: Vec[] = [];
  for (const x of X) {
    const r = map(addV(matVec(Wir, x), bir, matVec(Whr, h), bhr), sigmoid);
    const z = map(addV(matVec(Wiz, x), biz, matVec(Whz, h), bhz), sigmoid);
    const n = map(addV(matVec(Win, x), bin, mulV(r, addV(matVec(Whn, h), bhn))), Math.tanh);
    h = h.map((hp, i) => (1 - z[i]) * n[i] + z[i] * hp);
    out.push(h);
  }
  return out;
}

/** PyTorch nn.LSTM: chunks i, f, g, o. Returns [h, c] per step. */
export function torchLstm(X: Vec[], wih: Mat, whh: Mat, bih: Vec, bhh: Vec, H: number): { h: Vec; c: Vec }[] {
  const Wi = [0, 1, 2, 3].map((k) => block(wih, k, H));
  const Wh = [0, 1, 2, 3].map((k) => block(whh, k, H));
  const bi = [0, 1, 2, 3].map((k) => blockV(bih, k, H));
  const bh = [0, 1, 2, 3].map((k) => blockV(bhh, k, H));
  let h = new Array(H).fill(0);
  let c = new Array(H).fill(0);
  const out: { h: Vec; c: Vec }[] = [];
  for (const x of X) {
    const pre = (k: number) => addV(matVec(Wi[k], x), bi[k], matVec(Wh[k], h), bh[k]);
    const [i, f, g, o] = [map(pre(0), sigmoid), map(pre(1), sigmoid), map(pre(2), Math.tanh), map(pre(3), sigmoid)];
    c = addV(mulV(f, c), mulV(i, g));
    h = mulV(o, map(c, Math.tanh));
    out.push({ h, c });
  }
  return out;
}

/** PyTorch nn.RNN (tanh). */
export function torchRnn(X: Vec[], wih: Mat, whh: Mat, bih: Vec, bhh: Vec): Vec[] {
  let h = new Array(whh.length).fill(0);
  return X.map((x) => (h = map(addV(matVec(wih, x), bih, matVec(whh, h), bhh), Math.tanh)));
}

/** A seeded matrix/vector filler (a small LCG, independent of src/random.ts). */
export function filler(seed: number): { mat: (rows: number, cols: number, scale?: number) => Mat; vec: (n: number, scale?: number) => Vec } {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  const value = (scale: number) => Math.fround((2 * next() - 1) * scale);
  return {
    mat: (rows, cols, scale = 1) => Array.from({ length: rows }, () => Array.from({ length: cols }, () => value(scale))),
    vec: (n, scale = 1) => Array.from({ length: n }, () => value(scale)),
  };
}

/** Keras 2's hard_sigmoid (numerics.md §4.1): clip(0.2x + 0.5, 0, 1). */
export const hardSigmoidKeras2 = (x: number): number => Math.min(1, Math.max(0, 0.2 * x + 0.5));

/**
 * A GRU in ONNX layout (blocks z, r, h; B = [Wb, Rb]) with the knobs conversions get wrong:
 * the reset after (lbr) or before the matmul, Chung et al.'s update convention (z takes the
 * candidate), and the gates' squashing function. Returns h after every step.
 */
export function gruReference(X: Vec[], W: Mat, R: Mat, B: Vec, H: number, o: { lbr: boolean; chung?: boolean; gate?: (x: number) => number }): Vec[] {
  const gate = o.gate ?? sigmoid;
  const [Wz, Wr, Wh] = [0, 1, 2].map((k) => block(W, k, H));
  const [Rz, Rr, Rh] = [0, 1, 2].map((k) => block(R, k, H));
  const [Wbz, Wbr, Wbh, Rbz, Rbr, Rbh] = [0, 1, 2, 3, 4, 5].map((k) => blockV(B, k, H));
  let h: Vec = new Array(H).fill(0);
  return X.map((x) => {
    const z = map(addV(matVec(Wz, x), matVec(Rz, h), Wbz, Rbz), gate);
    const r = map(addV(matVec(Wr, x), matVec(Rr, h), Wbr, Rbr), gate);
    const recurrent = o.lbr ? mulV(r, addV(matVec(Rh, h), Rbh)) : addV(matVec(Rh, mulV(r, h)), Rbh);
    const n = map(addV(matVec(Wh, x), Wbh, recurrent), Math.tanh);
    h = h.map((hp, i) => (o.chung ? z[i] * n[i] + (1 - z[i]) * hp : (1 - z[i]) * n[i] + z[i] * hp));
    return h;
  });
}

/** A matrix's transpose (Keras kernels are ONNX's W transposed). */
export const transpose = (m: Mat): Mat => m[0].map((_, j) => m.map((row) => row[j]));
