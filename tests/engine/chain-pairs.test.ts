// A float32 chain (wasm-chain.ts) whose rows are whole 64-byte groups runs four 16-byte chunks an
// iteration, whole 32-byte pairs two, their ops interleaved: which chains do (chainLocals gives
// each op a local per chunk), and that the step's states are still, to the bit, those of the
// kernels called one by one, on generated cells at hidden 8 (rows of 32 bytes: paired), 12 (48
// bytes: one chunk at a time) and 16 (64 bytes: four), and on the shipped LSTM and GRU at hidden
// 16 (four) and 24 (96 bytes: two) over 40 steps.
import { afterEach, describe, expect, it } from 'vitest';
import { loadCell, parseCell } from '../../src/index.js';
import { compile, randn, type Parameter, type Tensor } from '../../src/engine/index.js';
import { useStepProgram } from '../../src/engine/schedule.js';
import { chainLocals, type Chain, type ChainOperand } from '../../src/engine/wasm-chain.js';
import { createRandom } from '../../src/random.js';
import { generateCell } from '../diagram/random-cells.js';

afterEach(() => {
  useStepProgram(true);
});

const buffer = {};
const at = (base: number): ChainOperand => ({ at: base, stride: 64, buffer });
const chain = (f64: boolean, widthBytes: number, ops: number): Chain => ({
  f64,
  rows: 2,
  widthBytes,
  ops: Array.from({ length: ops }, (_, k) => ({ op: 'sigmoid' as const, out: at(4096 * (k + 1)), a: at(4096 * k) })),
});

describe('which chains run several chunks an iteration', () => {
  it('float32 rows of whole 64-byte groups (four) or 32-byte pairs (two) and at most 32 ops: a v128 local per op and chunk (plus two scratch); otherwise one per op', () => {
    expect(chainLocals(chain(false, 64, 17)).v128).toBe(4 * 17 + 2);
    expect(chainLocals(chain(false, 512, 32)).v128).toBe(4 * 32 + 2);
    expect(chainLocals(chain(false, 96, 17)).v128).toBe(2 * 17 + 2);
    expect(chainLocals(chain(false, 32, 32)).v128).toBe(2 * 32 + 2);
    expect(chainLocals(chain(false, 48, 17)).v128).toBe(17 + 2);
    expect(chainLocals(chain(false, 64, 33)).v128).toBe(33 + 2);
    expect(chainLocals(chain(true, 64, 17)).v128).toBe(17 + 2);
  });
});

/** h (every state) after each step, with the step as one program and as the kernels one by one, float32. */
function bothWays(cell: ReturnType<typeof parseCell>, sizes: Record<string, number>, T: number, B: number, seed: number) {
  const random = createRandom(seed);
  const compiled = compile(cell, sizes);
  const params = compiled.initParams(random).map((p): Parameter => ({ ...p, value: { shape: p.value.shape, data: Float32Array.from(p.value.data) } }));
  const f32 = (t: Tensor): Tensor => ({ shape: t.shape, data: Float32Array.from(t.data) });
  const inputs = Object.fromEntries(compiled.inputs.map((d) => [d.name, f32(randn([T, B, ...d.shape], random))]));
  const noise = Object.fromEntries(compiled.noises.map((d) => [d.name, f32(randn([T, B, ...d.shape], random))]));
  const run = (program: boolean) => {
    useStepProgram(program);
    return compile(cell, sizes, { dtype: 'float32' }).forward(params, { inputs, noise });
  };
  return { states: compiled.states.map((s) => s.name), fused: run(true), unfused: run(false) };
}

const SEEDS = Array.from({ length: 5 }, (_, i) => 700 + i);

describe('chains of two and four chunks keep the bits', () => {
  it(`generated cells (seeds ${SEEDS[0]} to ${SEEDS[SEEDS.length - 1]}), float32, hidden 8, 12 and 16, batch 2, 3 steps: the step program equals the kernels one by one`, () => {
    for (const seed of SEEDS) {
      const cell = parseCell(generateCell(seed).text, { file: `seed-${seed}.cell` });
      for (const hidden of [8, 12, 16]) {
        const { states, fused, unfused } = bothWays(cell, { input: 4, hidden }, 3, 2, seed);
        for (const s of states) expect(Array.from(fused.states[s]!.data), `seed ${seed}, hidden ${hidden}: ${s}`).toEqual(Array.from(unfused.states[s]!.data));
      }
    }
  }, 60_000);

  it.each(['lstm', 'gru'])('%s, float32, hidden 16 and 24, batch 3, 40 steps: the step program equals the kernels one by one', (name) => {
    for (const hidden of [16, 24]) {
      const { states, fused, unfused } = bothWays(loadCell(name), { input: 5, hidden }, 40, 3, 11);
      for (const s of states) expect(Array.from(fused.states[s]!.data), `hidden ${hidden}: ${s}`).toEqual(Array.from(unfused.states[s]!.data));
    }
  }, 60_000);
});
