import { describe, expect, it } from 'vitest';
import { CellError, parseCell } from '../../src/cell/index.js';
import { errorOf } from '../expect.js';

const parse = (...lines: string[]) => parseCell(lines.join('\n'), { file: 'bad.cell' });
const failure = (...lines: string[]) => {
  const error = errorOf(() => parse(...lines));
  expect(error).toBeInstanceOf(CellError);
  return error.message;
};

describe('errors in .cell files name file, line and column', () => {
  it('syntax error', () => {
    expect(failure('input: x', 'state: h', 'h = tanh(W x + b + U h_prev')).toBe('bad.cell:3:28: syntax error: Parenthesis ) expected');
  });

  it('syntax error after a ⊙ keeps the original column', () => {
    expect(failure('input: x', 'state: h', 'h = h_prev ⊙ ⊙ x')).toMatch(/^bad\.cell:3:14: syntax error: /);
  });

  it('unknown function', () => {
    expect(failure('input: x', 'state: h', 'h = tanhh(W x + U h_prev)')).toBe(
      "bad.cell:3:5: unknown function 'tanhh' (known: σ, sigmoid, tanh, relu, exp, softplus, abs, sqrt, hardsigmoid, hardsigmoid_keras2, mean, sum, min, max, clip, transpose; for a product write tanhh ⊙ (...) or tanhh * (...))",
    );
  });

  it('symbol used before its definition', () => {
    expect(failure('input: x', 'state: h', 'r = σ(W x + n)', 'n = tanh(U h_prev)', 'h = r ⊙ n')).toBe(
      "bad.cell:3:13: 'n' is used before it is defined (it is assigned on line 4)",
    );
  });

  it('cycle within a step', () => {
    expect(failure('input: x', 'state: h', 'a = σ(W x + b)', 'b = tanh(U a)', 'h = a ⊙ h_prev')).toBe(
      'bad.cell:3:13: cycle within one step: a → b → a',
    );
  });

  it('a state that depends on itself without _prev', () => {
    expect(failure('input: x', 'state: h', 'h = tanh(W x + U h)')).toBe(
      "bad.cell:3:18: cycle within one step: 'h' depends on itself; write h_prev for the previous step's value",
    );
  });

  it('state declared but never assigned', () => {
    expect(failure('input: x', 'state: h, c', 'h = tanh(W x + U h_prev)')).toBe(
      "bad.cell:2:11: state 'c' is declared but never assigned (add a line 'c = ...')",
    );
  });

  it('input declared but unused', () => {
    expect(failure('input: x, y', 'state: h', 'h = tanh(W x + U h_prev)')).toBe("bad.cell:1:11: input 'y' is declared but never used");
  });

  it('shape conflict: a vector added to a matrix', () => {
    expect(failure('input: x', 'state: h', 'h = tanh(W x + W + U h_prev)')).toBe(
      'bad.cell:3:10: shape conflict: cannot add [?] (a vector) and [?, input] (a matrix)',
    );
  });

  it('shape conflict: elementwise product of different sizes', () => {
    expect(failure('input: x', 'state: h', 'h = h_prev ⊙ x')).toBe('bad.cell:3:5: shape conflict: cannot multiply elementwise [hidden] and [input]');
  });

  it('shape conflict: a product of two vectors written with *', () => {
    expect(failure('input: x', 'state: h', 'h = h_prev * x')).toBe(
      'bad.cell:3:5: shape conflict: a matrix-vector product needs a matrix on the left, found [hidden] (for an elementwise product write ⊙ or .*)',
    );
  });

  it('a parameter whose shape cannot be inferred', () => {
    expect(failure('input: x', 'state: h', 'h = tanh(W (V x) + U h_prev)')).toBe(
      "bad.cell:3:10: unknown function 'W' (known: σ, sigmoid, tanh, relu, exp, softplus, abs, sqrt, hardsigmoid, hardsigmoid_keras2, mean, sum, min, max, clip, transpose; for a product write W ⊙ (...) or W * (...))",
    );
    expect(failure('input: x', 'state: h', 'h = tanh(W * (V x) + U h_prev)')).toBe(
      "bad.cell:3:10: cannot infer the shape of parameter 'W' (known: [hidden, ?]); declare it with 'param W: [rows, cols]' or use it beside a value of known shape",
    );
  });

  it('_prev of something that is not a state', () => {
    expect(failure('input: x', 'state: h', 'h = tanh(W x + U c_prev)')).toBe(
      "bad.cell:3:18: 'c_prev' refers to the previous value of 'c', which is not a declared state or input (add it to 'state:')",
    );
  });

  it('a line that is neither header nor assignment', () => {
    expect(failure('input: x', 'state: h', 'h == tanh(x)')).toBe(
      'bad.cell:3:1: expected a header (cell:, title:, input:, state:, output:, noise:, param NAME: [dims]) or an assignment NAME = expression',
    );
  });

  it('a name assigned twice', () => {
    expect(failure('input: x', 'state: h', 'h = tanh(W x)', 'h = tanh(U h_prev)')).toBe(
      "bad.cell:4:1: 'h' is assigned twice (first on line 3); each name is assigned once per step",
    );
  });

  it('unsupported operator', () => {
    expect(failure('input: x', 'state: h', 'h = tanh(W x) % 2')).toMatch(/^bad\.cell:3:\d+: operator '%' is not supported/);
  });

  it('no input declared', () => {
    expect(failure('state: h', 'h = tanh(U h_prev)')).toBe("bad.cell:2:1: the cell declares no input (add a line 'input: x')");
  });
});
