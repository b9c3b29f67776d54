/**
 * The figure's key (d2l style): one sample of each kind of glyph and wire the figure
 * uses, with a few words, in rows under the figure. Only what is drawn is explained.
 */
import { textTex, typeset } from './labels.js';
import type { Box, DiagramGraph, KeyItem, KeyKind } from './types.js';

const WORDS: Readonly<Record<KeyKind, { sample: string; words: string }>> = {
  layer: { sample: '\\sigma', words: 'layer: activation of an affine map' },
  linear: { sample: 'W{\\cdot}+b', words: 'affine map' },
  pointwise: { sample: '\\odot', words: 'pointwise operation' },
  function: { sample: '\\tanh', words: 'function' },
  matmul: { sample: '\\times', words: 'matrix-vector product' },
  param: { sample: 'W', words: 'parameter' },
  concat: { sample: '', words: 'concatenation' },
  stack: { sample: '', words: 'concatenation [a; b]' },
  junction: { sample: '', words: 'copy' },
  belt: { sample: '', words: 'cell state' },
  peephole: { sample: '', words: 'peephole' },
  noise: { sample: '', words: 'noise input' },
};

const SAMPLE = { width: 30, height: 20 };
/** Font size of the label inside a sample glyph, relative to the theme's. */
export const SAMPLE_FONT = 0.7;
/** Font size of the key's words, relative to the theme's. */
export const WORDS_FONT = 0.72;
const GAP = 22;
const ROW_GAP = 8;

/** The kinds of glyph and wire a graph draws, in a fixed order, each with a sample label from the figure. */
export function keyKinds(graph: DiagramGraph, hasJunctions: boolean): { kind: KeyKind; sampleTex: string }[] {
  const edges = new Set(graph.edges.map((e) => e.kind));
  const kinds: { kind: KeyKind; sampleTex: string }[] = [];
  for (const g of ['layer', 'linear', 'pointwise', 'function', 'matmul', 'param'] as const) {
    const first = graph.nodes.find((n) => n.glyph === g);
    // A linear box's own label can be long; the key shows a generic one.
    if (first) kinds.push({ kind: g, sampleTex: g === 'linear' ? WORDS.linear.sample : first.tex });
  }
  // Wires merging where several gates read the same inputs, and the cell's own stacks [a; b].
  if (graph.nodes.some((n) => n.glyph === 'concat' && n.valueOf === '')) kinds.push({ kind: 'concat', sampleTex: '' });
  if (graph.nodes.some((n) => n.glyph === 'concat' && n.valueOf !== '')) kinds.push({ kind: 'stack', sampleTex: '' });
  if (hasJunctions) kinds.push({ kind: 'junction', sampleTex: '' });
  for (const e of ['belt', 'peephole', 'noise'] as const) if (edges.has(e)) kinds.push({ kind: e, sampleTex: '' });
  return kinds;
}

/** Lay the key out in rows from (x, y), wrapping at maxWidth; returns the items and the height used. */
export function placeKey(kinds: readonly { kind: KeyKind; sampleTex: string }[], x: number, y: number, maxWidth: number, fontPx: number): { items: KeyItem[]; height: number } {
  const items: KeyItem[] = [];
  let cx = x;
  let cy = y;
  let rowHeight = 0;
  for (const { kind, sampleTex } of kinds) {
    const words = typeset(textTex(WORDS[kind].words), fontPx * WORDS_FONT);
    const sampleWidth = Math.ceil(Math.max(SAMPLE.width, sampleTex ? typeset(sampleTex, fontPx * SAMPLE_FONT).width + 12 : 0));
    const width = sampleWidth + 6 + words.width;
    if (cx > x && cx + width > x + maxWidth) {
      cx = x;
      cy += rowHeight + ROW_GAP;
      rowHeight = 0;
    }
    const height = Math.max(SAMPLE.height, words.height);
    const sample: Box = { x: cx, y: cy + (height - SAMPLE.height) / 2, width: sampleWidth, height: SAMPLE.height };
    const label = { tex: words.tex, box: { x: cx + sampleWidth + 6, y: cy + (height - words.height) / 2, width: words.width, height: words.height } };
    items.push({ kind, sampleTex, sample, label });
    cx += width + GAP;
    rowHeight = Math.max(rowHeight, height);
  }
  return { items, height: cy + rowHeight - y };
}
