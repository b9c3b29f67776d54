/**
 * The step-by-step walkthrough: one frame per statement, in source order, with that
 * statement's glyphs and wires lit, the rest faded, and its equation typeset beside the
 * figure. Every frame is rendered from one PlacedGraph on one canvas size, so each glyph
 * stays in the same place and the frames animate when flipped.
 */
import { equationsTex, type CellGraph } from '../cell/index.js';
import { typeset } from './labels.js';
import type { Box, PlacedGraph } from './types.js';

/** One frame's subject: the statement target and its equation as TeX. */
export interface FrameEquation {
  readonly target: string;
  readonly tex: string;
}

/** Space between the figure's right edge and the equation, and the margin after it. */
const ASIDE_GAP = 18;
const MARGIN = 14;

/** Each statement's equation at step t (the last drawn real step), in source order. */
export function frameEquations(cell: CellGraph): FrameEquation[] {
  const targets = new Set(cell.statements.map((s) => s.target));
  return equationsTex(cell)
    .filter((line) => targets.has(line.target))
    .map((line) => ({ target: line.target, tex: `${line.lhs} = ${line.rhs}` }));
}

/**
 * Room for the widest equation right of the figure, the same for every frame: the
 * widened PlacedGraph and each equation's box (vertically centred on the step frames).
 */
export function placeAside(placed: PlacedGraph, texes: readonly string[], fontPx: number): { placed: PlacedGraph; boxes: Box[] } {
  const labels = texes.map((tex) => typeset(tex, fontPx));
  const widest = Math.max(0, ...labels.map((l) => l.width));
  const x = placed.width - MARGIN + ASIDE_GAP;
  const frame = placed.steps[0];
  const middle = frame ? frame.y + frame.height / 2 : placed.height / 2;
  const boxes = labels.map((l) => ({ x, y: Math.max(MARGIN, middle - l.height / 2), width: l.width, height: l.height }));
  const lowest = Math.max(0, ...boxes.map((b) => b.y + b.height));
  const width = Math.ceil(x + widest + MARGIN);
  const height = Math.ceil(Math.max(placed.height, lowest + MARGIN));
  return { placed: { ...placed, width, height }, boxes };
}
