/**
 * Engine stage: whether this runtime runs WebAssembly relaxed SIMD's fused multiply-add, which
 * the products' default kernels use where it is there (wasm-module.ts). Node ≥ 22 has relaxed
 * SIMD on; Node 20 (V8 11.3) has it behind --experimental-wasm-relaxed-simd, which V8 reads each
 * time it validates a module, so the engine turns it on with v8.setFlagsFromString (the flag
 * makes V8 accept the relaxed instructions and changes nothing else).
 */
import { name, section, simd, simdOp, uleb, vec } from './wasm-bytes.js';

/** What the probe needs of the runtime, so that a test can stand in for one that lacks it. */
export interface WasmRuntime {
  /** Compiles and instantiates the bytes, or null when the runtime refuses them. */
  instantiate(bytes: Uint8Array<ArrayBuffer>): WebAssembly.Exports | null;
  /** Turns relaxed SIMD on (Node 20's V8 flag); false where that cannot be done. */
  enableRelaxedSimd(): boolean;
}

const F32 = 0x7d;

/** madd(a, b, c): lane 0 of f32x4.relaxed_madd(splat a, splat b, splat c), i.e. a·b + c. */
export function probeBytes(): Uint8Array<ArrayBuffer> {
  const splat = (local: number) => [0x20, local, ...simdOp(simd.f32Splat)];
  const body = [0, ...splat(0), ...splat(1), ...splat(2), ...simdOp(simd.f32RelaxedMadd), ...simdOp(0x1f) /* f32x4.extract_lane */, 0, 0x0b];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec([[F32], [F32], [F32]]), ...vec([[F32]])]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name('madd'), 0x00, 0]])),
    ...section(10, vec([[...uleb(body.length), ...body]])),
  ]);
}

/**
 * The feature test: the probe compiles (after turning relaxed SIMD on, if need be) and computes
 * a·b + c. With a = b = 1 + 2⁻¹² and c = −1 that is 2⁻¹¹ + 2⁻²⁴ fused, or 2⁻¹¹ rounded twice
 * (a·b = 1 + 2⁻¹¹ + 2⁻²⁴ rounds to 1 + 2⁻¹¹ in float32); either is right, anything else is not.
 */
export function probeRelaxedSimd(runtime: WasmRuntime): boolean {
  const bytes = probeBytes();
  let exports = runtime.instantiate(bytes);
  if (!exports && runtime.enableRelaxedSimd()) exports = runtime.instantiate(bytes);
  if (!exports) return false;
  const a = 1 + 2 ** -12;
  const got = (exports.madd as (a: number, b: number, c: number) => number)(a, a, -1);
  return got === 2 ** -11 + 2 ** -24 || got === 2 ** -11;
}

type V8Module = { setFlagsFromString(flags: string): void };
type NodeProcess = { getBuiltinModule?(id: string): unknown };

/** This process: WebAssembly as it is, and Node's v8 module for the flag (absent outside Node). */
export const thisRuntime: WasmRuntime = {
  instantiate(bytes) {
    try {
      return WebAssembly.validate(bytes) ? new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports : null;
    } catch {
      return null;
    }
  },
  enableRelaxedSimd() {
    const v8 = (globalThis as { process?: NodeProcess }).process?.getBuiltinModule?.('node:v8') as V8Module | undefined;
    if (!v8) return false;
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    return true;
  },
};

let relaxed: boolean | undefined;

/** Whether this runtime has relaxed SIMD (probed once; not while WebAssembly is missing, as when a startup snapshot is made). */
export function relaxedSimd(): boolean {
  if (typeof WebAssembly === 'undefined') return false;
  relaxed ??= probeRelaxedSimd(thisRuntime);
  return relaxed;
}
