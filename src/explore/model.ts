/**
 * Explore stage, the page model: a Trace and the placed diagram → what the explorer page
 * needs, as plain data. Which element shows which value at which step of the window, the
 * colour scale of each kind of value, and the values packed in base64 as the page prints
 * them (4 decimals, as 16- or 32-bit integers; one array per value, [T][B][n]; a state's
 * previous value is the state one step back).
 */
import type { CellGraph, CellNode, NodeId } from '../cell/index.js';
import type { PlacedGraph } from '../diagram/index.js';
import type { Trace } from '../trace/index.js';

/** One colour scale per kind of value: gates on [0, 1], tanh on [-1, 1], the rest symmetric on their own range. */
export type ScaleKind = 'gate' | 'tanh' | 'state' | 'input' | 'value';

export interface Scale {
  readonly kind: ScaleKind;
  readonly label: string;
  readonly min: number;
  readonly max: number;
}

/** A rectangle of the diagram (viewBox units) that shows `value` at window position `offset` (0 = the last drawn step). */
export interface StripTarget {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly value: NodeId;
  readonly offset: number;
}

/** A glyph of the diagram (its SVG group id) that hovering or focusing explains. */
export interface GlyphTarget {
  readonly element: string;
  readonly value: NodeId;
  readonly offset: number;
  /** The statement whose equation the panel shows ('' for none). */
  readonly statement: string;
}

/**
 * How a packed array's bytes read back: float32, or integers q standing for q / divisor.
 * The divisor is 10⁴·k with k odd, so every value keeps the 4 decimals the page prints (see packArray).
 */
export type Encoding = { readonly type: 'f32' } | { readonly type: 'i16' | 'i32'; readonly divisor: number };

/** An array as the page stores it: little-endian bytes in base64, and their encoding. */
export interface PackedArray {
  readonly base64: string;
  readonly encoding: Encoding;
}

/** A traced value: its own array, or a state's previous value read from the state one step back. */
export type PackedValue =
  | { readonly size: number; readonly scale: ScaleKind; readonly data: PackedArray }
  | { readonly size: number; readonly scale: ScaleKind; readonly previousOf: NodeId; readonly initial: PackedArray };

export interface PageModel {
  readonly steps: number;
  readonly batch: number;
  readonly window: number;
  readonly scales: readonly Scale[];
  readonly values: Readonly<Record<NodeId, PackedValue>>;
  readonly strips: readonly StripTarget[];
  readonly glyphs: readonly GlyphTarget[];
  /** The statements shown as small multiples (units × time), in statement order. */
  readonly multiples: readonly NodeId[];
}

const SCALE_LABELS: Record<ScaleKind, string> = {
  gate: 'gates (σ), 0 to 1',
  tanh: 'tanh values, −1 to 1',
  state: 'states',
  input: 'inputs',
  value: 'other values',
};

/** The kind of value a node holds, which picks its colour scale. */
export function scaleKindOf(cell: CellGraph, node: CellNode): ScaleKind {
  const states = new Set(cell.states.map((s) => s.name));
  if (node.kind === 'state' || states.has(node.id)) return 'state';
  if (node.kind === 'input' || node.kind === 'input_prev' || node.kind === 'noise') return 'input';
  if (node.kind === 'activation') {
    if (node.fn === 'sigmoid' || node.fn === 'hardsigmoid' || node.fn === 'hardsigmoid_keras2') return 'gate';
    if (node.fn === 'tanh') return 'tanh';
  }
  return 'value';
}

/** Float64 values → float32 little-endian bytes in base64 (the page decodes them with atob and a Float32Array). */
export function packFloat32(values: ArrayLike<number>): string {
  const f32 = Float32Array.from(values as ArrayLike<number>);
  return Buffer.from(f32.buffer, f32.byteOffset, f32.byteLength).toString('base64');
}

const PRINTED = 1e4;
const I16_MAX = 32767;
const I32_MAX = 2147483647;

/**
 * Values → the smallest array that keeps what the page shows of them: 16-bit integers when
 * every |v| ≤ 3.2767, 32-bit up to 214,748.3647, else (or with NaN or ±∞) float32. An integer
 * q stands for q / (10⁴·k): k = 1 is the page's 4 decimals; a value whose range is small gets
 * the largest odd k that still fits, so its colours keep 1/32767 of the range. k odd puts every
 * rounding boundary of the 4 decimals halfway between two codes, so round(v·10⁴·k) never
 * crosses one: the printed digits are those of v itself (float32 could not promise that).
 */
export function packArray(values: ArrayLike<number>): PackedArray {
  let largest = 0;
  for (let i = 0; i < values.length; i++) {
    const magnitude = Math.abs(values[i]!);
    if (!Number.isFinite(magnitude)) return { base64: packFloat32(values), encoding: { type: 'f32' } };
    largest = Math.max(largest, magnitude);
  }
  const fits16 = largest * PRINTED <= I16_MAX;
  if (!fits16 && largest * PRINTED > I32_MAX) return { base64: packFloat32(values), encoding: { type: 'f32' } };
  let k = fits16 && largest > 0 ? Math.max(1, Math.floor(I16_MAX / (largest * PRINTED))) : 1;
  if (k % 2 === 0) k -= 1;
  const divisor = PRINTED * k;
  const ints = fits16 ? new Int16Array(values.length) : new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) ints[i] = Math.round(values[i]! * divisor);
  return { base64: Buffer.from(ints.buffer, ints.byteOffset, ints.byteLength).toString('base64'), encoding: { type: fits16 ? 'i16' : 'i32', divisor } };
}

