/**
 * Glyph sizes from measured labels: each node's box must hold its label (and tag,
 * and value strip when annotating) at every drawn step, so the step's structure can
 * be laid out once and repeated. Pure geometry, no layout engine.
 */
import type { Label } from './labels.js';
import { typeset } from './labels.js';
import { atTime } from './unroll.js';
import type { Box, DiagramGraph, DiagramNode, GlyphKind } from './types.js';

/** Font size of the second line (the gate's name) and of parameter boxes, relative to the theme's. */
export const TAG_RATIO = 0.78;
/** Font size of the figure's title, relative to the theme's. */
export const TITLE_RATIO = 1.05;

/** The size a node's main label is typeset at: parameters are small, everything else full size. */
export function nodeLabelPx(glyph: GlyphKind, fontPx: number): number {
  return glyph === 'param' ? fontPx * TAG_RATIO : fontPx;
}
export const STRIP_HEIGHT = 7;
const STRIP_GAP = 4;

export interface NodeSize {
  readonly width: number;
  readonly height: number;
  /** The glyph's centre line, measured from the box's top: where wires attach. */
  readonly anchorY: number;
  /** The glyph itself (a circle's square, or the whole box), relative to the box. */
  readonly glyph: Box;
  /** Where the value strip goes, relative to the box, or null. */
  readonly strip: Box | null;
  /** Per step: the typeset label and tag. */
  readonly labels: readonly Label[];
  readonly tags: readonly (Label | null)[];
}

const PAD: Readonly<Record<GlyphKind, { x: number; y: number; min: number }>> = {
  layer: { x: 11, y: 6, min: 34 },
  linear: { x: 10, y: 6, min: 34 },
  pointwise: { x: 5, y: 5, min: 24 },
  function: { x: 12, y: 6, min: 30 },
  matmul: { x: 5, y: 5, min: 24 },
  param: { x: 6, y: 4, min: 20 },
  concat: { x: 0, y: 0, min: 8 },
};

/** The widest operator circle (px); a longer label gets an ellipse (+10^{-5} stays a 52 px circle). */
const OVAL_FROM = 56;

/** The bar drawn for a stack [a; b] (Olah's concatenation): narrow, tall enough for its parts' wires to enter apart. */
export const STACK_BAR = { width: 6, height: 24 } as const;

/** The time index of the step before `index` (for the h_{t-1} placeholders). */
export function previousTime(graph: DiagramGraph, index: number): string {
  return index === 0 ? graph.initialTime : graph.steps[index - 1].time;
}

const NO_LABEL: Label = { tex: '', width: 0, height: 0, minX: 0, minY: 0, scale: 1, body: '' };

/**
 * `stripAbove`: a circle fed from below carries its value strip above it, so the wire
 * coming up into it does not cross the strip.
 */
export function measureNode(graph: DiagramGraph, node: DiagramNode, fontPx: number, stripWidth: number | null, stripAbove = false): NodeSize {
  if (node.glyph === 'concat') {
    // A merge point has no label and no value of its own (it is the inputs side by side);
    // a stack [a; b] of the cell is a bar the parts enter one above the other.
    const width = node.valueOf === '' ? PAD.concat.min : STACK_BAR.width;
    const height = node.valueOf === '' ? PAD.concat.min : STACK_BAR.height;
    const glyph = { x: 0, y: 0, width, height };
    return { width, height, anchorY: height / 2, glyph, strip: null, labels: graph.steps.map(() => NO_LABEL), tags: graph.steps.map(() => null) };
  }
  const labelPx = nodeLabelPx(node.glyph, fontPx);
  const labels = graph.steps.map((s, i) => typeset(atTime(node.tex, s.time, previousTime(graph, i)), labelPx));
  const tags = graph.steps.map((s, i) => (node.tag ? typeset(atTime(node.tag, s.time, previousTime(graph, i)), fontPx * TAG_RATIO) : null));
  const pad = PAD[node.glyph];
  const labelW = Math.max(...labels.map((l) => l.width));
  const labelH = Math.max(...labels.map((l) => l.height), fontPx * 0.7);
  const tagW = Math.max(0, ...tags.map((t) => t?.width ?? 0));
  const tagH = Math.max(0, ...tags.map((t) => t?.height ?? 0));
  const strip = stripWidth === null ? 0 : STRIP_HEIGHT + STRIP_GAP;
  const round = (v: number) => Math.ceil(v);
  if (node.glyph === 'pointwise' || node.glyph === 'matmul') {
    const d = round(Math.max(pad.min, Math.hypot(labelW, labelH) + pad.x));
    // A long operator label (×(1 − 0.95)) in a circle makes a disc as tall as the label is
    // wide: beyond OVAL_FROM px an ellipse twice the label's height holds it instead.
    const oval = node.glyph === 'pointwise' && d > OVAL_FROM && labelW > 2 * labelH;
    const glyphH = oval ? round(Math.max(pad.min, 2 * labelH)) : d;
    const glyphW = oval ? round(Math.max(glyphH, (2 / Math.sqrt(3)) * labelW + 2 * pad.x)) : d;
    const width = Math.max(glyphW, stripWidth ?? 0);
    const glyph = { x: (width - glyphW) / 2, y: stripAbove ? strip : 0, width: glyphW, height: glyphH };
    const stripBox = stripWidth === null ? null : { x: (width - stripWidth) / 2, y: stripAbove ? 0 : glyphH + STRIP_GAP, width: stripWidth, height: STRIP_HEIGHT };
    return { width, height: glyphH + strip, anchorY: glyph.y + glyphH / 2, glyph, strip: stripBox, labels, tags };
  }
  const contentW = Math.max(labelW, tagW, stripWidth ?? 0);
  const contentH = labelH + (tagH ? tagH + 3 : 0) + strip;
  const ellipse = node.glyph === 'function' ? 1.25 : 1;
  const width = round(Math.max(pad.min, contentW * ellipse + 2 * pad.x));
  const height = round(Math.max(node.glyph === 'param' ? 18 : 28, contentH + 2 * pad.y));
  const stripBox = stripWidth === null ? null : { x: (width - stripWidth) / 2, y: height - STRIP_HEIGHT - 5, width: stripWidth, height: STRIP_HEIGHT };
  return { width, height, anchorY: height / 2, glyph: { x: 0, y: 0, width, height }, strip: stripBox, labels, tags };
}
