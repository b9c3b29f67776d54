/**
 * VAE stage: the total correlation TC = KL(q(z) ‖ Π_j q(z_j)) of a minibatch, by Chen et al.'s
 * (2018) minibatch-weighted sampling: with M rows from a dataset of N,
 *   log q(z_i)   ≈ logsumexp_k log q(z_i | x_k) − log(N M)
 *   log q(z_ij)  ≈ logsumexp_k log q(z_ij | x_k) − log(N M)
 *   TC ≈ (1/M) Σ_i [log q(z_i) − Σ_j log q(z_ij)].
 * or by their minibatch-stratified sampling (mss), which weights the row's own posterior 1/N, one
 * other row (N − M')/(N M') and the remaining ones 1/M' (M' = M − 1), so that q(z_i) is estimated
 * from the other rows rather than dominated by q(z_i | x_i) (the weights of the paper's formula, on
 * the diagonal: the released code's strided view sets columns 0 and 1 instead, rtqichen/beta-tcvae#1).
 * Its gradient with respect to z, mu and logvar is written out here (O(M² · latent), small), and
 * enters the tape as a term linear in those three whose value is the estimate.
 */
import type { Tape, Var } from '../../engine/index.js';

const LOG_2PI = Math.log(2 * Math.PI);

/** Chen et al.'s two estimators of log q(z): minibatch-weighted (mws) and minibatch-stratified (mss) sampling. */
export type TcEstimator = 'mws' | 'mss';

export interface TotalCorrelation {
  /** The estimate, nats per row. */
  readonly value: number;
  /** dTC/dz, dTC/dmu, dTC/dlogvar, each rows × latent. */
  readonly gradZ: Float64Array;
  readonly gradMu: Float64Array;
  readonly gradLogvar: Float64Array;
}

/** In place: turns `values[0..n)` into softmax weights and returns their logsumexp. */
function softmaxInPlace(values: Float64Array, n: number): number {
  let max = -Infinity;
  for (let k = 0; k < n; k++) max = Math.max(max, values[k]!);
  let sum = 0;
  for (let k = 0; k < n; k++) sum += Math.exp(values[k]! - max);
  const lse = max + Math.log(sum);
  for (let k = 0; k < n; k++) values[k] = Math.exp(values[k]! - lse);
  return lse;
}

/** Stratified sampling's log w_ik, the weight of row k's posterior in row i's estimate of q(z_i) (each row's weights sum to 1). */
export function stratifiedLogWeights(rows: number, datasetSize: number): Float64Array {
  const weights = new Float64Array(rows * rows);
  if (rows < 2) return weights;
  const others = rows - 1;
  const strat = Math.log(Math.max(datasetSize - others, 0) / (datasetSize * others));
  weights.fill(-Math.log(others));
  for (let i = 0; i < rows; i++) {
    weights[i * rows + i] = -Math.log(datasetSize);
    weights[i * rows + ((i + 1) % rows)] = strat;
  }
  return weights;
}

/** The TC of codes z (rows × latent) drawn from q(z|x) = N(mu, exp(logvar)), by minibatch-weighted (default) or -stratified sampling. */
export function totalCorrelation(z: ArrayLike<number>, mu: ArrayLike<number>, logvar: ArrayLike<number>, latent: number, datasetSize: number, estimator: TcEstimator = 'mws'): TotalCorrelation {
  const rows = z.length / latent;
  // mws weights every row 1/(N M): a constant, kept outside the logsumexps as before (the same bits).
  const logWeights = estimator === 'mss' ? stratifiedLogWeights(rows, datasetSize) : undefined;
  const logNM = logWeights ? 0 : Math.log(datasetSize * rows);
  const gradZ = new Float64Array(rows * latent);
  const gradMu = new Float64Array(rows * latent);
  const gradLogvar = new Float64Array(rows * latent);
  const pairLog = new Float64Array(rows * latent); // log q(z_ij | x_k) for one i: [k, j]
  const joint = new Float64Array(rows);
  const marginal = new Float64Array(rows);
  const marginalWeights = new Float64Array(rows * latent);
  let value = 0;
  for (let i = 0; i < rows; i++) {
    for (let k = 0; k < rows; k++) joint[k] = logWeights ? logWeights[i * rows + k]! : 0;
    for (let k = 0; k < rows; k++) {
      for (let j = 0; j < latent; j++) {
        const d = z[i * latent + j]! - mu[k * latent + j]!;
        const lv = logvar[k * latent + j]!;
        const l = -0.5 * (d * d * Math.exp(-lv) + lv + LOG_2PI);
        pairLog[k * latent + j] = l;
        joint[k]! += l;
      }
    }
    value += softmaxInPlace(joint, rows) - logNM;
    for (let j = 0; j < latent; j++) {
      for (let k = 0; k < rows; k++) marginal[k] = logWeights ? pairLog[k * latent + j]! + logWeights[i * rows + k]! : pairLog[k * latent + j]!;
      value -= softmaxInPlace(marginal, rows) - logNM;
      for (let k = 0; k < rows; k++) marginalWeights[k * latent + j] = marginal[k]!;
    }
    // dTC/dl_ikj = (w_ik − w^j_ik) / M, then the chain rule through l = −½[(z − mu)² e^{−logvar} + logvar + log 2π].
    for (let k = 0; k < rows; k++) {
      for (let j = 0; j < latent; j++) {
        const c = (joint[k]! - marginalWeights[k * latent + j]!) / rows;
        if (c === 0) continue;
        const d = z[i * latent + j]! - mu[k * latent + j]!;
        const precision = Math.exp(-logvar[k * latent + j]!);
        gradZ[i * latent + j]! -= c * d * precision;
        gradMu[k * latent + j]! += c * d * precision;
        gradLogvar[k * latent + j]! += 0.5 * c * (d * d * precision - 1);
      }
    }
  }
  return { value: value / rows, gradZ, gradMu, gradLogvar };
}

/** TC on the tape: a term whose gradient is TC's and whose value is the estimate. */
export function totalCorrelationOnTape(tape: Tape, z: Var, mu: Var, logvar: Var, datasetSize: number, estimator: TcEstimator = 'mws'): { readonly term: Var; readonly value: number } {
  const latent = z.value.shape[1]!;
  const tc = totalCorrelation(z.value.data, mu.value.data, logvar.value.data, latent, datasetSize, estimator);
  const like = (data: Float64Array) => ({ shape: z.value.shape, data: z.value.data instanceof Float32Array ? Float32Array.from(data) : data });
  const dot = (v: Var, g: Float64Array) => tape.sum(tape.mul(v, tape.constant(like(g), 'dTC')));
  const linear = tape.add(tape.add(dot(z, tc.gradZ), dot(mu, tc.gradMu)), dot(logvar, tc.gradLogvar));
  const offset = new (z.value.data instanceof Float32Array ? Float32Array : Float64Array)([tc.value - linear.value.data[0]!]);
  return { term: tape.add(linear, tape.constant({ shape: linear.value.shape, data: offset }, 'TC offset')), value: tc.value };
}
