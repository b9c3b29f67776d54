/**
 * The parts of a rendered figure beyond its glyphs and wires: the key (a sample of each
 * glyph and wire, with words) and the traced values drawn as colour strips with their scale.
 * Used by render.ts only, on the same svg.js canvas.
 */
import type { Container, Svg } from './vendor/svg.js';
import { mixColour } from './colour.js';
import { SAMPLE_FONT, WORDS_FONT } from './key.js';
import { STACK_BAR } from './measure.js';
import { typeset } from './labels.js';
import { drawWire, fmt, type LabelFn, type PaintFn, type StripValues } from './render.js';
import type { Box, KeyItem, PlacedGraph } from './types.js';
import type { Theme } from './theme.js';

export function drawKey(canvas: Svg, items: readonly KeyItem[], theme: Theme, label: LabelFn, paint: PaintFn): void {
  const g = canvas.group().attr('id', 'key');
  const px = theme.fontPx * SAMPLE_FONT;
  for (const item of items) {
    const b = item.sample;
    const cx = b.x + b.width / 2;
    const cy = b.y + b.height / 2;
    switch (item.kind) {
      case 'layer':
      case 'linear':
      case 'param':
        paint(g.rect(0, 0).attr({ x: fmt(b.x + 2), y: fmt(b.y), width: fmt(b.width - 4), height: fmt(b.height), rx: fmt(item.kind === 'layer' ? 4 : 2) }), theme[item.kind], item.kind === 'linear' ? '4 2' : '');
        break;
      case 'pointwise':
        paint(g.circle(0).attr({ cx: fmt(cx), cy: fmt(cy), r: fmt(b.height / 2) }), theme.pointwise);
        break;
      case 'matmul':
        paint(g.rect(0, 0).attr({ x: fmt(cx - b.height / 2), y: fmt(b.y), width: fmt(b.height), height: fmt(b.height), rx: fmt(b.height * 0.175) }), theme.matmul);
        break;
      case 'function':
        paint(g.ellipse(0, 0).attr({ cx: fmt(cx), cy: fmt(cy), rx: fmt(b.width / 2), ry: fmt(b.height / 2 - 1) }), theme.function);
        break;
      case 'concat': {
        const wire = theme.wires.internal;
        drawWire(g, [{ x: b.x, y: b.y + 2 }, { x: cx, y: b.y + 2 }, { x: cx, y: cy }], wire, false);
        drawWire(g, [{ x: b.x, y: b.y + b.height - 2 }, { x: cx, y: b.y + b.height - 2 }, { x: cx, y: cy }], wire, false);
        drawWire(g, [{ x: cx, y: cy }, { x: b.x + b.width, y: cy }], wire);
        g.circle(0).attr({ cx: fmt(cx), cy: fmt(cy), r: fmt(3.5), fill: wire.color });
        break;
      }
      case 'stack': {
        const wire = theme.wires.internal;
        const bar = { x: cx - STACK_BAR.width / 2, y: cy - STACK_BAR.height / 2 + 2 };
        drawWire(g, [{ x: b.x, y: bar.y + 4 }, { x: bar.x, y: bar.y + 4 }], wire, false);
        drawWire(g, [{ x: b.x, y: bar.y + STACK_BAR.height - 8 }, { x: bar.x, y: bar.y + STACK_BAR.height - 8 }], wire, false);
        drawWire(g, [{ x: bar.x + STACK_BAR.width, y: cy }, { x: b.x + b.width, y: cy }], wire);
        g.rect(0, 0).attr({ x: fmt(bar.x), y: fmt(bar.y), width: fmt(STACK_BAR.width), height: fmt(STACK_BAR.height - 4), rx: fmt(STACK_BAR.width / 3), fill: wire.color });
        break;
      }
      case 'junction': {
        const wire = theme.wires.internal;
        const y = b.y + 4;
        drawWire(g, [{ x: b.x, y }, { x: b.x + b.width, y }], wire);
        drawWire(g, [{ x: cx, y }, { x: cx, y: b.y + b.height + 2 }], wire);
        g.circle(0).attr({ cx: fmt(cx), cy: fmt(y), r: fmt(2.2 + wire.width * 0.6), fill: wire.color });
        break;
      }
      default:
        drawWire(g, [{ x: b.x, y: cy }, { x: b.x + b.width, y: cy }], theme.wires[item.kind]);
    }
    if (item.sampleTex) {
      const l = typeset(item.sampleTex, px);
      const style = item.kind === 'layer' || item.kind === 'linear' || item.kind === 'pointwise' || item.kind === 'function' || item.kind === 'matmul' || item.kind === 'param' ? theme[item.kind] : null;
      label(g, item.sampleTex, { x: cx - l.width / 2, y: cy - l.height / 2, width: l.width, height: l.height }, style?.text ?? theme.text, px);
    }
    label(g, item.label.tex, item.label.box, theme.text, theme.fontPx * WORDS_FONT);
  }
}

