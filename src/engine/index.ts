/**
 * The engine: typed-array kernels with reverse-mode gradients, and cells compiled onto them.
 *
 * Tensors are `{shape, data}` with `data` a Float64Array or Float32Array in row-major order;
 * a batch of vectors is `[B, n]` (one row per sample), a batch of sequences `[T, B, n]`.
 * Matrix conventions: `tape.matmul(a, b)` is a[M,K]·b[K,N]; `tape.linear(x, W, b)` is
 * PyTorch's Linear, x[B,in]·W[out,in]ᵀ + b[out]; a cell's `W x` runs as `linear(x, W)`.
 * Elementwise ops broadcast the smaller operand over leading axes ([n] onto [B, n]).
 *
 * A training step:
 * ```ts
 * const W = parameter('W', uniform([10, 4], random, -0.5, 0.5));   // [out, in]
 * const b = parameter('b', zeros([10]));
 * const opt = adam([W, b], { lr: 1e-3 });
 * const tape = new Tape();                                          // one tape per step
 * const y = tape.linear(tape.constant(x), tape.param(W), tape.param(b));
 * const loss = tape.mse(y, tape.constant(target));                  // a scalar Var
 * opt.zeroGrad();
 * tape.backward(loss);                                              // fills W.grad, b.grad
 * clipGradNorm([W, b], 1);
 * opt.step();
 * ```
 * A cell, backpropagated through time:
 * ```ts
 * const gru = compile(loadCell('gru'), { input: 1, hidden: 32 });
 * const params = gru.initParams(createRandom(1));                  // PyTorch's U(−1/√H, 1/√H)
 * const tape = new Tape();
 * const seq = gru.unroll(tape, params, { inputs: { x: xs }, truncate: 50 }); // xs: [T, B, 1]
 * // seq.states.h[t] is h_t as a Var [B, 32]; build a loss on it, then tape.backward(loss).
 * const fast = gru.forward(params, { inputs: { x: xs } });          // no tape: states.h is [T, B, 32]
 * ```
 * Inference without gradients: `new Tape({ record: false })`.
 *
 * Speed: products with enough work run on a WebAssembly SIMD kernel (assembled in
 * wasm-gemm.ts; float32 f32x4, float64 f64x2), a step's product of one row on its own
 * (wasm-gemv.ts; the same bits). `forward()` keeps the weights and every value
 * in one wasm memory, computes the input projections of the whole sequence as one product,
 * stacks the products that share an operand ([W_hi; W_hf; W_hg; W_ho] h_prev), runs the
 * elementwise ops there too (exp, sigmoid and tanh by a polynomial: float32 within 1e-6
 * relative, float64 within 1e-15) and, when every op of a step has a wasm kernel, runs the
 * whole loop over the steps as one generated wasm function. `compile(…, {threads: 2})` lets a
 * worker thread take half of each large product; call `compiled.dispose()` when done.
 */
export { tensor, zeros, ones, full, randn, uniform, reshape, cast, slice0, toArray, sizeOf, sameShape } from './tensor.js';
export type { Tensor, Data, DType } from './tensor.js';
export { Tape, parameter } from './tape.js';
export { BufferPool } from './pool.js';
export type { Var, Parameter, TapeOptions, ConvOptions } from './tape.js';
export type { Reduction } from './kernels.js';
export { sgd, adam, clipGradNorm, gradNorm } from './optim.js';
export type { Optimizer, SgdOptions, AdamOptions } from './optim.js';
export { compile } from './compile.js';
export { useStepProgram } from './schedule.js';
export type { CompiledCell, CompileOptions, InitOptions, UnrollOptions, Unrolled, ForwardOptions, ForwardResult, NamedShape } from './compile.js';
export type { NodeHistory } from './schedule.js';
export { gemm } from './matmul.js';
/**
 * Fused multiply-add products (WebAssembly relaxed SIMD), on by default where the runtime has
 * them (Node ≥ 22; Node 20 after the engine turns on V8's --experimental-wasm-relaxed-simd):
 * `useFma(false)` returns to the unfused kernels. A fused multiply-add rounds once instead of
 * twice, so results differ in their last bits (tests/engine/fma.test.ts: float32 LSTM and GRU within 5e-7 of float64 either way).
 */
export { useFma } from './wasm.js';
export { gradcheck } from './gradcheck.js';
export type { GradcheckOptions, GradcheckResult } from './gradcheck.js';
/**
 * Gradient flow through time: `gradientFlow(cell, {steps, hidden, seed, samples, init})` gives the
 * spectral and Frobenius norms of ∂h_T/∂h_t for t = 0..T (mean over random input sequences);
 * `gradientFlowCsv` and `gradientFlowTable` format one or several cells' results.
 */
export { gradientFlow, gradientFlowCsv, gradientFlowTable, spectralNorm } from './gradflow.js';
export type { GradientFlow, GradientFlowOptions, FlowNorm } from './gradflow.js';
