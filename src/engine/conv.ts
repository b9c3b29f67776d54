/**
 * Engine stage: 2-D convolution and its transpose on channels-last images ([B, H, W, C], so a
 * bias [C] broadcasts with `add` and a one-channel image is its flat pixel row). Both run as
 * one matrix product over the whole batch on the engine's gemm, or, when that product would run on the
 * WebAssembly kernel, chunk by chunk on it with the same bits (conv-wasm.ts):
 *   conv2d:          out[B·Ho·Wo, F] = im2col(x)[B·Ho·Wo, kh·kw·C] · w[kh·kw·C, F]
 *   convTranspose2d: out = col2im(x[B·Hi·Wi, C] · w[C, kh·kw·F]), the adjoint of conv2d in x
 * Weights: conv2d [kh, kw, C, F] (TensorFlow's HWIO); convTranspose2d [C, kh, kw, F].
 * The transpose's output side is (in − 1)·stride − 2·padding + k (PyTorch, output_padding 0).
 */
import { InputError, ShapeError } from '../errors.js';
import { gemm } from './matmul.js';
import { allocate, dtypeOf, type Data, type DType, type Tensor } from './tensor.js';
import { conv2dBackward, conv2dForward, convTranspose2dBackward, convTranspose2dForward } from './conv-wasm.js';
import { col2imRows, im2colRows, type Geometry } from './im2col.js';
import { allocateOutput } from './pool.js';
import { biasAndRelu, biasGradient, gradientBeforeEpilogue } from './conv-epilogue.js';
import type { Kernel, OpAttrs } from './kernels.js';

/** One grow-only scratch buffer per dtype for the column matrix (used and released within a call). */
const scratchBuffers: Partial<Record<DType, Data>> = {};
function scratch(length: number, dtype: DType): Data {
  const have = scratchBuffers[dtype];
  if (have && have.length >= length) return have.subarray(0, length);
  const fresh = allocate(length, dtype);
  scratchBuffers[dtype] = fresh;
  return fresh;
}

function strideAndPadding(attrs: OpAttrs, op: string): { stride: number; pad: number } {
  const stride = attrs.stride ?? 1;
  const pad = attrs.padding ?? 0;
  if (!(Number.isInteger(stride) && stride >= 1)) throw new InputError(`${op}: stride must be a positive integer, got ${stride}`);
  if (!(Number.isInteger(pad) && pad >= 0)) throw new InputError(`${op}: padding must be a non-negative integer, got ${pad}`);
  return { stride, pad };
}

const im2col = (x: Data, g: Geometry, cols: Data) => im2colRows(x, g, 0, g.B * g.Ho * g.Wo, cols, g.kh * g.kw * g.C);
const col2im = (cols: Data, g: Geometry, x: Data) => col2imRows(cols, g.kh * g.kw * g.C, g, 0, g.B * g.Ho * g.Wo, x);

/** A conv's optional bias: one value per output channel. */
function checkBias(bias: Tensor | undefined, channels: number, op: string): void {
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== channels)) throw new ShapeError('bias', [channels], bias.shape, op);
}

/** Back through relu and the bias (its gradient into gb): the gradient of the product's output. */
function epilogueBackward(y: Data, dout: Data, hasBias: boolean, relu: boolean, gb: Data | null | undefined): Data {
  if (!hasBias && !relu) return dout;
  const grad = gradientBeforeEpilogue(y, dout, relu);
  if (gb) biasGradient(grad, gb);
  return grad;
}

/** conv2d's geometry from x [B, H, W, C] and w [kh, kw, C, F]. */
function convGeometry(x: Tensor, w: Tensor, attrs: OpAttrs): Geometry & { F: number } {
  const { stride, pad } = strideAndPadding(attrs, 'conv2d');
  if (x.shape.length !== 4) throw new ShapeError('x', ['batch', 'height', 'width', 'channels'], x.shape, 'conv2d');
  const [B, H, W, C] = x.shape as [number, number, number, number];
  if (w.shape.length !== 4 || w.shape[2] !== C) throw new ShapeError('w', ['kh', 'kw', C, 'filters'], w.shape, 'conv2d');
  const [kh, kw, , F] = w.shape as [number, number, number, number];
  const Ho = Math.floor((H + 2 * pad - kh) / stride) + 1;
  const Wo = Math.floor((W + 2 * pad - kw) / stride) + 1;
  if (!(Ho >= 1 && Wo >= 1)) throw new ShapeError('w', [`at most ${H + 2 * pad}`, `at most ${W + 2 * pad}`, C, F], w.shape, 'conv2d: kernel larger than the padded image');
  return { B, H, W, C, kh, kw, stride, pad, Ho, Wo, F };
}

