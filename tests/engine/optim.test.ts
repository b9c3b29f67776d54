// adam() against the update written out here from Kingma and Ba's Algorithm 1 (with
// PyTorch's eps placement and AdamW's decoupled decay), on float32 and float64 weights.
import { describe, expect, it } from 'vitest';
import { adam, parameter, type Parameter } from '../../src/engine/index.js';
import { useWasm } from '../../src/engine/matmul.js';
import { createRandom } from '../../src/random.js';
import { expectClose } from '../expect.js';

function weights(dtype: 'float32' | 'float64', n: number, seed: number): Parameter {
  const random = createRandom(seed);
  const data = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  random.fillNormal(data);
  return parameter('w', { shape: [n], data });
}

describe('adam', () => {
  it('the first step moves every weight by lr against the sign of its gradient: w − lr·g/(|g| + eps)', () => {
    const w = weights('float64', 50, 1);
    const before = Float64Array.from(w.value.data);
    createRandom(2).fillNormal(w.grad.data);
    adam([w], { lr: 0.01 }).step();
    const expected = before.map((x, i) => x - (0.01 * w.grad.data[i]!) / (Math.abs(w.grad.data[i]!) + 1e-8));
    expectClose(w.value.data, expected, { atol: 1e-15, rtol: 1e-15 }, 'w after one step');
  });

  for (const dtype of ['float32', 'float64'] as const) {
    it(`${dtype}: four steps with changing gradients, with and without decoupled weight decay, follow Algorithm 1 (within 1 float32 rounding per step)`, () => {
      for (const weightDecay of [0, 0.05]) {
        const w = weights(dtype, 200, 3);
        const opt = adam([w], { lr: 0.003, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay });
        const ref = Float64Array.from(w.value.data);
        const m = new Float64Array(200), v = new Float64Array(200);
        const random = createRandom(4);
        for (let t = 1; t <= 4; t++) {
          random.fillNormal(w.grad.data);
          opt.step();
          for (let i = 0; i < 200; i++) {
            const g = w.grad.data[i]!;
            m[i] = 0.8 * m[i]! + 0.2 * g;
            v[i] = 0.99 * v[i]! + 0.01 * g * g;
            ref[i] = ref[i]! * (1 - 0.003 * weightDecay) - (0.003 * m[i]! / (1 - 0.8 ** t)) / (Math.sqrt(v[i]! / (1 - 0.99 ** t)) + 1e-6);
          }
        }
        const tol = dtype === 'float32' ? { atol: 4 * 2 ** -23 * 4, rtol: 4 * 2 ** -23 } : { atol: 1e-14, rtol: 1e-14 };
        expectClose(w.value.data, ref, tol, `${dtype} weight decay ${weightDecay}`);
        expect(w.value.data.some((x, i) => x !== weights(dtype, 200, 3).value.data[i])).toBe(true);
      }
    });
  }

  it('float32 on the WebAssembly kernel and in JavaScript: the bits of the update written out here in float64, rounded to float32 after each step (odd and even lengths, with decay)', () => {
    const lengths = [1, 7, 130];
    for (const wasm of [true, false]) {
      const previous = useWasm(wasm);
      const params = lengths.map((n, k) => weights('float32', n, 10 + k));
      const start = params.map((p) => Float32Array.from(p.value.data));
      const opt = adam(params, { lr: 0.01, beta1: 0.85, beta2: 0.995, eps: 1e-7, weightDecay: 0.02 });
      useWasm(previous);
      const ref = start.map((w) => Float32Array.from(w));
      const m = lengths.map((n) => new Float64Array(n)), v = lengths.map((n) => new Float64Array(n));
      const random = createRandom(11);
      for (let t = 1; t <= 5; t++) {
        for (const p of params) random.fillNormal(p.grad.data);
        opt.step();
        const [c1, c2] = [1 - 0.85 ** t, 1 - 0.995 ** t];
        params.forEach((p, k) => {
          const [r, mk, vk, g] = [ref[k]!, m[k]!, v[k]!, p.grad.data];
          for (let i = 0; i < r.length; i++) {
            r[i] = r[i]! - 0.01 * 0.02 * r[i]!;
            mk[i] = 0.85 * mk[i]! + (1 - 0.85) * g[i]!;
            vk[i] = 0.995 * vk[i]! + (1 - 0.995) * g[i]! * g[i]!;
            r[i] = r[i]! - (0.01 * (mk[i]! / c1)) / (Math.sqrt(vk[i]! / c2) + 1e-7);
          }
        });
      }
      params.forEach((p, k) => expect([...p.value.data], `${wasm ? 'wasm' : 'js'} length ${lengths[k]}`).toEqual([...ref[k]!]));
      expect(params[2]!.value.data.some((x, i) => x !== start[2]![i])).toBe(true);
    }
  });
  it("moments: 'float32': the WebAssembly kernel and the JS loop give the same bits (lengths 1, 7, 130, with decay), within 3e-6 relative of the float64 moments after 5 steps", () => {
    const lengths = [1, 7, 130];
    const run = (wasm: boolean, moments: 'float32' | 'float64') => {
      const previous = useWasm(wasm);
      const params = lengths.map((n, k) => weights('float32', n, 20 + k));
      const opt = adam(params, { lr: 0.01, beta1: 0.85, beta2: 0.995, eps: 1e-7, weightDecay: 0.02, moments });
      useWasm(previous);
      const random = createRandom(21);
      for (let t = 1; t <= 5; t++) {
        for (const p of params) random.fillNormal(p.grad.data);
        opt.step();
      }
      return params.map((p) => [...p.value.data]);
    };
    const [kernel, js, wide] = [run(true, 'float32'), run(false, 'float32'), run(true, 'float64')];
    lengths.forEach((n, k) => {
      expect(kernel[k], `length ${n}: kernel against JS`).toEqual(js[k]);
      expectClose(kernel[k]!, wide[k]!, { rtol: 3e-6, atol: 1e-7 }, `length ${n}: float32 moments against float64`);
    });
    expect(kernel[2]!.some((x, i) => x !== wide[2]![i])).toBe(true);
  });
  it('resident: the weights and gradients moved into the kernel\'s memory keep their values, and 5 steps give the bits of the copying path (both moment types, with decay; lengths 1, 7, 130)', () => {
    const lengths = [1, 7, 130];
    for (const moments of ['float32', 'float64'] as const) {
      const run = (resident: boolean) => {
        const params = lengths.map((n, k) => weights('float32', n, 30 + k));
        const before = params.map((p) => [p.value.data, p.grad.data] as const);
        const initial = params.map((p) => [...p.value.data]);
        const opt = adam(params, { lr: 0.01, beta1: 0.85, beta2: 0.995, eps: 1e-7, weightDecay: 0.02, moments, resident });
        params.forEach((p, k) => {
          // Moved (new arrays) only when resident, the values unchanged either way.
          expect(p.value.data !== before[k]![0] && p.grad.data !== before[k]![1], `${moments} length ${lengths[k]}: moved`).toBe(resident);
          expect([...p.value.data], `${moments} length ${lengths[k]}: values kept`).toEqual(initial[k]);
          expect(p.value.data.length + p.grad.data.length).toBe(2 * lengths[k]!);
        });
        const random = createRandom(31);
        for (let t = 1; t <= 5; t++) {
          opt.zeroGrad();
          for (const p of params) random.fillNormal(p.grad.data);
          opt.step();
        }
        return params.map((p) => [...p.value.data]);
      };
      const [resident, copying] = [run(true), run(false)];
      lengths.forEach((n, k) => expect(resident[k], `${moments} length ${n}`).toEqual(copying[k]));
      const start = [...weights('float32', 130, 32).value.data];
      expect(resident[2]!.filter((x, i) => x !== start[i]).length, `${moments}: the steps changed the weights`).toBe(130);
    }
  });
});
