// The language additions of issue 11, each in the IR, the equations and a trace against
// numbers worked out by hand; and each refusal as its full message at file:line:column.
// (The literature cells in tests/fixtures/cells run them through every consumer.)
import { describe, expect, it } from 'vitest';
import { CellError, parseCell, toTex, toText, withSizes } from '../../src/cell/index.js';
import { trace } from '../../src/trace/index.js';
import { errorOf, expectClose } from '../expect.js';

const parse = (...lines: string[]) => parseCell(lines.join('\n'), { file: 'new.cell' });
const failure = (...lines: string[]) => {
  const error = errorOf(() => parse(...lines));
  expect(error).toBeInstanceOf(CellError);
  return error.message;
};
const shapes = (cell: ReturnType<typeof parse>) => Object.fromEntries(cell.params.map((p) => [p.name, p.shape]));

describe('x_prev: the previous input', () => {
  it('is a leaf of its own, printed x_{t-1}, zero at the first step', () => {
    const cell = parse('input: x [1]', 'state: h [1]', 'h = x + 2 * x_prev + 0 * h_prev');
    expect(cell.nodes.find((n) => n.id === 'x_prev')).toMatchObject({ kind: 'input_prev', name: 'x' });
    expect(toText(cell)).toBe('h_t = x_t + 2 x_{t-1} + 0 h_{t-1}\n');
    const t = trace(cell, new Map(), [[1], [10], [100]]);
    expect(t.steps.map((s) => s.values.h![0]![0])).toEqual([1, 12, 120]);
  });

  it('of an undeclared name is still an error', () => {
    expect(failure('input: x', 'state: h', 'h = tanh(W x + U y_prev)')).toBe("new.cell:3:18: 'y_prev' refers to the previous value of 'y', which is not a declared state or input (add it to 'state:')");
  });
});

describe('h = c: a plain rename', () => {
  it('is a copy node; the equation reads h_t = c_t and h carries c', () => {
    const cell = parse('input: x [1]', 'state: c [1], h [1]', 'c = 0.5 * c_prev + x', 'h = c');
    expect(cell.nodes.find((n) => n.id === 'h')).toMatchObject({ kind: 'copy', inputs: ['c'] });
    expect(toText(cell)).toBe('c_t = 0.5 c_{t-1} + x_t\nh_t = c_t\n');
    const t = trace(cell, new Map(), [[2], [4]]);
    expect(t.final).toEqual({ c: [[5]], h: [[5]] });
  });
});

describe('scalar parameters', () => {
  it('param beta: [] is a scalar that broadcasts in sums and products', () => {
    const cell = parse('input: x', 'state: h', 'param beta: []', 'h = tanh(W x + beta * h_prev - beta + beta ⊙ h_prev)');
    expect(shapes(cell).beta).toEqual([]);
    expect(shapes(cell).W).toEqual(['hidden', 'input']);
    expect(toTex(cell)).toContain('\\beta\\,h_{t-1} - \\beta + \\beta\\,h_{t-1}');
  });

  it('takes a plain number in a weights file and broadcasts in the trace', () => {
    const cell = parse('input: x [2]', 'param beta: []', 'y = beta * x + beta');
    const t = trace(cell, new Map([['beta', { shape: [], data: Float64Array.of(3) }]]), [[[1, 2], [3, 4]]]);
    expect(t.steps[0]!.values.y).toEqual([[6, 9], [12, 15]]);
  });
});

describe("transpose: W' and transpose(W)", () => {
  it('(W - W\') h_prev makes W square; both spellings print Wᵀ', () => {
    const cell = parse('input: x', 'state: h', "h = tanh((W - W') * h_prev + transpose(V) * x)");
    expect(shapes(cell)).toMatchObject({ W: ['hidden', 'hidden'], V: ['input', 'hidden'] });
    expect(toText(cell)).toBe("h_t = tanh((W - W') h_{t-1} + V' x_t)\n");
    expect(toTex(cell)).toContain('\\left(W - W^{\\top}\\right) h_{t-1} + V^{\\top} x_{t}');
  });

  it('(W - Wᵀ) h by hand: W = [[1, 2], [3, 4]], h = [1, 1] gives [-1, 1]', () => {
    const cell = parse('input: x [2]', "y = (W - W') * x");
    const t = trace(cell, new Map([['W', { shape: [2, 2], data: Float64Array.of(1, 2, 3, 4) }]]), [[1, 1]]);
    expect(t.steps[0]!.values.y).toEqual([[-1, 1]]);
  });

  it('of a vector is refused', () => {
    expect(failure('input: x', 'state: h', "h = tanh(h_prev' + x)")).toBe('new.cell:3:10: shape conflict: a transpose needs a matrix, found [hidden] (a vector)');
  });
});

