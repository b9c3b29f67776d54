// A step's elementwise ops fused into one loop (wasm-chain.ts): which ops may share the loop
// (joins: an overlap other than element for element splits it), and that the shipped LSTM's
// step becomes its product (gemm, or gemv's strips below 4 rows) and one chain of all 17 elementwise ops (4 gates × add, add, σ or tanh; c: 2 products and a sum; h: tanh and a product). (That fused steps give the
// unfused kernels' bits is step-program.test.ts's check, on 40 generated cells.)
import { describe, expect, it, vi } from 'vitest';
import { loadCell } from '../../src/index.js';
import { compile, randn, type Parameter } from '../../src/engine/index.js';
import { joins, type Chain, type ChainOperand } from '../../src/engine/wasm-chain.js';
import { WasmArena, type ProgramCall } from '../../src/engine/wasm.js';
import { createRandom } from '../../src/random.js';

const history = {};
const gates = {};
/** One op o = a + b over 3 rows of 64 bytes. */
const add = (out: ChainOperand, a: ChainOperand, b: ChainOperand): Chain => ({ f64: false, rows: 3, widthBytes: 64, ops: [{ op: 'add', out, a, b }] });
const at = (buffer: object, base: number, stride = 64, perStep = 0): ChainOperand => ({ at: { base, perStep }, stride, buffer });

describe('joins', () => {
  const first = add(at(gates, 0), at(gates, 1024), at(gates, 2048));
  it('takes an op that reads an earlier result element for element, or other buffers', () => {
    expect(joins(first, add(at(gates, 4096), at(gates, 0), at(history, 0)))).toBe(true);
  });
  it('refuses an op reading an earlier result at another row stride or offset within it, or writing what an earlier op reads elsewhere', () => {
    expect(joins(first, add(at(gates, 4096), at(gates, 0, 0), at(history, 0)))).toBe(false);
    expect(joins(first, add(at(gates, 4096), at(gates, 64), at(history, 0)))).toBe(false);
    expect(joins(first, add(at(gates, 1024 + 64), at(history, 0), at(history, 512)))).toBe(false);
  });
  it("takes a state's history read at step t and written at t + 1 (apart at every step), not ops of another width, row count or type", () => {
    const h = (base: number) => at(history, base, 64, 192);
    expect(joins(add(h(192), at(gates, 0), at(gates, 1024)), add(at(gates, 4096), h(0), at(gates, 0)))).toBe(true);
    expect(joins(add(h(128), at(gates, 0), at(gates, 1024)), add(at(gates, 4096), h(0), at(gates, 0)))).toBe(false);
    expect(joins(first, { ...add(at(gates, 4096), at(gates, 0), at(history, 0)), rows: 4 })).toBe(false);
    expect(joins(first, { ...add(at(gates, 4096), at(gates, 0), at(history, 0)), widthBytes: 32 })).toBe(false);
    expect(joins(first, { ...add(at(gates, 4096), at(gates, 0), at(history, 0)), f64: true })).toBe(false);
  });
});

describe('the shipped LSTM step', () => {
  /** The step program's calls for a forward of the float32 LSTM at input 4, hidden 32 and this batch. */
  const stepKinds = (batch: number): string[] => {
    const programs = vi.spyOn(WasmArena.prototype, 'program');
    const cell = loadCell('lstm');
    const sizes = { input: 4, hidden: 32 };
    const params = compile(cell, sizes).initParams(createRandom(3)).map((p): Parameter => ({ ...p, value: { shape: p.value.shape, data: Float32Array.from(p.value.data) } }));
    const x = randn([3, batch, 4], createRandom(4));
    compile(cell, sizes, { dtype: 'float32' }).forward(params, { inputs: { x: { shape: x.shape, data: Float32Array.from(x.data) } } });
    const calls = programs.mock.calls[0]![0] as ProgramCall[];
    programs.mockRestore();
    return calls.map((c) => ('fn' in c ? c.fn : 'zero' in c ? 'zero' : `chain of ${c.chain.ops.length}`));
  };
  it('is its stacked product (one kernel call storing over the output, no zeroing) and one chain of its 21 elementwise ops (17 and the 4 input-projection sums sunk into the step)', () => {
    expect(stepKinds(4)).toEqual(['gemm_set_f32', 'chain of 21']);
  });
  it('at batch 1 has the product on the gemv kernels: 128 columns are 32 vectors, in 2 strips of 7 and 3 of 6; at batch 2 on gemm', () => {
    expect(stepKinds(1)).toEqual(['gemv_7_set_f32', 'gemv_6_set_f32', 'chain of 21']);
    expect(stepKinds(2)).toEqual(['gemm_set_f32', 'chain of 21']);
  });
});
