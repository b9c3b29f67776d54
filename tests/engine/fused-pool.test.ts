// compile(…, {fuseMatmuls}) and Tape({pool}): the two speed-ups of the detector's BPTT. Fused
// products must give the unfused values (checked against hand-written equations in
// compile.test.ts) to rounding, and gradients that match central differences; a pooled tape
// must give bit-identical values and gradients while reusing the previous batch's buffers.
import { describe, expect, it } from 'vitest';
import { loadCell } from '../../src/index.js';
import { createRandom } from '../../src/random.js';
import { BufferPool, compile, gradcheck, randn, Tape, type Tensor, type Var } from '../../src/engine/index.js';
import { expectClose } from '../expect.js';

const SIZES = { input: 2, hidden: 5 };
const T = 4;
const B = 3;

function setup(name: string, seed: number) {
  const random = createRandom(seed);
  const plain = compile(loadCell(name), SIZES);
  const fused = compile(loadCell(name), SIZES, { fuseMatmuls: true });
  const params = plain.initParams(random);
  const x = randn([T, B, SIZES.input], random);
  const initial: Record<string, Tensor> = {};
  for (const s of plain.states) initial[s.name] = randn([B, ...s.shape], random, { std: 0.5 });
  return { plain, fused, params, x, initial };
}

/** Σ h_T after an unroll, its value and every parameter's gradient. */
function lossAndGrads(compiled: ReturnType<typeof compile>, params: ReturnType<typeof setup>['params'], x: Tensor, initial: Record<string, Tensor>, tape = new Tape()) {
  for (const p of params) p.grad.data.fill(0);
  const seq = compiled.unroll(tape, params, { inputs: { x }, initial });
  const loss = tape.sum(seq.final.h!);
  tape.backward(loss);
  return { tape, loss: loss.value.data[0]!, grads: params.flatMap((p) => Array.from(p.grad.data)), states: seq.states.h!.flatMap((v) => Array.from(v.value.data)) };
}

describe('compile(cell, {fuseMatmuls: true})', () => {
  it.each(['gru', 'lstm', 'gru-cho'])('%s: states and gradients equal the unfused ones within 1e-13; two stacked products a step', (name) => {
    const { plain, fused, params, x, initial } = setup(name, 7);
    const a = lossAndGrads(plain, params, x, initial);
    const b = lossAndGrads(fused, params, x, initial);
    expectClose(b.states, a.states, { atol: 1e-13 }, `${name} states`);
    expectClose(b.grads, a.grads, { atol: 1e-13, rtol: 1e-12 }, `${name} gradients`);
    // Per step, the m products of each of the two groups (on x, on h_prev) become one product
    // and m slices (+2 ops); the two stacked matrices are recorded once: 2·(T + 1) more ops.
    expect(b.tape.size).toBe(a.tape.size + 2 * (T + 1));
  });

  it('rnn: nothing shares an operand, so the tape is the unfused one, op for op', () => {
    const { plain, fused, params, x, initial } = setup('rnn', 7);
    const a = lossAndGrads(plain, params, x, initial);
    const b = lossAndGrads(fused, params, x, initial);
    expect(b.tape.size).toBe(a.tape.size);
    expect(b.grads).toEqual(a.grads);
  });

  // (gru's fused gradients equal its unfused ones above, which compile.test.ts checks this way.)
  it('lstm fused: d(Σ h_T)/d(every parameter) against central differences (1e-6)', () => {
    const { fused, params, x, initial } = setup('lstm', 11);
    const f = (tape: Tape, vars: Var[]): Var => {
      const bound = Object.fromEntries(params.map((p, k) => [p.name, vars[k]!]));
      return tape.sum(fused.unroll(tape, bound, { inputs: { x }, initial }).final.h!);
    };
    expect(gradcheck(f, params.map((p) => p.value)).maxError).toBeLessThan(1e-6);
  });
});

describe('Tape({pool})', () => {
  it('two batches on pooled tapes: bit-identical to fresh tapes, and the second allocates nothing new', () => {
    const { fused, params, x, initial } = setup('lstm', 3);
    const x2 = randn([T, B, SIZES.input], createRandom(9));
    const fresh = [lossAndGrads(fused, params, x, initial), lossAndGrads(fused, params, x2, initial)];
    const pool = new BufferPool();
    const first = lossAndGrads(fused, params, x, initial, new Tape({ pool }));
    const allocated = pool.allocated;
    pool.reset();
    const second = lossAndGrads(fused, params, x2, initial, new Tape({ pool }));
    for (const [got, want] of [[first, fresh[0]!], [second, fresh[1]!]] as const) {
      expect(got.loss).toBe(want.loss);
      expect(got.grads).toEqual(want.grads);
      expect(got.states).toEqual(want.states);
    }
    // Every op value and gradient of the first tape came from the pool (more than one per op).
    expect(allocated).toBeGreaterThan(first.tape.size);
    expect(pool.allocated).toBe(allocated);
  });
});
