/**
 * VAE stage: the model. An MLP encoder x → relu(hidden) → (mu, logvar), the reparameterized
 * sample z = mu + exp(logvar / 2) ⊙ eps, and a mirrored decoder z → relu(hidden) → x̂, built on
 * the engine's Tape (one autodiff for the whole project). Bernoulli likelihood on logits
 * (binary cross-entropy, as Kingma and Welling's MNIST experiments and the PyTorch example), or
 * a Gaussian one with a learned per-dimension variance for real-valued data.
 */
import { adam, parameter, Tape, type Optimizer, type Parameter, type Tensor, type Var } from '../../engine/index.js';
import { clipText, InputError } from '../../errors.js';
import { createRandom, type Random } from '../../random.js';
import { totalCorrelationOnTape, type TcEstimator } from './total-correlation.js';
import { convDecode, convEncode, convFeatures, convParameterList, convShapes, createConvParams, glorotBound, type ConvParams } from './conv-net.js';

export type Likelihood = 'bernoulli' | 'gaussian';

/** mlp: one hidden layer each way; conv: Burgess et al.'s convolutions around the dense layers (conv-net.ts). */
export type Arch = 'mlp' | 'conv';

/**
 * beta-vae: recon + β·KL (Higgins et al. 2017). beta-tcvae: recon + KL + (β − 1)·TC (Chen et al.
 * 2018 with α = γ = 1): only the total-correlation part of the KL is weighted by β, TC by
 * minibatch-weighted sampling over a dataset of `datasetSize` rows.
 */
export type Objective = 'beta-vae' | 'beta-tcvae';

export interface LossOptions {
  readonly objective?: Objective;
  /** Rows in the training set (N of the minibatch-weighted sampling estimator). */
  readonly datasetSize?: number;
  /** beta-tcvae's estimator of log q(z): minibatch-weighted (default) or minibatch-stratified sampling. */
  readonly tcEstimator?: TcEstimator;
}

export interface VaeConfig {
  readonly input: number;
  readonly hidden: number;
  readonly latent: number;
  readonly beta: number;
  readonly likelihood: Likelihood;
  /** Absent means 'mlp' (models saved before the option keep their bytes). */
  readonly arch?: Arch;
}

/**
 * The learned tensors. Weights are stored [in, out] so a layer is x · W + b: the engine's
 * matmul then runs its i-k-j kernel forward, and its gradient Xᵀ · dY skips the zero pixels
 * of MNIST-like inputs (about 80 % of them), which makes the first layer's backward cheap.
 */
export interface VaeParams {
  readonly encW: Parameter;
  readonly encB: Parameter;
  readonly muW: Parameter;
  readonly muB: Parameter;
  readonly logvarW: Parameter;
  readonly logvarB: Parameter;
  readonly decW: Parameter;
  readonly decB: Parameter;
  readonly outW: Parameter;
  readonly outB: Parameter;
  /** Gaussian likelihood only: log σ² per input dimension. */
  readonly outLogvar?: Parameter;
  /** arch conv only: the convolutions before encW and after outW. */
  readonly conv?: ConvParams;
}

export interface Vae {
  readonly config: VaeConfig;
  readonly params: VaeParams;
}

export const PARAM_NAMES = ['encW', 'encB', 'muW', 'muB', 'logvarW', 'logvarB', 'decW', 'decB', 'outW', 'outB', 'outLogvar'] as const;

/** Every parameter of a model, in a fixed order (for the optimizer and for saving). */
export function parameterList(model: Vae): Parameter[] {
  const dense = PARAM_NAMES.map((name) => model.params[name]).filter((p): p is Parameter => p !== undefined);
  return model.params.conv ? [...dense, ...convParameterList(model.params.conv)] : dense;
}

/**
 * PyTorch's nn.Linear default initialisation: W and b from U(−1/√in, 1/√in); or, for the conv
 * model (`glorot`), TensorFlow's as disentanglement_lib has it: Glorot-uniform W, zero b (conv-net.ts).
 */
function layer(name: string, fanIn: number, fanOut: number, random: Random, glorot = false): [Parameter, Parameter] {
  const bound = glorot ? glorotBound(fanIn, fanOut) : 1 / Math.sqrt(fanIn);
  const W = new Float32Array(fanIn * fanOut);
  const b = new Float32Array(fanOut);
  random.fillUniform(W, -bound, bound);
  if (!glorot) random.fillUniform(b, -bound, bound);
  return [parameter(`${name}W`, { shape: [fanIn, fanOut], data: W }), parameter(`${name}B`, { shape: [fanOut], data: b })];
}

