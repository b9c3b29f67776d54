// bceWithLogits on float32 logits large enough for the WebAssembly kernel (bce-wasm.ts): the loss
// and the gradient against float64 formulas computed here (Math.log1p, Math.exp), at sizes that
// end inside a 16-byte vector (the last entries in JS) and at logits past the exp's clamp.
import { afterAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../src/random.js';
import { Tape } from '../../src/engine/index.js';
import { useWasm } from '../../src/engine/matmul.js';
import { expectClose } from '../expect.js';

afterAll(() => void useWasm(true));

/** Logits: every 7th an extreme (±0, ±1e-8, ±20, ±87, ±89, ±800, ±1e30), the rest N(0, 9); targets in [0, 1]. */
function batch(n: number, seed: number): { x: Float32Array; y: Float32Array } {
  const random = createRandom(seed);
  const extremes = [0, -0, 1e-8, -1e-8, 20, -20, 87, -87, 89, -89, 800, -800, 1e30, -1e30];
  const x = new Float32Array(n), y = new Float32Array(n);
  random.fillNormal(x);
  for (let i = 0; i < n; i++) {
    x[i] = i % 7 === 0 ? extremes[(i / 7) % extremes.length]! : 3 * x[i]!;
    y[i] = random.next();
  }
  return { x, y };
}

/** softplus(x) − x·y and σ(x) − y in float64. */
const term = (x: number, y: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))) - x * y;
const logistic = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

describe('bceWithLogits, float32 on the WebAssembly kernel', () => {
  for (const [rows, cols] of [[8, 512], [7, 587], [13, 317]] as const) {
    it(`[${rows}, ${cols}] (${(rows * cols) % 4} entries after the last whole vector): each term within 1e-6 relative (summed), the gradient within 2e-7 of k·(σ(x) − y)`, () => {
      useWasm(true);
      const n = rows * cols;
      const { x, y } = batch(n, n);
      // One large term would hide the others' errors: check the sum without the ±1e30 logits, whose terms are exact (x·(1 − y) or −x·y).
      const finite = (v: number) => Math.abs(v) < 1e29;
      const xs = x.map((v) => (finite(v) ? v : 0));
      const tape = new Tape();
      const vx = tape.variable({ shape: [rows, cols], data: xs });
      const loss = tape.bceWithLogits(vx, tape.constant({ shape: [rows, cols], data: y }), 'batchmean');
      tape.backward(loss);
      let expected = 0, magnitude = 0;
      for (let i = 0; i < n; i++) {
        expected += term(xs[i]!, y[i]!);
        magnitude += Math.abs(term(xs[i]!, y[i]!));
      }
      expect(Math.abs(loss.value.data[0]! - expected / rows)).toBeLessThanOrEqual((1e-6 * magnitude) / rows);
      expectClose(vx.grad!, Array.from(xs, (v, i) => (logistic(v) - y[i]!) / rows), { atol: 2e-7 / rows }, 'd/dx');
    });
  }

  it('logits of ±1e30 and ±800 give finite losses and gradients σ(x) − y exactly 1 − y or −y', () => {
    useWasm(true);
    const { x, y } = batch(4096, 5);
    const tape = new Tape();
    const vx = tape.variable({ shape: [4096], data: x });
    const loss = tape.bceWithLogits(vx, tape.constant({ shape: [4096], data: y }), 'sum');
    tape.backward(loss);
    expect(Number.isFinite(loss.value.data[0]!)).toBe(true);
    for (let i = 0; i < 4096; i++) {
      if (Math.abs(x[i]!) >= 800) expect(vx.grad![i], `d/dx[${i}] at ${x[i]}`).toBe(Math.fround((x[i]! > 0 ? 1 : 0) - y[i]!));
    }
  });

  it('with the kernel off (useWasm(false)) the float32 loss is the float64 loop, within 1e-6 relative of the kernel', () => {
    const { x, y } = batch(4099, 9);
    const xs = x.map((v) => (Math.abs(v) < 1e29 ? v : 0));
    const lossOf = () => {
      const tape = new Tape({ record: false });
      return tape.bceWithLogits(tape.constant({ shape: [4099], data: xs }), tape.constant({ shape: [4099], data: y }), 'sum').value.data[0]!;
    };
    useWasm(true);
    const onKernel = lossOf();
    useWasm(false);
    const inJs = lossOf();
    useWasm(true);
    let expected = 0;
    for (let i = 0; i < 4099; i++) expected += term(xs[i]!, y[i]!);
    expect(inJs).toBe(Math.fround(expected));
    expect(Math.abs(onKernel - inJs)).toBeLessThanOrEqual(1e-6 * Math.abs(inJs));
  });
});
