/**
 * When two models differ, the known conversion mistakes are tried one by one on each side
 * (GRU reset placement, gate chunks read in the wrong order, biases merged, peephole blocks
 * in the wrong order, the update gate's sign convention, a hard sigmoid for a sigmoid), and
 * the first that makes them agree is reported as a sentence. See shared/numerics.md.
 */
import { paramNames, type Family } from './conventions.js';
import { compareRuns, runModel, type Comparison, type Run } from './compare.js';
import { familyOf, FRAMEWORK_NAMES, nativeGate, sourceGateOrder, type CellResolver, type Framework, type RecurrentActivation, type RecurrentModel } from './model.js';
import type { Sequence, Tensor } from './types.js';

export interface Diagnosis {
  readonly message: string;
  /** The comparison once the mistake is undone. */
  readonly comparison: Comparison;
}

interface Variant {
  readonly model: RecurrentModel;
  readonly message: string;
}

export interface Side {
  /** 'A' or 'B', as messages name it. */
  readonly label: string;
  readonly run: Run;
  /** Absent for saved outputs, which have no weights to reinterpret. */
  readonly model?: RecurrentModel;
}

/** The first known mistake that explains the difference, or undefined. */
export function diagnose(a: Side, b: Side, cells: CellResolver, inputs: Sequence, tolerance: number): Diagnosis | undefined {
  for (const [side, other] of [[b, a], [a, b]] as const) {
    if (!side.model) continue;
    for (const variant of variantsOf(side.model, side.label, other.label)) {
      const run = runModel(variant.model, cells, inputs);
      const comparison = side === a ? compareRuns(run, b.run, tolerance) : compareRuns(a.run, run, tolerance);
      if (comparison.agree) return { message: variant.message, comparison };
    }
  }
  return undefined;
}

/** Every mistake that could have been made on this side, simplest first. */
export function* variantsOf(model: RecurrentModel, side: string, other: string): Generator<Variant> {
  const family = familyOf(model);
  const reset = family === 'GRU' ? resetVariant(model, side) : undefined;
  if (reset) yield reset;
  const permutations = family === 'RNN' ? [] : [...gatePermutations(model, family, side)];
  yield* permutations;
  if (model.cell === 'gru') yield mergedBiases(model, side, other);
  if (model.cell === 'lstm-peephole') yield* peepholePermutations(model, side);
  if (family === 'GRU') yield flippedUpdateGate(model, side);
  yield* activationVariants(model, side);
  if (reset) for (const p of permutations) yield { model: { ...p.model, cell: reset.model.cell }, message: `${p.message}, and ${reset.message.replace(/^these agree if /, '')}` };
}

function resetVariant(model: RecurrentModel, side: string): Variant {
  const after = model.cell !== 'gru';
  return {
    model: { ...model, cell: after ? 'gru' : 'gru-cho' },
    message: after
      ? `these agree if ${side}'s GRU applies the reset after the matmul (linear_before_reset=1, as PyTorch and Keras reset_after=True do)`
      : `these agree if ${side}'s GRU applies the reset before the matmul (linear_before_reset=0, Keras reset_after=False)`,
  };
}

/** The weight and bias names of one gate. */
const gateParams = (gate: string): string[] => [paramNames.inputWeight(gate), paramNames.recurrentWeight(gate), paramNames.inputBias(gate), paramNames.recurrentBias(gate)];

/** Gates relabelled: the tensors imported as gate from[k] belong to gate to[k]. */
function relabel(model: RecurrentModel, from: readonly string[], to: readonly string[], params: (gate: string) => string[]): RecurrentModel {
  const weights = new Map(model.weights);
  from.forEach((gate, k) => {
    const source = params(gate);
    params(to[k]).forEach((name, i) => weights.set(name, model.weights.get(source[i])!));
  });
  return { ...model, weights };
}

function* permutationsOf<T>(items: readonly T[]): Generator<T[]> {
  if (items.length <= 1) {
    yield [...items];
    return;
  }
  for (let i = 0; i < items.length; i++) {
    for (const rest of permutationsOf([...items.slice(0, i), ...items.slice(i + 1)])) yield [items[i], ...rest];
  }
}