describe('the identity matrix I', () => {
  it("(W - W' - gamma * I) h_prev: I takes W's square shape, is no parameter, and prints as I", () => {
    const cell = parse('input: x', 'state: h', 'param gamma: []', "h = tanh((W - W' - gamma * I) * h_prev + V x)");
    expect(cell.nodes.find((n) => n.id === 'I')).toMatchObject({ kind: 'identity', shape: ['hidden', 'hidden'] });
    expect(cell.params.map((p) => p.name)).toEqual(['W', 'gamma', 'V']);
    expect(toText(cell)).toBe("h_t = tanh((W - W' - gamma I) h_{t-1} + V x_t)\n");
    expect(toTex(cell)).toContain('\\left(W - W^{\\top} - \\gamma\\,I\\right) h_{t-1}');
  });

  it('by hand: (W - Wᵀ - 2 I) x with W = [[1, 2], [3, 4]], x = [1, 1] gives [-3, -1]; I x is x', () => {
    const cell = parse('input: x [2]', "y = (W - W' - 2 * I) * x", 'z = I * x');
    const t = trace(cell, new Map([['W', { shape: [2, 2], data: Float64Array.of(1, 2, 3, 4) }]]), [[1, 1]]);
    expect(t.steps[0]!.values.y).toEqual([[-3, -1]]);
    expect(t.steps[0]!.values.z).toEqual([[1, 1]]);
  });

  it('cannot be declared or assigned, and is square', () => {
    expect(failure('input: x', 'state: h', 'param I: [hidden, hidden]', 'h = tanh(I * h_prev)')).toBe("new.cell:3:7: 'I' is the identity matrix and cannot be declared; choose another name");
    expect(failure('input: x', 'I = 2 * x')).toBe("new.cell:2:1: 'I' is the identity matrix and cannot be assigned; choose another name");
    expect(failure('input: x [2]', 'state: h [3]', 'h = tanh(I * x + h_prev)')).toBe('new.cell:3:10: shape conflict: cannot add [2] and [3]');
  });
});

describe("concatenation in Olah's notation: W * [h_prev; x]", () => {
  it('gives W the shape [hidden, hidden+input], resolved by withSizes', () => {
    const cell = parse('input: x', 'state: h', 'h = tanh(W * [h_prev; x] + b)');
    expect(shapes(cell).W).toEqual(['hidden', 'hidden+input']);
    expect(cell.dims).toEqual(['hidden', 'input']);
    expect(withSizes(cell, { hidden: 3, input: 2 }).params.find((p) => p.name === 'W')!.shape).toEqual([3, 5]);
    expect(toText(cell)).toBe('h_t = tanh(W · [h_{t-1}; x_t] + b)\n');
    expect(toTex(cell)).toContain('W \\cdot \\left[h_{t-1}, x_{t}\\right]');
  });

  it('a declared [hidden, input + hidden] agrees; W [h; x] by hand', () => {
    const cell = parse('input: x', 'state: h', 'param W: [hidden, input + hidden]', 'h = W * [h_prev; x]');
    const t = trace(cell, new Map([['W', { shape: [1, 2], data: Float64Array.of(0.5, 2) }]]), [[1], [3]], { sizes: { hidden: 1, input: 1 } });
    expect(t.steps.map((s) => s.values.h![0]![0])).toEqual([2, 7]);
  });

  it('a declared size that disagrees is a conflict at the bracket', () => {
    expect(failure('input: x', 'state: h', 'param W: [hidden, 5]', 'h = tanh(W * [h_prev; x])')).toBe('new.cell:4:14: shape conflict: the stacked vector has size hidden+input but is used as size 5');
  });

  it('only vectors stack', () => {
    expect(failure('input: x', 'state: h', 'param M: [hidden, hidden]', 'h = tanh(W * [M; x])')).toBe('new.cell:4:15: shape conflict: only vectors can be stacked in [...], found [hidden, hidden] (a matrix)');
  });

  it('W [h_prev; x] without * is a syntax error that says how to write it', () => {
    expect(failure('input: x', 'state: h', 'h = tanh(W [h_prev; x])')).toBe('new.cell:3:19: syntax error: Parenthesis ] expected (for a product with a stacked vector write W * [...])');
  });
});

