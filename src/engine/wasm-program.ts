/**
 * Engine stage: a recurrent step as one WebAssembly function. The schedule's per-step
 * instructions (products, elementwise kernels, zeroing) become a straight list of calls
 * inside a loop over t, so a forward pass crosses from JavaScript into WebAssembly once
 * instead of a dozen times per step. Addresses are affine in t: base + t · perStep bytes.
 */
import { blockLoop, get, i32, name, op, section, vec, uleb } from './wasm-bytes.js';
import { chainCode, chainLocals, type Chain } from './wasm-chain.js';

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

/**
 * The module: imports env.memory (shared or not, as the arena's) and each kernel it calls
 * from "k"; exports run(t0, t1), which performs `calls` for t = t0 … t1 − 1. fma: the chains'
 * functions as the arena's fused multiply-add kernels compute them.
 */
export function programModuleBytes(calls: readonly ProgramCall[], shared: boolean, pages: number, fma = false): Uint8Array<ArrayBuffer> {
  const fns = [...new Set(calls.flatMap((c) => ('fn' in c ? [c.fn] : [])))];
  const arity = new Map<string, number>();
  for (const c of calls) if ('fn' in c) arity.set(c.fn, c.args.length);
  const arities = [...new Set([2, ...arity.values()])];
  const types = arities.map((n) => [0x60, ...vec(new Array(n).fill([I32])), 0]);
  const typeOf = (n: number) => arities.indexOf(n);
  const memoryLimits = shared ? [0x03, ...uleb(pages), ...uleb(pages)] : [0x00, ...uleb(1)];
  const imports = [
    [...name('env'), ...name('memory'), 0x02, ...memoryLimits],
    ...fns.map((f) => [...name('k'), ...name(f), 0x00, ...uleb(typeOf(arity.get(f)!))]),
  ];
  const arg = (a: ProgramArg) =>
    typeof a === 'number' ? i32(a) : a.perStep === 0 ? i32(a.base) : [...i32(a.base), ...get(T0), ...i32(a.perStep), op.i32Mul, op.i32Add];
  // Locals after the two parameters: the chains' i32s, then their v128s (shared by the chains).
  const locals = calls.map((c) => ('chain' in c ? chainLocals(c.chain) : { i32: 0, v128: 0 }));
  const i32Locals = Math.max(0, ...locals.map((l) => l.i32));
  const v128Locals = Math.max(0, ...locals.map((l) => l.v128));
  const stepCode = calls.flatMap((c) =>
    'fn' in c
      ? [...c.args.flatMap(arg), 0x10 /* call */, ...uleb(fns.indexOf(c.fn))]
      : 'chain' in c
        ? chainCode(c.chain, arg, 2, 2 + i32Locals, fma)
        : [...arg(c.zero), ...i32(0), ...i32(c.bytes), 0xfc, ...uleb(11), 0x00 /* memory.fill */],
  );
  // t0 is the loop counter itself.
  const body = blockLoop([...get(T0), ...get(T1), op.i32GeU, op.brIf, 1, ...stepCode, ...get(T0), ...i32(1), op.i32Add, op.set, ...uleb(T0), op.br, 0]);
  const code = [...vec([[...uleb(i32Locals), I32], [...uleb(v128Locals), 0x7b]]), ...body, op.end];
  const run = fns.length;
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec(imports)),
    ...section(3, vec([[typeOf(2)]])),
    ...section(7, vec([[...name('run'), 0x00, ...uleb(run)]])),
    ...section(10, vec([[...uleb(code.length), ...code]])),
  ];
  return new Uint8Array(bytes);
}
