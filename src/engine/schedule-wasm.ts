/**
 * Engine stage: the forward schedule's instructions on the WebAssembly elementwise kernels,
 * each both as a JavaScript call (t, rows) and as program calls (wasm-program.ts), so that a
 * step made only of these runs as one generated function.
 */
import type { DType } from './tensor.js';
import type { Instr, Slot } from './schedule-extra.js';
import type { ElementwiseKernel, ProgramArg, UnaryKernel } from './wasm.js';
import type { BinaryOp, ExactOp, UnaryOp } from './wasm-module.js';
import type { ChainOperand } from './wasm-chain.js';

const BYTES: Record<DType, number> = { float32: 4, float64: 8 };

/** Byte address of row 0 of step t of a slot that lives in wasm memory. */
const address = (s: Slot, t: number, e: number): number => s.buf.byteOffset + (s.off + t * s.tStride) * e;

/** A slot's row 0 at step t as a program argument: its byte address, moving by tStride rows a step. */
export const affine = (s: Slot, e: number): ProgramArg => ({ base: s.buf.byteOffset + s.off * e, perStep: s.tStride * e });

/** A slot as an operand of a fused chain (wasm-chain.ts): its buffer tells which operands may overlap. */
const operand = (s: Slot, e: number): ChainOperand => ({ at: affine(s, e), stride: s.stride * e, buffer: s.buf });

/** The op on the wasm kernel when both operands have the output's width in whole 16-byte chunks. */
export function wasmBinary(kernel: ElementwiseKernel | undefined, name: string, dtype: DType, o: Slot, x: Slot, y: Slot): Instr | undefined {
  const e = BYTES[dtype];
  if (!kernel || x.width !== o.width || y.width !== o.width || (o.width * e) % 16 !== 0) return undefined;
  const wb = o.width * e;
  const instr: Instr = (t, rows) => kernel(rows, wb, address(o, t, e), o.stride * e, address(x, t, e), x.stride * e, address(y, t, e), y.stride * e);
  const op = name.slice('ew_'.length) as BinaryOp;
  instr.program = (rows) => [{ chain: { f64: dtype === 'float64', rows, widthBytes: wb, ops: [{ op, out: operand(o, e), a: operand(x, e), b: operand(y, e) }] } }];
  return instr;
}

/** The unary op `op` on its wasm kernel, under the same condition as wasmBinary. */
export function wasmUnary(kernel: UnaryKernel | undefined, op: UnaryOp | ExactOp, dtype: DType, o: Slot, x: Slot): Instr | undefined {
  const e = BYTES[dtype];
  if (!kernel || x.width !== o.width || (o.width * e) % 16 !== 0) return undefined;
  const wb = o.width * e;
  const instr: Instr = (t, rows) => kernel(rows, wb, address(o, t, e), o.stride * e, address(x, t, e), x.stride * e);
  instr.program = (rows) => [{ chain: { f64: dtype === 'float64', rows, widthBytes: wb, ops: [{ op, out: operand(o, e), a: operand(x, e) }] } }];
  return instr;
}
