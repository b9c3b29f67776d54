/**
 * Engine stage: the fast schedule's instructions for the cell language's less common ops
 * (the hard sigmoids, abs, sqrt, constant powers, clip, elementwise min/max, renames,
 * transposes, stacks and reductions). Each computes what the matching tape kernel
 * (kernels-extra.ts, kernels.ts) computes, with the same formula, on the schedule's slots.
 */
import type { CellNode } from '../cell/index.js';
import type { Data } from './tensor.js';
import type { ProgramCall } from './wasm-program.js';

/** Where a node's value lives: row r of step t starts at off + t·tStride + r·stride. */
export interface Slot {
  buf: Data;
  off: number;
  stride: number;
  tStride: number;
  readonly width: number;
}

/** One instruction of the schedule; `program`: the same as WebAssembly calls (schedule.ts fuses a step of them). */
export type Instr = ((t: number, rows: number) => void) & { program?: (rows: number) => ProgramCall[] };

/** Elementwise functions of one value, by the activation's name (or the schedule's own 'neg', 'copy'). */
export const EXTRA_UNARY: Readonly<Record<string, (x: number) => number>> = {
  abs: Math.abs,
  sqrt: Math.sqrt,
  hardsigmoid: (x) => Math.min(Math.max(x + 3, 0), 6) / 6,
  hardsigmoid_keras2: (x) => Math.min(Math.max(0.2 * x + 0.5, 0), 1),
};

const start = (s: Slot, t: number, r: number): number => s.off + t * s.tStride + r * s.stride;
/** The number a constant's slot holds (an exponent, a bound). */
const constantOf = (s: Slot): number => s.buf[s.off]!;

/** Row by row: out[j] = f(a[j], j), where a may be a scalar (width 1) repeated along the row. */
function rowMap(o: Slot, a: Slot, f: (x: number) => number): Instr {
  const w = o.width;
  const step = a.width === 1 ? 0 : 1;
  return (t, rows) => {
    for (let r = 0; r < rows; r++) {
      const oo = start(o, t, r), ao = start(a, t, r);
      for (let j = 0; j < w; j++) o.buf[oo + j] = f(a.buf[ao + j * step]!);
    }
  };
}

/** The instruction for node `n` writing `o` from `args`, or undefined for the kinds schedule.ts handles itself. */
export function extraInstr(n: CellNode, o: Slot, args: readonly Slot[], byId: ReadonlyMap<string, CellNode>): Instr | undefined {
  switch (n.kind) {
    case 'activation':
      return n.fn in EXTRA_UNARY ? rowMap(o, args[0]!, EXTRA_UNARY[n.fn]!) : undefined;
    case 'copy':
      return rowMap(o, args[0]!, (x) => x);
    // Constants are in their slots before any instruction is made.
    case 'pow': {
      const p = constantOf(args[1]!);
      return rowMap(o, args[0]!, (x) => x ** p);
    }
    case 'clip': {
      const [low, high] = [constantOf(args[1]!), constantOf(args[2]!)];
      return rowMap(o, args[0]!, (x) => Math.min(Math.max(x, low), high));
    }
    case 'min':
    case 'max':
      // A NaN operand wins, as Math.min/max and mathjs keep it (x !== x only for NaN).
      return extremum(o, args[0]!, args[1]!, n.kind === 'min' ? (x, y) => (x <= y || x !== x ? x : y) : (x, y) => (x >= y || x !== x ? x : y));
    case 'reduce':
      return reduceRows(o, args[0]!, n.fn);
    case 'concat':
      return stack(o, args);
    case 'transpose': {
      const [R, C] = byId.get(n.inputs[0]!)!.shape as number[];
      const a = args[0]!;
      return () => {
        for (let i = 0; i < R!; i++) for (let j = 0; j < C!; j++) o.buf[o.off + j * R! + i] = a.buf[a.off + i * C! + j]!;
      };
    }
    default:
      return undefined;
  }
}

/** Elementwise min or max; either operand may be a scalar (width 1); a tie picks a, as the tape does. */
function extremum(o: Slot, a: Slot, b: Slot, pick: (x: number, y: number) => number): Instr {
  const w = o.width;
  const as = a.width === 1 ? 0 : 1, bs = b.width === 1 ? 0 : 1;
  return (t, rows) => {
    for (let r = 0; r < rows; r++) {
      const oo = start(o, t, r), ao = start(a, t, r), bo = start(b, t, r);
      for (let j = 0; j < w; j++) o.buf[oo + j] = pick(a.buf[ao + j * as]!, b.buf[bo + j * bs]!);
    }
  };
}

/** mean, sum, min or max of each row: one number per row. */
function reduceRows(o: Slot, a: Slot, fn: 'mean' | 'sum' | 'min' | 'max'): Instr {
  const n = a.width;
  return (t, rows) => {
    for (let r = 0; r < rows; r++) {
      const ao = start(a, t, r);
      let acc = fn === 'min' ? Infinity : fn === 'max' ? -Infinity : 0;
      for (let j = 0; j < n; j++) {
        const x = a.buf[ao + j]!;
        // A NaN in the row makes the row's min or max NaN, as Math.min(...row) does.
        acc = fn === 'min' ? (x < acc || x !== x ? x : acc) : fn === 'max' ? (x > acc || x !== x ? x : acc) : acc + x;
      }
      o.buf[start(o, t, r)] = fn === 'mean' ? acc / n : acc;
    }
  };
}

/** The parts side by side in each row; a part that is the same for every row (a parameter vector) repeats. */
function stack(o: Slot, parts: readonly Slot[]): Instr {
  return (t, rows) => {
    for (let r = 0; r < rows; r++) {
      let col = start(o, t, r);
      for (const p of parts) {
        const po = start(p, t, r);
        for (let j = 0; j < p.width; j++) o.buf[col + j] = p.buf[po + j]!;
        col += p.width;
      }
    }
  };
}