/** Frameworks other than `framework` that stack the gates in `order`: " (PyTorch's order)". */
function knownOrder(order: readonly string[], framework: Framework, family: Family): string {
  const same = (['pytorch', 'onnx', 'keras'] as const).filter((f) => f !== framework && sourceGateOrder(f, family).join() === order.join());
  return same.length ? ` (${same.map((f) => `${FRAMEWORK_NAMES[f]}'s`).join(' and ')} order)` : '';
}

function* gatePermutations(model: RecurrentModel, family: Family, side: string): Generator<Variant> {
  const order = sourceGateOrder(model.framework, family);
  const show = (gates: readonly string[]) => gates.map((g) => nativeGate(model.framework, family, g)).join(', ');
  for (const actual of permutationsOf(order)) {
    const moved = actual.flatMap((g, k) => (g === order[k] ? [] : [k]));
    if (moved.length === 0) continue;
    const holds = `${show(actual)}${knownOrder(actual, model.framework, family)}, not ${FRAMEWORK_NAMES[model.framework]}'s ${show(order)}`;
    const message =
      model.framework === 'json' ? `these agree if ${side}'s gate weights are named in the order ${holds}`
      : moved.length === 2 ? `these agree if gate chunks ${moved[0] + 1} and ${moved[1] + 1} of ${side} are swapped: its chunks hold ${holds}`
      : `these agree if ${side}'s gate chunks hold ${holds}`;
    yield { model: relabel(model, order, actual, gateParams), message };
  }
}

/** b_i + b_h in the input bias, zero recurrent bias: exact for every cell but the reset-after GRU, where r multiplies b_hn. */
function mergedBiases(model: RecurrentModel, side: string, other: string): Variant {
  const weights = new Map(model.weights);
  for (const gate of ['r', 'z', 'n']) {
    const input = model.weights.get(paramNames.inputBias(gate))!;
    const recurrent = model.weights.get(paramNames.recurrentBias(gate))!;
    weights.set(paramNames.inputBias(gate), { shape: input.shape, data: input.data.map((v, i) => v + recurrent.data[i]) });
    weights.set(paramNames.recurrentBias(gate), { shape: recurrent.shape, data: new Float64Array(recurrent.data.length) });
  }
  return {
    model: { ...model, weights },
    message: `biases were merged: these agree if ${side}'s input and recurrent biases are summed into one per gate, as ${other} holds them; this GRU's reset multiplies b_hn, so the sum is a different model`,
  };
}

function* peepholePermutations(model: RecurrentModel, side: string): Generator<Variant> {
  const order = model.framework === 'onnx' ? ['i', 'o', 'f'] : ['i', 'f', 'o'];
  const whose = model.framework === 'onnx' ? `${side}'s peephole blocks (P)` : `${side}'s peephole weights`;
  for (const actual of permutationsOf(order)) {
    if (actual.join() === order.join()) continue;
    yield {
      model: relabel(model, order, actual, (g) => [paramNames.peephole(g)]),
      message: `these agree if ${whose} hold ${actual.join(', ')}, not ${order.join(', ')}`,
    };
  }
}

/** z ↔ 1 − z: σ(−a) = 1 − σ(a), so negating z's weights and biases swaps the two conventions. */
function flippedUpdateGate(model: RecurrentModel, side: string): Variant {
  const weights = new Map(model.weights);
  for (const name of gateParams('z')) {
    const t: Tensor = model.weights.get(name)!;
    weights.set(name, { shape: t.shape, data: t.data.map((v) => -v) });
  }
  return {
    model: { ...model, weights },
    message: `these agree if ${side}'s update gate is flipped (h = z ⊙ n + (1 − z) ⊙ h_prev, as Chung et al. 2014 write it): negate its z weights and biases`,
  };
}

const ACTIVATION_WORDS: Readonly<Record<RecurrentActivation, string>> = {
  sigmoid: 'the logistic sigmoid',
  hardsigmoid_keras2: "Keras 2's hard_sigmoid, clip(0.2x + 0.5, 0, 1)",
  hardsigmoid: "Keras 3's hard_sigmoid, clip(x/6 + 0.5, 0, 1)",
};

function* activationVariants(model: RecurrentModel, side: string): Generator<Variant> {
  for (const activation of Object.keys(ACTIVATION_WORDS) as RecurrentActivation[]) {
    if (activation === model.recurrentActivation) continue;
    yield { model: { ...model, recurrentActivation: activation }, message: `these agree if ${side}'s gates use ${ACTIVATION_WORDS[activation]} as recurrent activation` };
  }
}