/** One value over the whole trace, [T][B][n] flattened. */
function flatten(trace: Trace, id: NodeId, size: number, batch: number): Float64Array {
  const out = new Float64Array(trace.steps.length * batch * size);
  let k = 0;
  for (const step of trace.steps) for (const row of step.nodes[id]!) for (let u = 0; u < size; u++) out[k++] = row[u]!;
  return out;
}

/** The values the page draws: every node a strip, a glyph or a small multiple shows. */
function packTrace(cell: CellGraph, trace: Trace, ids: ReadonlySet<NodeId>, batch: number): { values: Record<NodeId, PackedValue>; ranges: Map<ScaleKind, number> } {
  const byId = new Map(cell.nodes.map((n) => [n.id, n]));
  const values: Record<NodeId, PackedValue> = {};
  const ranges = new Map<ScaleKind, number>();
  const grow = (kind: ScaleKind, data: ArrayLike<number>) => {
    let m = ranges.get(kind) ?? 0;
    for (let i = 0; i < data.length; i++) if (Number.isFinite(data[i]!) && Math.abs(data[i]!) > m) m = Math.abs(data[i]!);
    ranges.set(kind, m);
  };
  for (const id of [...ids].sort()) {
    const node = byId.get(id)!;
    const first = trace.steps[0]!.nodes[id]!;
    const size = first[0]!.length;
    const scale = scaleKindOf(cell, node);
    if (node.kind === 'state' && ids.has(node.name)) {
      // h_prev at t is h at t-1: only the initial state travels.
      values[id] = { size, scale, previousOf: node.name, initial: packArray(first.flat()) };
      grow(scale, first.flat());
      continue;
    }
    const data = flatten(trace, id, size, batch);
    grow(scale, data);
    values[id] = { size, scale, data: packArray(data) };
  }
  return { values, ranges };
}

function scalesOf(ranges: ReadonlyMap<ScaleKind, number>): Scale[] {
  const order: ScaleKind[] = ['gate', 'tanh', 'state', 'input', 'value'];
  return order
    .filter((kind) => ranges.has(kind))
    .map((kind) => {
      if (kind === 'gate') return { kind, label: SCALE_LABELS[kind], min: 0, max: 1 };
      if (kind === 'tanh') return { kind, label: SCALE_LABELS[kind], min: -1, max: 1 };
      const m = ranges.get(kind)! || 1;
      return { kind, label: SCALE_LABELS[kind], min: -m, max: m };
    });
}

/** The SVG id render.ts gives a glyph's group. */
export function glyphElementId(step: number, nodeId: string): string {
  return `s${step}-${nodeId.replaceAll('.', '-')}`;
}

/** Strips and glyphs of a diagram drawn with `strips: true` at symbolic steps. */
function targetsOf(cell: CellGraph, placed: PlacedGraph, traced: ReadonlySet<NodeId>): { strips: StripTarget[]; glyphs: GlyphTarget[] } {
  // Parameters (boxes of their own in ops detail) and constants have no traced value.
  const byId = new Map(cell.nodes.filter((n) => traced.has(n.id)).map((n) => [n.id, n]));
  const last = placed.steps.length - 1;
  const strips: StripTarget[] = [];
  const strip = (box: { x: number; y: number; width: number; height: number } | null, value: NodeId, step: number) => {
    if (box && byId.has(value)) strips.push({ x: box.x, y: box.y, width: box.width, height: box.height, value, offset: step - last });
  };
  for (const n of placed.nodes) strip(n.stripBox, n.node.valueOf, n.step);
  for (const t of placed.terminals) strip(t.stripBox, t.valueOf, t.valueStep);
  for (const e of placed.edges) strip(e.stripBox, e.valueOf, e.valueStep);
  const glyphs = placed.nodes
    .filter((n) => n.node.glyph !== 'concat' && byId.has(n.node.valueOf))
    .map((n) => ({ element: glyphElementId(n.step, n.node.id), value: n.node.valueOf, offset: n.step - last, statement: byId.get(n.node.valueOf)!.statement }));
  return { strips, glyphs };
}

/** The page model of `trace` on a diagram placed with `strips: true` (its steps are the window). */
export function pageModel(cell: CellGraph, trace: Trace, placed: PlacedGraph): PageModel {
  const batch = trace.sizes.batch ?? 1;
  const { strips, glyphs } = targetsOf(cell, placed, new Set(Object.keys(trace.steps[0]!.nodes)));
  const multiples = cell.statements.map((s) => s.target).filter((id) => trace.steps[0]!.nodes[id]);
  const ids = new Set<NodeId>([...strips.map((s) => s.value), ...glyphs.map((g) => g.value), ...multiples]);
  const { values, ranges } = packTrace(cell, trace, ids, batch);
  return { steps: trace.steps.length, batch, window: placed.steps.length, scales: scalesOf(ranges), values, strips, glyphs, multiples };
}
