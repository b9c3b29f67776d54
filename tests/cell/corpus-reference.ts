// Independent step functions for the literature cells in tests/fixtures/cells, written from
// the papers' equations in plain JavaScript (no IR, no mathjs): (weights, x_t, x_{t-1},
// previous states) → every statement's value at t, for one batch element.
import type { Tensor } from '../../src/engine/index.js';

export type Vec = number[];
type Weights = ReadonlyMap<string, Tensor>;
type Step = (P: Weights, x: Vec, xPrev: Vec, s: Record<string, Vec>) => Record<string, Vec>;

const sig = (v: number) => 1 / (1 + Math.exp(-v));
const W = (P: Weights, name: string) => {
  const t = P.get(name);
  if (!t) throw new Error(`reference: no weight '${name}'`);
  return t;
};
const mv = (P: Weights, name: string, x: Vec): Vec => {
  const M = W(P, name);
  const [rows, cols] = M.shape as [number, number];
  if (cols !== x.length) throw new Error(`reference: ${name} is [${rows}, ${cols}], x has ${x.length}`);
  return Array.from({ length: rows }, (_, i) => x.reduce((s, xk, k) => s + M.data[i * cols + k]! * xk, 0));
};
const v = (P: Weights, name: string): Vec => Array.from(W(P, name).data);
const s0 = (P: Weights, name: string): number => W(P, name).data[0]!;
const add = (...vs: Vec[]): Vec => vs[0]!.map((_, i) => vs.reduce((s, u) => s + u[i]!, 0));
const sub = (a: Vec, b: Vec): Vec => a.map((x, i) => x - b[i]!);
const mul = (a: Vec, b: Vec): Vec => a.map((x, i) => x * b[i]!);
const map = (a: Vec, f: (x: number) => number): Vec => a.map(f);
const oneMinus = (a: Vec): Vec => a.map((x) => 1 - x);
const scale = (k: number, a: Vec): Vec => a.map((x) => k * x);
const gate = (P: Weights, f: (x: number) => number, terms: [string, Vec][], bias: string): Vec => map(add(...terms.map(([n, x]) => mv(P, n, x)), v(P, bias)), f);