/** convTranspose2d's geometry from x [B, Hi, Wi, C] and w [C, kh, kw, F]: the conv from its output [B, Ho, Wo, F] back to x. */
function transposeGeometry(x: Tensor, w: Tensor, attrs: OpAttrs): Geometry & { Cin: number } {
  const { stride, pad } = strideAndPadding(attrs, 'convTranspose2d');
  if (x.shape.length !== 4) throw new ShapeError('x', ['batch', 'height', 'width', 'channels'], x.shape, 'convTranspose2d');
  const [B, Hi, Wi, Cin] = x.shape as [number, number, number, number];
  if (w.shape.length !== 4 || w.shape[0] !== Cin) throw new ShapeError('w', [Cin, 'kh', 'kw', 'filters'], w.shape, 'convTranspose2d');
  const [, kh, kw, F] = w.shape as [number, number, number, number];
  const H = (Hi - 1) * stride - 2 * pad + kh;
  const W = (Wi - 1) * stride - 2 * pad + kw;
  if (!(H >= 1 && W >= 1)) throw new ShapeError('x', [B, 'larger', 'larger', Cin], x.shape, 'convTranspose2d: padding leaves no output');
  return { B, H, W, C: F, kh, kw, stride, pad, Ho: Hi, Wo: Wi, Cin };
}

export const convKernels: Record<'conv2d' | 'convTranspose2d' | 'reshape', Kernel> = {
  /** The same values under attrs.shape (no copy): the flatten between a conv stack and a dense layer. */
  reshape: {
    forward([x], attrs) {
      const shape = attrs.shape ?? [x!.data.length];
      if (shape.reduce((a, b) => a * b, 1) !== x!.data.length) throw new ShapeError('x', shape, x!.shape, 'reshape changes the size');
      return { shape: [...shape], data: x!.data };
    },
    backward(_inputs, _out, grad, [gx]) {
      if (gx) for (let i = 0; i < grad.length; i++) gx[i] += grad[i]!;
    },
  },
  conv2d: {
    forward([x, w, bias], attrs) {
      const g = convGeometry(x!, w!, attrs);
      checkBias(bias, g.F, 'conv2d');
      const M = g.B * g.Ho * g.Wo;
      const K = g.kh * g.kw * g.C;
      const data = allocateOutput(M * g.F, dtypeOf(x!.data));
      const epilogue = { bias: bias?.data, relu: attrs.relu ?? false };
      const ran = conv2dForward(x!.data, w!.data, g, g.F, data, epilogue);
      if (!ran) {
        const cols = scratch(M * K, dtypeOf(x!.data));
        im2col(x!.data, g, cols);
        gemm(M, g.F, K, cols, w!.data, data);
      }
      if (ran !== 'fused') biasAndRelu(data, epilogue.bias, epilogue.relu);
      return { shape: [g.B, g.Ho, g.Wo, g.F], data };
    },
    backward([x, w, bias], out, dout, [gx, gw, gb], attrs) {
      const g = convGeometry(x!, w!, attrs);
      const grad = epilogueBackward(out.data, dout, bias !== undefined, attrs.relu ?? false, gb);
      if (conv2dBackward(x!.data, w!.data, g, g.F, grad, gx ?? null, gw ?? null)) return;
      const M = g.B * g.Ho * g.Wo;
      const K = g.kh * g.kw * g.C;
      const cols = scratch(M * K, dtypeOf(x!.data));
      if (gw) {
        im2col(x!.data, g, cols);
        gemm(K, g.F, M, cols, grad, gw, { transA: true, accumulate: true }); // dw = colsᵀ · dout
      }
      if (gx) {
        gemm(M, K, g.F, grad, w!.data, cols, { transB: true }); // dcols = dout · wᵀ
        col2im(cols, g, gx);
      }
    },
  },
  convTranspose2d: {
    forward([x, w, bias], attrs) {
      const g = transposeGeometry(x!, w!, attrs);
      checkBias(bias, g.C, 'convTranspose2d');
      const M = g.B * g.Ho * g.Wo;
      const K = g.kh * g.kw * g.C;
      const data = allocateOutput(g.B * g.H * g.W * g.C, dtypeOf(x!.data));
      const epilogue = { bias: bias?.data, relu: attrs.relu ?? false };
      const ran = convTranspose2dForward(x!.data, w!.data, g, g.Cin, data, epilogue);
      if (!ran) {
        const cols = scratch(M * K, dtypeOf(x!.data));
        gemm(M, K, g.Cin, x!.data, w!.data, cols);
        col2im(cols, g, data);
      }
      if (ran !== 'fused') biasAndRelu(data, epilogue.bias, epilogue.relu);
      return { shape: [g.B, g.H, g.W, g.C], data };
    },
    backward([x, w, bias], out, dout, [gx, gw, gb], attrs) {
      const g = transposeGeometry(x!, w!, attrs);
      const grad = epilogueBackward(out.data, dout, bias !== undefined, attrs.relu ?? false, gb);
      if (convTranspose2dBackward(x!.data, w!.data, g, g.Cin, grad, gx ?? null, gw ?? null)) return;
      const M = g.B * g.Ho * g.Wo;
      const K = g.kh * g.kw * g.C;
      const cols = scratch(M * K, dtypeOf(x!.data));
      im2col(grad, g, cols); // dcols
      if (gx) gemm(M, g.Cin, K, cols, w!.data, gx, { transB: true, accumulate: true }); // dx = dcols · wᵀ
      if (gw) gemm(g.Cin, K, M, x!.data, cols, gw, { transA: true, accumulate: true }); // dw = xᵀ · dcols
    },
  },
};
