// convert: round trips through the files each framework writes (safetensors, ONNX, Keras
// HDF5, JSON) on generated weights, and the refusals, each with its full message. Weights are
// float32 values, as framework files hold them, so an exact layout change is bit-exact.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cellResolver, decodeLoaded, encodeConverted } from '../../src/cli/models.js';
import { compareRuns, convertModel, runModel, type RecurrentModel, type Target, type Tensor } from '../../src/trace/index.js';
import { errorOf } from '../expect.js';

const SEED = 1616;
const RUNS = 12;
const CELLS = ['rnn', 'gru', 'gru-cho', 'lstm', 'lstm-peephole'] as const;

/** A cell's parameters for hidden H and input I, drawn as float32 values. */
function modelArbitrary(cells: readonly string[]) {
  return fc.record({ cell: fc.constantFrom(...cells), H: fc.integer({ min: 1, max: 4 }), I: fc.integer({ min: 1, max: 3 }), seed: fc.integer({ min: 1, max: 2 ** 30 }) }).map(({ cell, H, I, seed }) => {
    let state = seed;
    const next = () => Math.fround(((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1);
    const tensor = (shape: number[]): Tensor => ({ shape, data: Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, next) });
    const gates = cell === 'rnn' ? ['h'] : cell.startsWith('gru') ? ['r', 'z', 'n'] : ['i', 'f', 'g', 'o'];
    const weights = new Map<string, Tensor>();
    for (const g of gates) {
      weights.set(`W_i${g}`, tensor([H, I]));
      weights.set(`W_h${g}`, tensor([H, H]));
      weights.set(`b_i${g}`, tensor([H]));
      weights.set(`b_h${g}`, tensor([H]));
    }
    if (cell === 'lstm-peephole') for (const g of ['i', 'f', 'o']) weights.set(`p_${g}`, tensor([H]));
    return { cell, weights, framework: 'json', recurrentActivation: 'sigmoid', source: 'w.json' } as RecurrentModel;
  });
}

const FILES: Readonly<Record<Target, string>> = { pytorch: 'm.safetensors', onnx: 'm.onnx', keras: 'm.weights.h5', json: 'm.json' };

/** Converts, writes the bytes, reads them back as check does. */
async function through(model: RecurrentModel, target: Target): Promise<RecurrentModel> {
  const converted = convertModel(model, target);
  const bytes = await encodeConverted(converted);
  const back = await decodeLoaded(typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes, FILES[target], { cell: converted.cell });
  if (back.kind !== 'model') throw new Error('read back as outputs');
  return back.model;
}

const sameWeights = (a: RecurrentModel, b: RecurrentModel) => {
  expect(b.cell).toBe(a.cell);
  expect([...b.weights.keys()].sort()).toEqual([...a.weights.keys()].sort());
  for (const [name, t] of a.weights) expect([name, ...b.weights.get(name)!.data]).toEqual([name, ...t.data]);
};

describe('convert: round trips through the frameworks\' files', { timeout: 120_000 }, () => {
  it('pytorch → onnx → pytorch and onnx → pytorch → onnx leave every weight bit-identical', async () => {
    await fc.assert(
      fc.asyncProperty(modelArbitrary(['rnn', 'gru', 'lstm']), async (model) => {
        const viaOnnx = await through(await through(model, 'pytorch'), 'onnx');
        sameWeights(model, await through(viaOnnx, 'pytorch'));
        sameWeights(model, await through(await through(viaOnnx, 'pytorch'), 'onnx'));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('keras → pytorch → keras is bit-identical (one Keras bias becomes bias_ih, bias_hh = 0)', async () => {
    await fc.assert(
      fc.asyncProperty(modelArbitrary(['rnn', 'gru', 'lstm']), async (model) => {
        const keras = await through(model, 'keras');
        sameWeights(keras, await through(await through(keras, 'pytorch'), 'keras'));
      }),
      { seed: SEED + 1, numRuns: RUNS },
    );
  });

  it('every allowed conversion of every cell computes the same function (1e-6: merged biases are rounded to float32)', async () => {
    const cells = await cellResolver();
    const X = [[[0.3, -0.7, 1.1], [1, 0.5, -0.2]], [[-1.2, 0.4, 0.9], [0.1, -0.1, 0.6]], [[0.5, 0.5, -0.5], [2, -1, 0]]];
    await fc.assert(
      fc.asyncProperty(modelArbitrary(CELLS), fc.constantFrom<Target>('pytorch', 'onnx', 'keras', 'json'), async (model, target) => {
        const allowed = !(target === 'pytorch' && (model.cell === 'gru-cho' || model.cell === 'lstm-peephole')) && !(target === 'keras' && model.cell === 'lstm-peephole');
        fc.pre(allowed);
        const inputs = X.map((step) => step.map((row) => row.slice(0, model.weights.get(model.cell === 'rnn' ? 'W_ih' : model.cell.startsWith('gru') ? 'W_ir' : 'W_ii')!.shape[1])));
        const back = await through(model, target);
        const comparison = compareRuns(runModel(model, cells, inputs), runModel(back, cells, inputs), 1e-6);
        expect(comparison.max.diff).toBeLessThanOrEqual(1e-6);
      }),
      { seed: SEED + 2, numRuns: 3 * RUNS },
    );
  });
});

describe('convert: what a target cannot express is refused, with the reason', () => {
  const model = (cell: string, extra: Partial<RecurrentModel> = {}): RecurrentModel => {
    const [arbitrary] = fc.sample(modelArbitrary([cell]), { seed: 7, numRuns: 1 });
    return { ...arbitrary, source: 'm.onnx', ...extra };
  };
  it('a reset-before GRU to PyTorch', () => {
    expect(errorOf(() => convertModel(model('gru-cho'), 'pytorch')).message).toBe(
      'm.onnx: cannot convert to PyTorch: nn.GRU applies the reset after the matmul, r ⊙ (W_hn h + b_hn); this GRU applies it before (linear_before_reset=0, Keras reset_after=False), a different function for any weights',
    );
  });
  it('a GRU with its two reset-side biases to a reset-before GRU', () => {
    expect(errorOf(() => convertModel(model('gru'), 'keras', { gruReset: 'before' })).message).toBe(
      'm.onnx: a GRU that applies the reset after the matmul cannot become one that applies it before (r ⊙ (W_hn h + b_hn), after the matmul, equals the other form for no weights but W_hn = 0 and b_hn = 0)',
    );
  });
  it('nonzero peepholes to PyTorch or Keras; a hard sigmoid to PyTorch (ONNX takes it as HardSigmoid, see tests/io/onnx-runtime.test.ts)', () => {
    expect(errorOf(() => convertModel(model('lstm-peephole'), 'pytorch')).message).toBe('m.onnx: cannot convert to PyTorch: nn.LSTM has no peepholes, and these are nonzero');
    expect(errorOf(() => convertModel(model('lstm-peephole'), 'keras')).message).toBe('m.onnx: Keras 3 has no peephole LSTM (tf.keras.experimental.PeepholeLSTMCell is gone), and these peepholes are nonzero');
    const hard = model('gru', { recurrentActivation: 'hardsigmoid_keras2' });
    expect(errorOf(() => convertModel(hard, 'pytorch')).message).toBe("m.onnx: cannot convert to PyTorch: nn.GRU's gates use the logistic sigmoid, this model hardsigmoid_keras2");
  });
  it('a peephole LSTM whose peepholes are all zero is a plain LSTM, which PyTorch takes', () => {
    const m = model('lstm-peephole');
    const zeroed = { ...m, weights: new Map([...m.weights].map(([n, t]) => [n, n.startsWith('p_') ? { shape: t.shape, data: new Float64Array(t.data.length) } : t])) };
    const converted = convertModel(zeroed, 'pytorch');
    expect(converted.cell).toBe('lstm');
  });
});
