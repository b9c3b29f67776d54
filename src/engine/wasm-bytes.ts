/**
 * Engine stage: the byte-level vocabulary the hand-assembled WebAssembly kernels are written
 * in (opcodes, LEB128 numbers, sections), shared by wasm-module.ts and wasm-gemm.ts.
 */

export const SIMD = 0xfd;
export const op = {
  block: 0x02, loop: 0x03, br: 0x0c, brIf: 0x0d, end: 0x0b,
  get: 0x20, set: 0x21, tee: 0x22,
  i32Const: 0x41, i32Eqz: 0x45, i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c, i32GeU: 0x4f, i32GtU: 0x4b, i32LtU: 0x49, i32Shl: 0x74,
  f32Load: 0x2a, f64Load: 0x2b, f32Store: 0x38, f64Store: 0x39, f32Const: 0x43, f64Const: 0x44,
} as const;
export const simd = {
  load: 0x00, load32Splat: 0x09, load64Splat: 0x0a, store: 0x0b, const: 0x0c,
  f32Splat: 0x13, f64Splat: 0x14, f32Add: 0xe4, f32Mul: 0xe6, f64Add: 0xf0, f64Mul: 0xf2,
  // Relaxed SIMD (behind --experimental-wasm-relaxed-simd in Node 20): a·b + c, fused where the CPU has FMA.
  f32RelaxedMadd: 0x105, f64RelaxedMadd: 0x107,
} as const;

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

export const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
export const name = (s: string): number[] => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];
export const simdOp = (code: number): number[] => [SIMD, ...uleb(code)];
export const get = (l: number): number[] => [op.get, ...uleb(l)];
export const set = (l: number): number[] => [op.set, ...uleb(l)];
export const i32 = (n: number): number[] => [op.i32Const, ...sleb(n)];
/** block { loop { body } }: inside, `br 1` leaves and `br 0` repeats. */
export const blockLoop = (body: number[]): number[] => [op.block, 0x40, op.loop, 0x40, ...body, op.end, op.end];