export const REFERENCE: Readonly<Record<string, Step>> = {
  elman: (P, x, _xp, { h }) => {
    const hNew = gate(P, Math.tanh, [['W_xh', x], ['W_hh', h!]], 'b_h');
    return { h: hNew, y: gate(P, sig, [['W_hy', hNew]], 'b_y') };
  },
  jordan: (P, x, _xp, { y }) => {
    const h = gate(P, Math.tanh, [['W_xh', x], ['W_yh', y!]], 'b_h');
    return { h, y: gate(P, sig, [['W_hy', h]], 'b_y') };
  },
  indrnn: (P, x, _xp, { h }) => ({ h: map(add(mv(P, 'W', x), mul(v(P, 'u'), h!), v(P, 'b')), (a) => Math.max(a, 0)) }),
  'mgu-paper': (P, x, _xp, { h }) => {
    const f = gate(P, sig, [['W_f', x], ['U_f', h!]], 'b_f');
    const ht = gate(P, Math.tanh, [['W_h', x], ['U_h', mul(f, h!)]], 'b_h');
    return { f, h_tilde: ht, h: add(mul(oneMinus(f), h!), mul(f, ht)) };
  },
  janet: (P, x, _xp, { c, h }) => {
    const s = add(mv(P, 'U_f', h!), mv(P, 'W_f', x), v(P, 'b_f'));
    const ct = gate(P, Math.tanh, [['U_c', h!], ['W_c', x]], 'b_c');
    const beta = s0(P, 'beta');
    const cNew = add(mul(map(s, sig), c!), mul(s.map((a) => 1 - sig(a - beta)), ct));
    return { s, c_tilde: ct, c: cNew, h: cNew };
  },
  qrnn: (P, x, xp, { c }) => {
    const z = gate(P, Math.tanh, [['W_z1', xp], ['W_z2', x]], 'b_z');
    const f = gate(P, sig, [['W_f1', xp], ['W_f2', x]], 'b_f');
    const o = gate(P, sig, [['W_o1', xp], ['W_o2', x]], 'b_o');
    const cNew = add(mul(f, c!), mul(oneMinus(f), z));
    return { z, f, o, c: cNew, h: mul(o, cNew) };
  },
  antisymmetric: (P, x, _xp, { h }) => {
    // (W - Wᵀ) h, written with Wᵀ's entries read by index: (Wᵀ h)_i = Σ_k W[k, i] h_k.
    const M = W(P, 'W');
    const n = h!.length;
    const antisym = Array.from({ length: n }, (_, i) => h!.reduce((s, hk, k) => s + (M.data[i * n + k]! - M.data[k * n + i]!) * hk, 0));
    const pre = add(antisym, scale(-s0(P, 'gamma'), h!), mv(P, 'V', x), v(P, 'b'));
    return { h: add(h!, scale(s0(P, 'eps'), map(pre, Math.tanh))) };
  },
  'antisymmetric-identity': (P, x, _xp, { h }) => {
    // The matrix A = W - Wᵀ - γI built entry by entry, then A h.
    const M = W(P, 'W');
    const n = h!.length;
    const A = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, k) => M.data[i * n + k]! - M.data[k * n + i]! - (i === k ? s0(P, 'gamma') : 0)));
    const pre = add(A.map((row) => row.reduce((s, a, k) => s + a * h![k]!, 0)), mv(P, 'V', x), v(P, 'b'));
    return { h: add(h!, scale(s0(P, 'eps'), map(pre, Math.tanh))) };
  },
  'layernorm-lstm': (P, x, _xp, { c, h }) => {
    const g4 = (k: string, f: (a: number) => number) => gate(P, f, [[`W_${k}`, x], [`U_${k}`, h!]], `b_${k}`);
    const [i, f, o, g] = [g4('i', sig), g4('f', sig), g4('o', sig), g4('g', Math.tanh)];
    const cNew = add(mul(f, c!), mul(i, g));
    const mu = cNew.reduce((a, b) => a + b, 0) / cNew.length;
    const variance = cNew.reduce((a, b) => a + (b - mu) ** 2, 0) / cNew.length;
    const normed = cNew.map((ci, k) => (v(P, 'gamma')[k]! * (ci - mu)) / Math.sqrt(variance + 1e-5) + v(P, 'beta')[k]!);
    return { i, f, o, g, c: cNew, mu: [mu], var_c: [variance], h: mul(o, map(normed, Math.tanh)) };
  },
  'cifg-lstm': (P, x, _xp, { c, h }) => {
    const f = gate(P, sig, [['W_f', x], ['U_f', h!]], 'b_f');
    const o = gate(P, sig, [['W_o', x], ['U_o', h!]], 'b_o');
    const ct = gate(P, Math.tanh, [['W_c', x], ['U_c', h!]], 'b_c');
    const cNew = add(mul(f, c!), mul(oneMinus(f), ct));
    return { f, o, c_tilde: ct, c: cNew, h: mul(o, map(cNew, Math.tanh)) };
  },
  'olah-lstm': (P, x, _xp, { c, h }) => {
    const hx = [...h!, ...x];
    const f = gate(P, sig, [['W_f', hx]], 'b_f');
    const i = gate(P, sig, [['W_i', hx]], 'b_i');
    const ct = gate(P, Math.tanh, [['W_C', hx]], 'b_C');
    const cNew = add(mul(f, c!), mul(i, ct));
    const o = gate(P, sig, [['W_o', hx]], 'b_o');
    return { f, i, c_tilde: ct, c: cNew, o, h: mul(o, map(cNew, Math.tanh)) };
  },
  sru: (P, x, _xp, { c }) => {
    const f = map(add(mv(P, 'W_f', x), mul(v(P, 'v_f'), c!), v(P, 'b_f')), sig);
    const r = map(add(mv(P, 'W_r', x), mul(v(P, 'v_r'), c!), v(P, 'b_r')), sig);
    const cNew = add(mul(f, c!), mul(oneMinus(f), mv(P, 'W', x)));
    return { f, r, c: cNew, h: add(mul(r, cNew), mul(oneMinus(r), x)) };
  },
  minimalrnn: (P, x, _xp, { h }) => {
    const z = gate(P, Math.tanh, [['W_x', x]], 'b_z');
    const u = gate(P, sig, [['U_h', h!], ['U_z', z]], 'b_u');
    return { z, u, h: add(mul(u, h!), mul(oneMinus(u), z)) };
  },
  ugrnn: (P, x, _xp, { h }) => {
    const c = gate(P, Math.tanh, [['W_cx', x], ['W_ch', h!]], 'b_c');
    const g = gate(P, sig, [['W_gx', x], ['W_gh', h!]], 'b_g');
    return { c, g, h: add(mul(g, h!), mul(oneMinus(g), c)) };
  },
  'stacked-rnn': (P, x, _xp, { h1, h2 }) => {
    const a = gate(P, Math.tanh, [['W_1', x], ['U_1', h1!]], 'b_1');
    return { h1: a, h2: gate(P, Math.tanh, [['W_2', a], ['U_2', h2!]], 'b_2') };
  },
  'gru-keras2': (P, x, _xp, { h }) => {
    const hard = (a: number) => Math.min(1, Math.max(0, 0.2 * a + 0.5));
    const z = gate(P, hard, [['W_z', x], ['U_z', h!]], 'b_z');
    const r = gate(P, hard, [['W_r', x], ['U_r', h!]], 'b_r');
    const hh = gate(P, Math.tanh, [['W_h', x], ['U_h', mul(r, h!)]], 'b_h');
    return { z, r, h_hat: hh, h: add(mul(z, h!), mul(oneMinus(z), hh)) };
  },
  scrn: (P, x, _xp, { s, h }) => {
    // Mikolov et al. 2015: slow context s_t = (1 − α) B x_t + α s_{t−1}, α = 0.95.
    const sNew = add(scale(1 - 0.95, mv(P, 'B', x)), scale(0.95, s!));
    const hNew = map(add(mv(P, 'P', sNew), mv(P, 'A', h!), mv(P, 'R', x)), sig);
    return { s: sNew, h: hNew, y: add(mv(P, 'U', hNew), mv(P, 'V', sNew)) };
  },
  'lowrank-rnn': (P, x, _xp, { h }) => {
    // U (V h) computed as the full product (U V) h, an independent order of summation.
    const U = W(P, 'U'), V = W(P, 'V');
    const [n, r] = U.shape as [number, number];
    const UV = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => Array.from({ length: r }, (_, k) => U.data[i * r + k]! * V.data[k * n + j]!).reduce((a, b) => a + b, 0)));
    const rec = UV.map((row) => row.reduce((s, w, j) => s + w * h![j]!, 0));
    return { h: map(add(mv(P, 'W', x), rec, v(P, 'b')), (a) => Math.min(1, Math.max(-1, a))) };
  },
  'bounded-rnn': (P, x, _xp, { h }) => {
    const a = add(mv(P, 'W', x), mv(P, 'U', h!), v(P, 'b'));
    const g = gate(P, (u) => Math.min(6, Math.max(0, u + 3)) / 6, [['W_g', x]], 'b_g');
    const n = a.reduce((s, u) => s + Math.abs(u), 0) + Math.max(...a) - Math.min(...a);
    const relu6 = map(a, (u) => Math.min(6, Math.max(0, u)));
    return { a, g, n: [n], h: add(mul(g, relu6).map((u) => u / (1 + n * n)), mul(oneMinus(g), h!)) };
  },
  ligru: (P, x, _xp, { h }) => {
    // Ravanelli et al. 2018, batch norm at inference with its scale folded into γ: γ (a − m) + β.
    const bn = (k: string, a: Vec) => a.map((ai, u) => v(P, `gamma_${k}`)[u]! * (ai - v(P, `m_${k}`)[u]!) + v(P, `beta_${k}`)[u]!);
    const [az, ah] = [bn('z', mv(P, 'W_z', x)), bn('h', mv(P, 'W_h', x))];
    const z = map(add(az, mv(P, 'U_z', h!)), sig);
    const ht = map(add(ah, mv(P, 'U_h', h!)), (a) => Math.max(0, a));
    return { a_z: az, a_h: ah, z, h_tilde: ht, h: add(mul(z, h!), mul(oneMinus(z), ht)) };
  },
  'delta-rnn': (P, x, _xp, { h }) => {
    // Ororbia et al. 2017: d1 = α ⊙ Vh ⊙ Wx, d2 = β1 ⊙ Vh + β2 ⊙ Wx, r = σ(Wx + b_r), identity outer activation.
    const Vh = mv(P, 'V', h!);
    const Wx = mv(P, 'W', x);
    const d1 = Vh.map((a, k) => v(P, 'alpha')[k]! * a * Wx[k]!);
    const d2 = Vh.map((a, k) => v(P, 'beta1')[k]! * a + v(P, 'beta2')[k]! * Wx[k]!);
    const z = map(add(d1, d2, v(P, 'b')), Math.tanh);
    const r = map(add(Wx, v(P, 'b_r')), sig);
    return { d1, d2, z, r, h: add(mul(oneMinus(r), z), mul(r, h!)) };
  },
};
