/**
 * Engine stage: a recurrent step as one WebAssembly function. The schedule's per-step
 * instructions (products, elementwise kernels, zeroing) become a straight list of calls
 * inside a loop over t, so a forward pass crosses from JavaScript into WebAssembly once
 * instead of a dozen times per step. Addresses are affine in t: base + t · perStep bytes.
 */
import { ByteWriter, name, op, section, vec, uleb } from './wasm-bytes.js';
import { callsExact, chainCode, chainLocals, type Chain } from './wasm-chain.js';
import { exactFunctionBodies, F64_TO_F64 } from './wasm-exact-math.js';

/** A call argument: a constant, or a byte address that moves by perStep bytes every step. */
export type ProgramArg = number | { readonly base: number; readonly perStep: number };

export type ProgramCall =
  /** A call to one of the arena's kernels (gemm_f32, ew_add_f32, …) by its export name. */
  | { readonly fn: string; readonly args: readonly ProgramArg[] }
  /** memory.fill with zeros. */
  | { readonly zero: ProgramArg; readonly bytes: number }
  /** Elementwise ops fused into one loop (wasm-chain.ts). */
  | { readonly chain: Chain };

const I32 = 0x7f;
const T0 = 0;
const T1 = 1;

/** An argument's value at step t0: a constant, or base + perStep·t0. */
function programArg(w: ByteWriter, a: ProgramArg): void {
  if (typeof a === 'number') w.i32(a);
  else if (a.perStep === 0) w.i32(a.base);
  else w.i32(a.base).get(T0).i32(a.perStep).byte(op.i32Mul).byte(op.i32Add);
}

/** run's code: its locals, then a loop over t in which t0 is the counter itself. */
function runCode(calls: readonly ProgramCall[], fnIndex: ReadonlyMap<string, number>, fma: boolean, exactAt: number): ByteWriter {
  // Locals after the two parameters: the chains' i32s, then their v128s (shared by the chains).
  let i32Locals = 0;
  let v128Locals = 0;
  for (const c of calls) {
    if (!('chain' in c)) continue;
    const l = chainLocals(c.chain);
    i32Locals = Math.max(i32Locals, l.i32);
    v128Locals = Math.max(v128Locals, l.v128);
  }
  const code = new ByteWriter();
  code.uleb(2).uleb(i32Locals).byte(I32).uleb(v128Locals).byte(0x7b);
  code.byte(op.block).byte(0x40).byte(op.loop).byte(0x40);
  code.get(T0).get(T1).byte(op.i32GeU).byte(op.brIf).byte(1);
  for (const c of calls) {
    if ('fn' in c) {
      for (const a of c.args) programArg(code, a);
      code.byte(0x10 /* call */).uleb(fnIndex.get(c.fn)!);
    } else if ('chain' in c) chainCode(code, c.chain, programArg, 2, 2 + i32Locals, fma, exactAt);
    else {
      programArg(code, c.zero);
      code.i32(0).i32(c.bytes).byte(0xfc).uleb(11).byte(0x00 /* memory.fill */);
    }
  }
  code.get(T0).i32(1).byte(op.i32Add).byte(op.set).uleb(T0).byte(op.br).byte(0);
  code.byte(op.end).byte(op.end).byte(op.end);
  return code;
}

/**
 * The module: imports env.memory (shared or not, as the arena's) and each kernel it calls
 * from "k"; exports run(t0, t1), which performs `calls` for t = t0 … t1 − 1. fma: the chains'
 * functions as the arena's fused multiply-add kernels compute them.
 */
export function programModuleBytes(calls: readonly ProgramCall[], shared: boolean, pages: number, fma = false): Uint8Array<ArrayBuffer> {
  // Kernels in order of first use (a Map keeps a key where it was first set): import k is function k.
  const arity = new Map<string, number>();
  for (const c of calls) if ('fn' in c) arity.set(c.fn, c.args.length);
  const fns = [...arity.keys()];
  const fnIndex = new Map(fns.map((f, k) => [f, k]));
  const arities = [...new Set([2, ...arity.values()])];
  // Chains with exact ops call the exact functions (type (f64) → f64), placed after run.
  const exact = calls.some((c) => 'chain' in c && callsExact(c.chain));
  const exactAt = fns.length + 1;
  const types = [...arities.map((n) => [0x60, ...vec(new Array(n).fill([I32])), 0]), ...(exact ? [F64_TO_F64] : [])];
  const typeOf = (n: number) => arities.indexOf(n);
  const memoryLimits = shared ? [0x03, ...uleb(pages), ...uleb(pages)] : [0x00, ...uleb(1)];
  const imports = [
    [...name('env'), ...name('memory'), 0x02, ...memoryLimits],
    ...fns.map((f) => [...name('k'), ...name(f), 0x00, ...uleb(typeOf(arity.get(f)!))]),
  ];
  const code = runCode(calls, fnIndex, fma, exactAt);
  const run = fns.length;
  const exactBodies = exact ? exactFunctionBodies() : [];
  const codeSection = new ByteWriter().uleb(1 + exactBodies.length).uleb(code.length).bytes(code);
  for (const body of exactBodies) codeSection.bytes(body);
  return new ByteWriter()
    .bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00])
    .bytes(section(1, vec(types)))
    .bytes(section(2, vec(imports)))
    .bytes(section(3, vec([[typeOf(2)], ...exactBodies.map(() => [arities.length])])))
    .bytes(section(7, vec([[...name('run'), 0x00, ...uleb(run)]])))
    .section(10, codeSection)
    .toBytes();
}