/** A freshly initialised model (float32). */
export function createVae(config: VaeConfig, random: Random): Vae {
  for (const key of ['input', 'hidden', 'latent'] as const) {
    if (!(Number.isInteger(config[key]) && config[key] > 0)) throw new InputError(`--${key} must be a positive integer, got ${config[key]}`);
  }
  if (!(config.beta >= 0)) throw new InputError(`--beta must be a non-negative number, got ${config.beta}`);
  if (config.arch !== undefined && config.arch !== 'mlp' && config.arch !== 'conv') throw new InputError(`--arch must be mlp or conv, got '${clipText(String(config.arch))}'`);
  const conv = config.arch === 'conv';
  // The conv model's dense layers meet the flattened feature maps instead of the pixels.
  const features = conv ? convFeatures(config.input) : config.input;
  const [encW, encB] = layer('enc', features, config.hidden, random, conv);
  const [muW, muB] = layer('mu', config.hidden, config.latent, random, conv);
  const [logvarW, logvarB] = layer('logvar', config.hidden, config.latent, random, conv);
  const [decW, decB] = layer('dec', config.latent, config.hidden, random, conv);
  const [outW, outB] = layer('out', config.hidden, features, random, conv);
  const params: VaeParams = { encW, encB, muW, muB, logvarW, logvarB, decW, decB, outW, outB, ...(conv ? { conv: createConvParams(random) } : {}) };
  if (config.likelihood === 'gaussian') {
    return { config, params: { ...params, outLogvar: parameter('outLogvar', { shape: [config.input], data: new Float32Array(config.input) }) } };
  }
  return { config, params };
}

/** x · W + b, and relu after when asked (one engine op: the values of matmul, add and relu). */
function affine(tape: Tape, x: Var, W: Parameter, b: Parameter, relu = false): Var {
  return tape.affine(x, tape.param(W), tape.param(b), { relu });
}

/** Encoder: rows [batch, input] → mu, logvar [batch, latent]. */
export function encode(tape: Tape, model: Vae, x: Var): { mu: Var; logvar: Var } {
  const p = model.params;
  const h = affine(tape, p.conv ? convEncode(tape, p.conv, x) : x, p.encW, p.encB, true);
  return { mu: affine(tape, h, p.muW, p.muB), logvar: affine(tape, h, p.logvarW, p.logvarB) };
}

/** Decoder: z [batch, latent] → the likelihood's location (logits for Bernoulli, means for Gaussian). */
export function decode(tape: Tape, model: Vae, z: Var): Var {
  const p = model.params;
  const h = affine(tape, z, p.decW, p.decB, true);
  if (p.conv) return convDecode(tape, p.conv, affine(tape, h, p.outW, p.outB, true));
  return affine(tape, h, p.outW, p.outB);
}

/** The reparameterization: z = mu + exp(logvar / 2) ⊙ eps, eps ~ N(0, I) a constant on the tape. */
export function reparameterize(tape: Tape, mu: Var, logvar: Var, eps: Tensor): Var {
  return tape.add(mu, tape.mul(tape.exp(tape.scale(logvar, 0.5)), tape.constant(eps, 'eps')));
}

/** Per-row losses in nats: reconstruction (negative log-likelihood) and KL, and the β-weighted sum to minimise. */
export interface BatchLoss {
  readonly loss: Var;
  /** Mean over the batch, nats per row. */
  readonly reconstruction: number;
  readonly kl: number;
  /** beta-tcvae only: the minibatch's total-correlation estimate (nats per row). */
  readonly tc?: number;
}

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Negative ELBO pieces for a batch x [batch, input] with noise eps [batch, latent]:
 * loss = recon + beta · KL, both summed over dimensions and averaged over rows.
 */
export function batchLoss(tape: Tape, model: Vae, x: Tensor, eps: Tensor, options: LossOptions = {}): BatchLoss {
  const rows = x.shape[0]!;
  const input = tape.constant(x, 'x');
  const { mu, logvar } = encode(tape, model, input);
  const z = reparameterize(tape, mu, logvar, eps);
  const location = decode(tape, model, z);
  const kl = tape.gaussianKl(mu, logvar, 'batchmean');
  let recon: Var;
  let reconOffset = 0;
  if (model.config.likelihood === 'bernoulli') recon = tape.bceWithLogits(location, input, 'batchmean');
  else {
    // −log N(x; m, σ²) = ½ [(x − m)² e^{−log σ²} + log σ² + log 2π], summed over dimensions.
    const logvarOut = tape.param(model.params.outLogvar!);
    const squared = tape.square(tape.sub(location, input));
    const weighted = tape.sum(tape.mul(squared, tape.exp(tape.neg(logvarOut))));
    recon = tape.scale(tape.add(tape.scale(weighted, 1 / rows), tape.sum(logvarOut)), 0.5);
    reconOffset = 0.5 * model.config.input * LOG_2PI;
  }
  const pieces = { reconstruction: recon.value.data[0]! + reconOffset, kl: kl.value.data[0]! };
  const { beta } = model.config;
  if (options.objective === 'beta-tcvae') {
    const tc = totalCorrelationOnTape(tape, z, mu, logvar, options.datasetSize ?? rows, options.tcEstimator);
    const loss = beta === 1 ? tape.add(recon, kl) : tape.add(tape.add(recon, kl), tape.scale(tc.term, beta - 1));
    return { loss, ...pieces, tc: tc.value };
  }
  const loss = beta === 1 ? tape.add(recon, kl) : tape.add(recon, tape.scale(kl, beta));
  return { loss, ...pieces };
}

