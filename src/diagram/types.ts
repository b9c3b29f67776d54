/**
 * The forms a diagram passes through: DiagramGraph (what to draw, from unroll) →
 * PlacedGraph (where, from layout: numbers only) → SVG text (render). Every step of
 * an unrolled cell has the same structure, so the graph holds one step's structure
 * and the list of steps; layout places that structure once and repeats it.
 */
import type { NodeId } from '../cell/index.js';

export type Detail = 'gates' | 'ops';

/** How a node is drawn. */
export type GlyphKind =
  | 'layer' // activation of an affine combination: a rounded box (σ, tanh) with the gate's name
  | 'linear' // an affine combination with no activation: a box holding its expression
  | 'pointwise' // ⊙, +, 1−, ÷2: a circle
  | 'function' // an activation with no weights (tanh(c)): an ellipse
  | 'matmul' // ops detail: a matrix-vector product
  | 'param' // ops detail: a parameter (W_ir, b_ir)
  | 'concat'; // with valueOf '': where x_t and h_{t-1} merge into one wire that feeds several gates (gates detail);
  // otherwise the cell's own stack [a; b] (Olah's [h_{t-1}; x_t]), a bar its parts enter one above the other

/** Where a port sits on the step frame. */
export type PortSide = 'west' | 'east' | 'south' | 'north';

/** What a wire carries, which decides its style. */
export type EdgeKind = 'belt' | 'state' | 'input' | 'noise' | 'internal' | 'peephole' | 'output';

/** A point where a value crosses the step frame: a state entering or leaving, an input, an output. */
export interface StepPort {
  readonly id: string;
  readonly side: PortSide;
  /** The cell name it carries ('h', 'x'), and the CellGraph node whose value it is ('h_prev', 'h', 'x'). */
  readonly name: string;
  readonly valueOf: NodeId;
  /** 'state' ports pair a west port with an east port of the same name; 'noise' inputs are drawn dashed. */
  readonly role: 'state' | 'input' | 'noise' | 'output';
}

export interface DiagramNode {
  /** Unique within a step; derived from the CellGraph ids ('r', 'h.mul.0'). */
  readonly id: string;
  readonly glyph: GlyphKind;
  /** TeX drawn in the glyph (time placeholders filled per step, see atTime). */
  readonly tex: string;
  /** A smaller second line (the gate's name, r_{t}), or '' for none. */
  readonly tag: string;
  /** The CellGraph node whose value this node shows (the root of its group). */
  readonly valueOf: NodeId;
  /** Every CellGraph node the glyph stands for (a layer box stands for its matmuls, biases, sums). */
  readonly covers: readonly NodeId[];
  /** The state whose line this node sits on (the cell-state belt), or ''. */
  readonly lane: string;
}

export interface DiagramEdge {
  readonly id: string;
  /** A node id or a StepPort id. */
  readonly source: string;
  readonly target: string;
  /** Which input of the target this edge feeds (0-based), for port order. */
  readonly slot: number;
  readonly kind: EdgeKind;
  /** The CellGraph node whose value the wire carries. */
  readonly valueOf: NodeId;
}

/** One drawn timestep: its label and how its time index is written in subscripts. */
export interface DiagramStep {
  /** 't-1', 't', or a number for a traced step. */
  readonly time: string;
  /** Offset from the last drawn step (…, -1, 0), or the traced step index. */
  readonly t: number;
}

export interface DiagramGraph {
  readonly cell: string;
  readonly title: string;
  readonly detail: Detail;
  readonly steps: readonly DiagramStep[];
  /** Time index of the state that enters the first step (e.g. 't-2'). */
  readonly initialTime: string;
  readonly ports: readonly StepPort[];
  readonly nodes: readonly DiagramNode[];
  readonly edges: readonly DiagramEdge[];
}

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** A node placed in one step. */
export interface PlacedNode extends Box {
  /** `${stepIndex}:${node.id}`. */
  readonly key: string;
  readonly step: number;
  readonly node: DiagramNode;
  /** The label and tag as drawn at this step (time placeholders filled in). */
  readonly labelTex: string;
  readonly tagTex: string;
  /** The glyph's own outline (a circle's square; for boxes, the whole box). */
  readonly glyphBox: Box;
  /** Where the label group sits (inside the box). */
  readonly labelBox: Box;
  readonly tagBox: Box | null;
  /** Where the value strip sits when annotating (inside the box), or null. */
  readonly stripBox: Box | null;
}

/** A wire: an orthogonal polyline from source to target. */
export interface PlacedEdge {
  readonly key: string;
  /** The step it belongs to, or -1 for wires between steps and to terminals. */
  readonly step: number;
  readonly kind: EdgeKind;
  readonly valueOf: NodeId;
  /** Step index whose value it carries (for annotation). */
  readonly valueStep: number;
  readonly source: string;
  readonly target: string;
  readonly points: readonly Point[];
  readonly junctions: readonly Point[];
  /** False for wires that merge into a concatenation point (no arrowhead there). */
  readonly arrow: boolean;
  /** A label placed beside the wire (state crossings), or null. */
  readonly label: { readonly tex: string; readonly box: Box } | null;
  readonly stripBox: Box | null;
}

/** A terminal outside the frames: the initial and final states, each step's inputs and outputs. */
export interface PlacedTerminal extends Box {
  readonly key: string;
  readonly role: 'state-in' | 'state-out' | 'input' | 'noise' | 'output';
  readonly tex: string;
  readonly valueOf: NodeId;
  readonly valueStep: number;
  readonly labelBox: Box;
  readonly stripBox: Box | null;
}

export interface PlacedStep extends Box {
  readonly index: number;
  readonly time: string;
  /** The frame's label as TeX ('t-1', 't=3'). */
  readonly tex: string;
  readonly labelBox: Box;
}

/** What a key item explains. */
export type KeyKind = 'layer' | 'linear' | 'pointwise' | 'function' | 'matmul' | 'param' | 'concat' | 'stack' | 'junction' | 'belt' | 'peephole' | 'noise';

/** One entry of the key: a sample glyph or wire, and its words. */
export interface KeyItem {
  readonly kind: KeyKind;
  /** TeX drawn inside the sample glyph, or ''. */
  readonly sampleTex: string;
  readonly sample: Box;
  readonly label: { readonly tex: string; readonly box: Box };
}

export interface PlacedGraph {
  readonly graph: DiagramGraph;
  readonly width: number;
  readonly height: number;
  readonly steps: readonly PlacedStep[];
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly PlacedEdge[];
  readonly terminals: readonly PlacedTerminal[];
  /** A title above the figure, or null. */
  readonly title: { readonly tex: string; readonly box: Box } | null;
  /** The annotation legend, or null. */
  readonly legend: Box | null;
  /** The key to the glyphs and wires used, or null. */
  readonly key: readonly KeyItem[] | null;
  /** Lines of text under the figure (the weights map), each at its own size; absent for none. */
  readonly notes?: readonly { readonly tex: string; readonly box: Box; readonly px: number }[];
}
