/**
 * The weights map drawn under the figure (`diagram --weights-map`): a badge naming the
 * framework's convention (gate order, GRU reset placement, update rule), then one line per
 * gate saying where each of its parameters lives in that framework's file. The map itself
 * comes from the trace stage (its conventions table) as plain strings; this file only sets
 * them as TeX and places them, widening the figure where a line is wider than it.
 */
import { textTex, typeset } from './labels.js';
import { WORDS_FONT } from './key.js';
import type { Box, DiagramGraph, PlacedGraph } from './types.js';

/** A framework's layout of the cell's parameters: the badge, and [parameter, where it lives] rows. */
export interface WeightsMapNote {
  readonly badge: string;
  readonly rows: readonly (readonly [string, string])[];
}

const MARGIN = 14;
const GAP = 10;
const LINE_GAP = 5;


/** 'W_ir' → W_{ir}; a source's 'ᵀ' (transposed) as a TeX superscript, the rest as text. */
function rowTex([param, source]: readonly [string, string]): string {
  const [base, sub] = param.split('_');
  const name = sub ? `${base}_{${sub}}` : base!;
  const parts = source.split('ᵀ').map((part) => (part ? textTex(part) : ''));
  return `${name} = ${parts.join('^{\\top}')}`;
}

/**
 * In ops detail each parameter is a box of its own: its second line names its slice of the
 * framework's file (the source without the remark in parentheses: W[0, H:2H, :], bias[0:H]).
 */
export function withSliceTags(graph: DiagramGraph, map: WeightsMapNote): DiagramGraph {
  const slices = new Map(map.rows.map(([param, source]) => [param, source.replace(/\s*\(.*\)$/, '')]));
  return {
    ...graph,
    nodes: graph.nodes.map((n) => {
      const slice = n.glyph === 'param' ? slices.get(n.valueOf) : undefined;
      return slice ? { ...n, tag: rowTex([n.valueOf, slice]).replace(/^.* = /, '') } : n;
    }),
  };
}

/** The parameter's gate: the part after the first letter of its subscript (W_ir → r, p_i → i). */
const gateOf = (param: string) => (param.startsWith('p_') ? param.slice(2) : param.slice(3));

/** The note's lines as TeX: the badge, then each gate's parameters on one line, in the map's order. */
export function noteLines(map: WeightsMapNote): string[] {
  const gates: string[] = [];
  const byGate = new Map<string, string[]>();
  for (const row of map.rows) {
    const gate = gateOf(row[0]);
    if (!byGate.has(gate)) {
      byGate.set(gate, []);
      gates.push(gate);
    }
    byGate.get(gate)!.push(rowTex(row));
  }
  return [textTex(map.badge), ...gates.map((g) => byGate.get(g)!.join('\\qquad '))];
}

/** The figure with room below for the note's lines, left-aligned, in the key's font size. */
export function placeNote(placed: PlacedGraph, lines: readonly string[], fontPx: number): PlacedGraph {
  const px = fontPx * WORDS_FONT;
  let y = placed.height - MARGIN + GAP;
  const notes = lines.map((tex) => {
    const l = typeset(tex, px);
    const box: Box = { x: MARGIN, y, width: l.width, height: l.height };
    y += l.height + LINE_GAP;
    return { tex, box, px };
  });
  const width = Math.ceil(Math.max(placed.width, ...notes.map((n) => n.box.x + n.box.width + MARGIN)));
  return { ...placed, width, height: Math.ceil(y - LINE_GAP + MARGIN), notes };
}
