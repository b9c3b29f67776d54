/**
 * Engine stage: the byte-level vocabulary the hand-assembled WebAssembly kernels are written
 * in (opcodes, LEB128 numbers, sections), shared by wasm-module.ts and wasm-gemm.ts.
 */

export const SIMD = 0xfd;
export const op = {
  block: 0x02, loop: 0x03, br: 0x0c, brIf: 0x0d, end: 0x0b,
  get: 0x20, set: 0x21, tee: 0x22,
  i32Const: 0x41, i32Eqz: 0x45, i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c, i32GeU: 0x4f, i32GtU: 0x4b, i32LtU: 0x49, i32LeU: 0x4d, i32Ne: 0x47, i32And: 0x71, i32Shl: 0x74,
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
/** local += by (by: the code of an i32). */
export const increment = (local: number, by: number[]): number[] => [...get(local), ...by, op.i32Add, ...set(local)];

/**
 * A growable byte buffer that code is appended to in place. A step program runs to megabytes
 * (a 20,000-term sum: 1.3 MB); built by spreading arrays into arrays, every level of nesting
 * copied it again, and the copies, not the compiling, were most of a large cell's forward.
 */
export class ByteWriter {
  private buffer = new Uint8Array(1024);
  private used = 0;

  get length(): number {
    return this.used;
  }

  private reserve(extra: number): void {
    if (this.used + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.used + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buffer.subarray(0, this.used));
    this.buffer = grown;
  }

  byte(b: number): this {
    this.reserve(1);
    this.buffer[this.used++] = b;
    return this;
  }

  /** Appends bytes given as numbers (the helpers above) or another writer's bytes. */
  bytes(bs: ArrayLike<number> | ByteWriter): this {
    const from = bs instanceof ByteWriter ? bs.buffer.subarray(0, bs.used) : bs;
    this.reserve(from.length);
    if (from instanceof Uint8Array) this.buffer.set(from, this.used);
    else for (let k = 0; k < from.length; k++) this.buffer[this.used + k] = from[k]!;
    this.used += from.length;
    return this;
  }

  uleb(n: number): this {
    do {
      let byte = n & 0x7f;
      n >>>= 7;
      if (n) byte |= 0x80;
      this.byte(byte);
    } while (n);
    return this;
  }

  sleb(n: number): this {
    for (;;) {
      const byte = n & 0x7f;
      n >>= 7;
      if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) return this.byte(byte);
      this.byte(byte | 0x80);
    }
  }

  /** local.get, local.set and i32.const, the three the step programs use most. */
  get(l: number): this {
    return this.byte(op.get).uleb(l);
  }

  set(l: number): this {
    return this.byte(op.set).uleb(l);
  }

  i32(n: number): this {
    return this.byte(op.i32Const).sleb(n);
  }

  /** Section `id` holding `body`. */
  section(id: number, body: ByteWriter): this {
    return this.byte(id).uleb(body.length).bytes(body);
  }

  /** A copy of the bytes written, exactly as long as them. */
  toBytes(): Uint8Array<ArrayBuffer> {
    return this.buffer.slice(0, this.used);
  }
}
