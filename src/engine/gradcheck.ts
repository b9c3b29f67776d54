/**
 * Engine stage: gradients checked against central finite differences (float64). Used by the
 * tests for every op and every shipped cell, and exported so a user's new cell can be checked.
 */
import { Tape, type Var } from './tape.js';
import { cast, type Tensor } from './tensor.js';

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  readonly h?: number;
  /** Weights w of the scalar Σ w ⊙ f(x) when f is not a scalar (default: 1 + 0.1·index, so entries differ). */
  readonly weights?: Float64Array;
}

export interface GradcheckResult {
  /** Per input: the gradient from backward() and the one from central differences. */
  readonly analytic: readonly Float64Array[];
  readonly numeric: readonly Float64Array[];
  /** max |analytic − numeric| / (1 + |numeric|) over every entry of every input. */
  readonly maxError: number;
}

/** Runs f on fresh Vars of `inputs` (all float64) and compares its gradients with central differences. */
export function gradcheck(f: (tape: Tape, vars: Var[]) => Var, inputs: readonly Tensor[], options: GradcheckOptions = {}): GradcheckResult {
  const h = options.h ?? 1e-6;
  const values = inputs.map((t) => cast(t, 'float64'));
  const scalarOf = (out: Var): number => {
    const d = out.value.data;
    let s = 0;
    for (let i = 0; i < d.length; i++) s += (options.weights ? options.weights[i]! : 1 + 0.1 * i) * d[i]!;
    return s;
  };
  const evaluate = (): number => {
    const tape = new Tape({ record: false });
    return scalarOf(f(tape, values.map((v, k) => tape.constant(v, `input${k}`))));
  };
  const tape = new Tape();
  const vars = values.map((v, k) => tape.variable(v, `input${k}`));
  const out = f(tape, vars);
  const seed = new Float64Array(out.value.data.length).map((_, i) => (options.weights ? options.weights[i]! : 1 + 0.1 * i));
  tape.backward(out, seed);
  const analytic = vars.map((v) => Float64Array.from(v.grad ?? new Float64Array(v.value.data.length)));
  const numeric = values.map((v) => {
    const g = new Float64Array(v.data.length);
    for (let i = 0; i < v.data.length; i++) {
      const keep = v.data[i]!;
      v.data[i] = keep + h;
      const up = evaluate();
      v.data[i] = keep - h;
      const down = evaluate();
      v.data[i] = keep;
      g[i] = (up - down) / (2 * h);
    }
    return g;
  });
  let maxError = 0;
  analytic.forEach((a, k) => a.forEach((x, i) => (maxError = Math.max(maxError, Math.abs(x - numeric[k]![i]!) / (1 + Math.abs(numeric[k]![i]!))))));
  return { analytic, numeric, maxError };
}
