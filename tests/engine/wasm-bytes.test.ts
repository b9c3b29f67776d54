// ByteWriter (wasm-bytes.ts), the growable buffer the step programs are written into: LEB128
// numbers against the DWARF/Wikipedia worked examples and against the array helpers on seeded
// random values, appends across its growth, and a section's length prefix.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteWriter, get, i32, op, section, set, sleb, uleb } from '../../src/engine/wasm-bytes.js';

const bytesOf = (w: ByteWriter): number[] => Array.from(w.toBytes());

describe('ByteWriter', () => {
  it('writes LEB128 as the worked examples give it (624485 → e5 8e 26, −123456 → c0 bb 78, 0, 127, 128, −1, −64, −65)', () => {
    expect(bytesOf(new ByteWriter().uleb(624485))).toEqual([0xe5, 0x8e, 0x26]);
    expect(bytesOf(new ByteWriter().sleb(-123456))).toEqual([0xc0, 0xbb, 0x78]);
    expect(bytesOf(new ByteWriter().uleb(0).uleb(127).uleb(128))).toEqual([0x00, 0x7f, 0x80, 0x01]);
    expect(bytesOf(new ByteWriter().sleb(-1).sleb(-64).sleb(-65))).toEqual([0x7f, 0x40, 0xbf, 0x7f]);
  });

  it('writes what the array helpers write, for seeded random numbers and instruction sequences (seed 19)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('uleb', 'sleb', 'get', 'set', 'i32', 'byte'), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })), { maxLength: 400 }), (items) => {
        const w = new ByteWriter();
        const expected: number[] = [];
        for (const [kind, n] of items) {
          const u = n >>> 0;
          const local = u & 0xffff;
          switch (kind) {
            case 'uleb':
              w.uleb(u);
              expected.push(...uleb(u));
              break;
            case 'sleb':
              w.sleb(n);
              expected.push(...sleb(n));
              break;
            case 'get':
              w.get(local);
              expected.push(...get(local));
              break;
            case 'set':
              w.set(local);
              expected.push(...set(local));
              break;
            case 'i32':
              w.i32(n);
              expected.push(...i32(n));
              break;
            default:
              w.byte(u & 0xff);
              expected.push(u & 0xff);
          }
        }
        expect(w.length).toBe(expected.length);
        expect(bytesOf(w)).toEqual(expected);
      }),
      { seed: 19, numRuns: 200 },
    );
  });

  it('keeps every byte across its growth (100,000 bytes from a 1 KB start), appends another writer, and prefixes a section with its length', () => {
    const big = new ByteWriter();
    for (let k = 0; k < 100_000; k++) big.byte(k % 251);
    expect(big.length).toBe(100_000);
    const copy = big.toBytes();
    expect(copy.length).toBe(100_000);
    expect(copy.every((b, k) => b === k % 251)).toBe(true);
    const body = new ByteWriter().bytes([op.i32Const, 0x2a]).bytes(Uint8Array.from([op.end]));
    expect(bytesOf(new ByteWriter().byte(0xaa).bytes(body))).toEqual([0xaa, op.i32Const, 0x2a, op.end]);
    expect(bytesOf(new ByteWriter().section(10, body))).toEqual(section(10, [op.i32Const, 0x2a, op.end]));
    const long = new ByteWriter().bytes(copy);
    expect(bytesOf(new ByteWriter().section(1, long)).slice(0, 4)).toEqual([1, ...uleb(100_000)]);
  });
});