/** Diverging colour for v on [-maxAbs, maxAbs]. */
export function divergingColour(v: number, maxAbs: number, theme: Theme): string {
  // NaN has no side: it is drawn as zero (the trace reports it; the figure must stay valid).
  const t = maxAbs > 0 && !Number.isNaN(v) ? Math.max(-1, Math.min(1, v / maxAbs)) : 0;
  return t < 0 ? mixColour(theme.values.zero, theme.values.negative, -t) : mixColour(theme.values.zero, theme.values.positive, t);
}

function drawStrip(parent: Container, box: Box, vector: readonly number[], maxAbs: number, theme: Theme): void {
  const n = vector.length;
  if (!n) return;
  const cell = box.width / n;
  vector.forEach((v, i) => {
    parent.rect(0, 0).attr({ x: fmt(box.x + i * cell), y: fmt(box.y), width: fmt(cell), height: fmt(box.height), fill: divergingColour(v, maxAbs, theme) });
  });
  parent.rect(0, 0).attr({ x: fmt(box.x), y: fmt(box.y), width: fmt(box.width), height: fmt(box.height), fill: 'none', stroke: theme.values.border, 'stroke-width': '0.6' });
}

export function drawValues(canvas: Svg, placed: PlacedGraph, values: StripValues, theme: Theme, label: LabelFn): void {
  const g = canvas.group().attr('id', 'values');
  const valueAt = (step: number, id: string) => values.steps[step]?.get(id);
  for (const n of placed.nodes) {
    const v = n.stripBox && valueAt(n.step, n.node.valueOf);
    if (v && n.stripBox) drawStrip(g, n.stripBox, v, values.maxAbs, theme);
  }
  for (const t of placed.terminals) {
    const v = t.stripBox && valueAt(t.valueStep, t.valueOf);
    if (v && t.stripBox) drawStrip(g, t.stripBox, v, values.maxAbs, theme);
  }
  for (const e of placed.edges) {
    const v = e.stripBox && valueAt(e.valueStep, e.valueOf);
    if (v && e.stripBox) drawStrip(g, e.stripBox, v, values.maxAbs, theme);
  }
  if (!placed.legend) return;
  const L = placed.legend;
  const px = theme.fontPx * 0.7;
  const barW = L.width - 0;
  const barH = 8;
  const cells = 21;
  for (let i = 0; i < cells; i++) {
    const v = ((i / (cells - 1)) * 2 - 1) * values.maxAbs;
    g.rect(0, 0).attr({ x: fmt(L.x + (i * barW) / cells), y: fmt(L.y), width: fmt(barW / cells + 0.3), height: fmt(barH), fill: divergingColour(v, values.maxAbs, theme) });
  }
  g.rect(0, 0).attr({ x: fmt(L.x), y: fmt(L.y), width: fmt(barW), height: fmt(barH), fill: 'none', stroke: theme.values.border, 'stroke-width': '0.6' });
  const ticks: [number, string][] = [[-values.maxAbs, `-${formatValue(values.maxAbs)}`], [0, '0'], [values.maxAbs, `+${formatValue(values.maxAbs)}`]];
  for (const [v, text] of ticks) {
    const l = typeset(text, px);
    const cx = L.x + ((v / (values.maxAbs || 1) + 1) / 2) * barW;
    const x = Math.max(L.x, Math.min(L.x + barW - l.width, cx - l.width / 2));
    label(g, text, { x, y: L.y + barH + 3, width: l.width, height: l.height }, theme.text, px);
  }
}

export function formatValue(v: number): string {
  return String(Number(v.toPrecision(3)));
}