/**
 * Adam over every parameter of the model, its moments in float32 as PyTorch keeps them (a quarter
 * of the float64 update's time), the weights and gradients moved beside them into its
 * WebAssembly memory (`resident`: no copies in and out each step; the same bits).
 */
export function optimizerFor(model: Vae, lr: number): Optimizer {
  return adam(parameterList(model), { lr, moments: 'float32', resident: true });
}

/** Rows start..start+rows of a row-major Float32Array as a [rows, dim] tensor, without copying. */
export function rowsTensor(values: Float32Array, start: number, rows: number, dim: number): Tensor {
  return { shape: [rows, dim], data: values.subarray(start * dim, (start + rows) * dim) };
}

/** The model's tensors as plain numbers, for JSON (float32 values printed to 9 significant digits round-trip exactly). */
export function toJsonModel(model: Vae): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const p of parameterList(model)) {
    params[p.name] = { shape: p.value.shape, data: Array.from(p.value.data, (v) => Number(v.toPrecision(9))) };
  }
  return { format: 'gateflow-vae', version: 1, config: { ...model.config }, layout: 'x · W + b, W stored [in, out], row-major', params };
}

/** The shape of every parameter of a model with this configuration, without allocating it. */
function parameterShapes(config: VaeConfig): Record<string, number[]> {
  const { input, hidden, latent } = config;
  const conv = config.arch === 'conv';
  const features = conv ? convFeatures(input) : input;
  return {
    encW: [features, hidden], encB: [hidden], muW: [hidden, latent], muB: [latent], logvarW: [hidden, latent], logvarB: [latent],
    decW: [latent, hidden], decB: [hidden], outW: [hidden, features], outB: [features],
    ...(config.likelihood === 'gaussian' ? { outLogvar: [input] } : {}),
    ...(conv ? convShapes() : {}),
  };
}

/**
 * A model back from toJsonModel's output. The configuration is only a claim: every tensor's
 * shape and data are checked against it before the model is allocated, so a file declaring
 * "input": 100000000 is refused instead of filling memory.
 */
export function fromJsonModel(json: unknown, file = 'model'): Vae {
  const object = json as { format?: unknown; config?: unknown; params?: unknown } | null;
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(object) || object.format !== 'gateflow-vae' || !isObject(object.config) || !isObject(object.params)) {
    throw new InputError(`${file}: not a gateflow VAE model (expected "format": "gateflow-vae")`);
  }
  const config = object.config as unknown as VaeConfig;
  if (config.likelihood !== 'bernoulli' && config.likelihood !== 'gaussian') {
    throw new InputError(`${file}: unknown likelihood '${String(config.likelihood)}' (bernoulli, gaussian)`);
  }
  if (config.arch !== undefined && config.arch !== 'mlp' && config.arch !== 'conv') {
    throw new InputError(`${file}: unknown arch '${clipText(String(config.arch))}' (mlp, conv)`);
  }
  for (const key of ['input', 'hidden', 'latent'] as const) {
    if (!(Number.isSafeInteger(config[key]) && config[key] > 0)) throw new InputError(`${file}: config.${key} must be a positive integer, found ${JSON.stringify(config[key])}`);
  }
  if (!(typeof config.beta === 'number' && config.beta >= 0 && Number.isFinite(config.beta))) {
    throw new InputError(`${file}: config.beta must be a non-negative number, found ${JSON.stringify(config.beta)}`);
  }
  const params = object.params;
  const data = new Map<string, readonly number[]>();
  for (const [name, expected] of Object.entries(parameterShapes(config))) {
    const stored = Object.hasOwn(params, name) ? params[name] : undefined;
    if (!isObject(stored)) throw new InputError(`${file}: parameter '${name}' is missing`);
    const shape = stored.shape;
    if (!Array.isArray(shape) || shape.join() !== expected.join() || !Array.isArray(stored.data) || stored.data.length !== expected.reduce((a, b) => a * b, 1)) {
      const found = Array.isArray(shape) ? `[${shape.map((d) => clipText(JSON.stringify(d) ?? String(d), 20)).join(', ')}]` : clipText(JSON.stringify(shape) ?? 'nothing');
      throw new InputError(`${file}: parameter '${name}' has shape ${found}, expected [${expected.join(', ')}]`);
    }
    if (!stored.data.every((v) => typeof v === 'number' && Number.isFinite(v))) throw new InputError(`${file}: parameter '${name}' holds a value that is not a finite number`);
    data.set(name, stored.data as number[]);
  }
  // Any initial values do: every tensor is overwritten from the file.
  const arch = config.arch === undefined ? {} : { arch: config.arch };
  const shell = createVae({ input: config.input, hidden: config.hidden, latent: config.latent, beta: config.beta, likelihood: config.likelihood, ...arch }, createRandom(0));
  for (const p of parameterList(shell)) p.value.data.set(data.get(p.name)!);
  return shell;
}
