/**
 * Engine stage: a dense layer as one op, x[M,K]·W[K,N] + b[N] with an optional relu after.
 * As three ops (matmul, add, relu) a layer walked its [M, N] values three times forward in JS
 * and, backward, copied its gradient twice (relu's mask into one buffer, add's pass-through into
 * another) before the bias sum and the products could read it. Here the bias and relu, the mask
 * and the bias gradient run as conv2d's do (conv-epilogue.ts: on the WebAssembly arena when the
 * layer is large): the same arithmetic in the same order, so the same bits as the three ops
 * (relu on the kernel keeps a −0 sum as −0, which x + b with a nonzero b never is).
 */
import { ShapeError } from '../errors.js';
import { biasAndRelu, biasGradient, gradientBeforeEpilogue } from './conv-epilogue.js';
import type { Kernel } from './kernels.js';
import { gemm } from './matmul.js';
import { allocateOutput } from './pool.js';
import { dtypeOf } from './tensor.js';

export const affine: Kernel = {
  forward([x, W, b], attrs) {
    const [M, K] = x!.shape as [number, number];
    const [K2, N] = W!.shape as [number, number];
    if (x!.shape.length !== 2 || W!.shape.length !== 2 || K !== K2) throw new ShapeError('W', [K, 'n'], W!.shape, 'affine');
    if (b!.shape.length !== 1 || b!.shape[0] !== N) throw new ShapeError('bias', [N], b!.shape, 'affine');
    const o = allocateOutput(M * N, dtypeOf(x!.data));
    gemm(M, N, K, x!.data, W!.data, o);
    biasAndRelu(o, b!.data, attrs.relu ?? false);
    return { shape: [M, N], data: o };
  },
  backward([x, W], y, g, [gx, gW, gb], attrs) {
    const [M, K] = x!.shape as [number, number];
    const N = W!.shape[1]!;
    // g masked by relu (0 + g, as the separate ops' zeroed buffers give): a scratch buffer, read before anything else asks for it.
    const gz = gradientBeforeEpilogue(y.data, g, attrs.relu ?? false);
    if (gb) biasGradient(gz, gb);
    if (gx) gemm(M, K, N, gz, W!.data, gx, { transB: true, accumulate: true }); // dx = dz·Wᵀ
    if (gW) gemm(K, N, M, x!.data, gz, gW, { transA: true, accumulate: true }); // dW = xᵀ·dz
  },
};