describe('reductions, min, max, abs, powers, hard sigmoids, clip', () => {
  const oneStep = (rhs: string, x: number[]) => trace(parse(`input: x [${x.length}]`, `y = ${rhs}`), new Map(), [x]).steps[0]!.values.y![0]!;

  it('mean, sum, min and max of a vector are scalars', () => {
    expect(oneStep('mean(x) + 0 * x', [1, 2, 6])).toEqual([3, 3, 3]);
    expect(oneStep('sum(x) * x', [1, 2, 3])).toEqual([6, 12, 18]);
    expect(oneStep('max(x) - min(x) + 0 * x', [4, -1, 2])).toEqual([5, 5, 5]);
  });

  it('min and max of two values are elementwise; abs, ^ and clip', () => {
    expect(oneStep('min(x, 1) + max(x, 0)', [-2, 0.5, 3])).toEqual([-2, 1, 4]);
    expect(oneStep('abs(x) + x^2', [-2, 3])).toEqual([6, 12]);
    expect(oneStep('clip(x, -1, 1)', [-5, 0.25, 5])).toEqual([-1, 0.25, 1]);
  });

  it('hardsigmoid is relu6(x + 3) / 6 (Keras 3, PyTorch); hardsigmoid_keras2 is clip(0.2 x + 0.5, 0, 1)', () => {
    const x = [-4, -1, 0, 2, 4];
    expectClose(oneStep('hardsigmoid(x)', x), [0, 2 / 6, 0.5, 5 / 6, 1], 1e-15, 'hardsigmoid');
    expectClose(oneStep('hardsigmoid_keras2(x)', x), [0, 0.3, 0.5, 0.9, 1], 1e-15, 'hardsigmoid_keras2');
  });

  it('LayerNorm by hand: (x - mean(x)) / sqrt(mean((x - mean(x))^2)) of [1, 2, 3] is [-√1.5, 0, √1.5]', () => {
    expectClose(oneStep('(x - mean(x)) / sqrt(mean((x - mean(x))^2))', [1, 2, 3]), [-Math.sqrt(1.5), 0, Math.sqrt(1.5)], 1e-15, 'layer norm');
  });

  it('refusals name the rule', () => {
    expect(failure('input: x', 'state: h', 'h = h_prev ^ x')).toBe("new.cell:3:5: the exponent of '^' must be a number, found 'x'");
    expect(failure('input: x', 'state: h', 'h = clip(h_prev, 1, -1) + W x')).toBe("new.cell:3:18: clip's lower bound 1 is above its upper bound -1");
    expect(failure('input: x', 'state: h', 'h = clip(h_prev, 0, b) + W x')).toBe("new.cell:3:5: the upper bound of clip must be a number, found 'b'");
    expect(failure('input: x', 'state: h', 'h = min(h_prev, W x, h_prev)')).toBe('new.cell:3:5: min takes 1 or 2 arguments (min(v) or min(a, b)), found 3');
    expect(failure('input: x', 'state: h', 'param M: [hidden, hidden]', 'h = h_prev + mean(M) + W x')).toBe('new.cell:4:19: shape conflict: mean(...) reduces a vector to a scalar, found [hidden, hidden] (a matrix)');
  });
});

describe('matrix-matrix products', () => {
  it('W * U * x is computed as W (U x), with the inner size from a declaration', () => {
    const cell = parse('input: x', 'state: h', 'param U: [rank, input]', 'h = tanh(W * U * x + h_prev)');
    expect(shapes(cell)).toMatchObject({ W: ['hidden', 'rank'], U: ['rank', 'input'] });
    expect(toText(cell)).toBe('h_t = tanh(W (U x_t) + h_{t-1})\n');
  });

  it('a product of two matrices with no vector after it is refused, saying so', () => {
    expect(failure('input: x', 'state: h', 'param U: [hidden, hidden]', 'param V: [hidden, hidden]', 'h = tanh(U * V) ⊙ h_prev + x')).toBe(
      'new.cell:5:10: a product of two matrices is supported only when a vector follows (W * U * x is computed as W (U x)); found [hidden, hidden] (a matrix) times [hidden, hidden] (a matrix)',
    );
  });
});

describe('names with accents', () => {
  it('h̃ and ĥ (combining or precomposed) are h_tilde and h_hat; c_tilde typesets as \\tilde{c}', () => {
    const cell = parse('input: x', 'state: h', 'h̃ = tanh(W x)', 'ĥ = σ(U x)', 'c_tilde = h̃ ⊙ ĥ', 'h = c_tilde + h_prev');
    expect(cell.statements.map((s) => s.target)).toEqual(['h_tilde', 'h_hat', 'c_tilde', 'h']);
    expect(toTex(cell)).toContain('\\tilde{c}_{t} &= \\tilde{h}_{t} \\odot \\hat{h}_{t}');
    expect(toText(cell)).toContain('c̃_t = h̃_t ⊙ ĥ_t');
  });

  it('an error after an accented name keeps the column as written', () => {
    expect(failure('input: x', 'state: h', 'h̃ = tanh(W x)', 'h = h̃ + tanhh(h_prev)')).toMatch(/^new\.cell:4:10: unknown function 'tanhh'/);
  });
});
