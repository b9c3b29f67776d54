// compare and memory on cells nobody wrote for them: random well-typed cells from the diagram
// tests' generator and literature cells that are not shipped (SRU, Jordan, Elman with a
// read-out, a low-rank RNN) plus the shipped QRNN, which reads x_prev. Each memory map is
// checked against central differences of the mathjs trace (an evaluator the map does not use),
// each cell trains a few steps on a task, and cells that cannot be fed fail with a clear line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCell, type CellGraph } from '../../src/cell/index.js';
import { loadCell } from '../../src/index.js';
import { delayTask, memoryMap, normalInputs, trainOnTask } from '../../src/experiments/index.js';
import { initWeights, trace, type Weights } from '../../src/trace/index.js';
import { createRandom } from '../../src/random.js';
import { generateCell } from '../diagram/random-cells.js';
import { errorOf, expectClose } from '../expect.js';

const T = 4;
const I = 1;
const H = 3;
const GENERATED = 10;
const FIXTURES = join(__dirname, '..', 'fixtures', 'cells');
const fixture = (name: string) => parseCell(readFileSync(join(FIXTURES, `${name}.cell`), 'utf8'), { file: `${name}.cell` });

/** Every dimension sized as memory and compare size it: the input's I, every other H. */
function sizesOf(cell: CellGraph): Record<string, number> {
  const inputDims = new Set(cell.inputs.flatMap((i) => i.shape));
  return Object.fromEntries(cell.dims.map((d) => [d, inputDims.has(d) ? I : H]));
}

/** ‖∂S_t/∂x_s‖_F for one sequence by central differences (h 1e-6) through the mathjs trace. */
function referenceMap(cell: CellGraph, state: string, weights: Weights, xs: Float64Array): Float64Array {
  const statesOf = (x: Float64Array) => {
    const steps = Array.from({ length: T }, (_, t) => [Array.from(x.subarray(t * I, (t + 1) * I))]);
    return trace(cell, weights, steps, { evaluator: 'mathjs', sizes: sizesOf(cell) }).steps.map((s) => s.values[state]![0]!);
  };
  const squares = new Float64Array(T * T);
  for (let i = 0; i < T * I; i++) {
    const [up, down] = [xs.slice(), xs.slice()];
    up[i]! += 1e-6;
    down[i]! -= 1e-6;
    const [a, b] = [statesOf(up), statesOf(down)];
    const s = Math.floor(i / I);
    for (let t = s; t < T; t++) a[t]!.forEach((v, u) => (squares[t * T + s] += ((v - b[t]![u]!) / 2e-6) ** 2));
  }
  return squares.map(Math.sqrt);
}

function checkMap(cell: CellGraph, seed: number): void {
  const weights = initWeights(cell, sizesOf(cell), seed);
  const inputs = normalInputs(T, 1, I, seed);
  const map = memoryMap(cell, { hidden: H, inputs, weights: Object.fromEntries(weights) });
  expectClose(map.norms, referenceMap(cell, map.state, weights, inputs.data as Float64Array), { atol: 1e-7, rtol: 1e-6 }, `${cell.name} map`);
}

describe('compare and memory on any cell', { timeout: 60_000 }, () => {
  const generated = Array.from({ length: GENERATED }, (_, k) => parseCell(generateCell(k + 1).text, { file: `generated-${k + 1}.cell` }));
  const oneInput = generated.filter((c) => c.inputs.length === 1);
  const literature = [...['sru', 'jordan', 'elman', 'lowrank-rnn'].map(fixture), loadCell('qrnn')];

  it(`memoryMap of ${GENERATED} generated cells (seeds 1 to ${GENERATED}) and 5 literature cells matches central differences of the mathjs trace (T ${T}, input ${I}, hidden ${H}; atol 1e-7 + rtol 1e-6)`, () => {
    expect(oneInput.length).toBeGreaterThanOrEqual(5);
    for (const [k, cell] of [...oneInput, ...literature].entries()) checkMap(cell, k + 1);
  });

  it('each of them trains on delay:3 (hidden 3, 2 steps) to a finite error in [0, 1]', () => {
    const task = delayTask(3);
    const test = task.sample(createRandom(9), 8, 'test');
    for (const cell of [...oneInput, ...literature]) {
      const run = trainOnTask(cell, task, { hidden: H, steps: 2, seed: 1, test, points: 1 });
      expect(run.finalError >= 0 && run.finalError <= 1, `${cell.name}: ${run.finalError}`).toBe(true);
    }
  });

  it('a cell it cannot feed fails with its name and the reason', () => {
    const twoInputs = generated.find((c) => c.inputs.length === 2)!;
    const noisy = parseCell('cell: noisy\ninput: x\nstate: h\nnoise: eps [hidden]\nh = tanh(W x + U h_prev + eps)\n', { file: 'noisy.cell' });
    const stateless = parseCell('cell: stateless\ninput: x\noutput: y\nparam W: [hidden, input]\ny = tanh(W x)\n', { file: 'stateless.cell' });
    const inputs = normalInputs(T, 1, I, 1);
    expect(errorOf(() => memoryMap(twoInputs, { hidden: H, inputs })).message).toBe(`cell '${twoInputs.name}' has 2 inputs ('x', 'u'); compare and memory feed one`);
    expect(errorOf(() => memoryMap(noisy, { hidden: H, inputs })).message).toBe("cell 'noisy' draws noise ('eps'); compare and memory need a deterministic cell");
    expect(errorOf(() => memoryMap(stateless, { hidden: H, inputs })).message).toBe("cell 'stateless' has no state, so nothing carries from one step to the next");
  });
});
