/**
 * CellGraph × detail → DiagramGraph: which glyphs one step holds and how they are wired.
 * `gates` folds each activation of an affine combination into one layer box (the
 * familiar σ / tanh boxes); `ops` draws every matmul, bias and sum. No cell-specific
 * code: the grouping rules read only node kinds.
 */
import type { CellGraph, CellNode, NodeId } from '../cell/index.js';
import { symbolTex } from '../cell/index.js';
import { expressionMembers, extraGlyph, parameterExpressions } from './extra-ops.js';
import { ACTIVATION_TEX, affineTex, operandLabel, pointwiseTex, timedTex } from './glyph-tex.js';
import { isAffinePart, isDiagonalProduct, peepholes, sameValues, shownOutputs } from './semantics.js';

export { atTime, timedTex } from './glyph-tex.js';
import type { Detail, DiagramEdge, DiagramGraph, DiagramNode, DiagramStep, EdgeKind, GlyphKind, StepPort } from './types.js';

interface Read {
  readonly id: NodeId;
  /** The diagonal product (p ⊙ v) the value is read through inside a box, or null. */
  readonly via: NodeId | null;
}

interface Group {
  readonly members: NodeId[];
  /** Values the group reads from outside, in reading order. */
  readonly frontier: Read[];
  readonly hasParam: boolean;
}

interface Glyph {
  readonly node: DiagramNode;
  readonly inputs: readonly Read[];
}

export interface UnrollOptions {
  readonly detail?: Detail;
  /** The steps to draw, oldest first. */
  readonly steps: readonly DiagramStep[];
  readonly initialTime: string;
}

/**
 * Phases: (1) decide each node's glyph (grouping affine parts in `gates` detail),
 * (2) add the frame ports for states, inputs and outputs, (3) wire glyphs to glyphs
 * and ports, (4) mark the state lanes (belt) for styling and ordering.
 */
export function unroll(cell: CellGraph, options: UnrollOptions): DiagramGraph {
  const detail = options.detail ?? 'gates';
  const byId = new Map(cell.nodes.map((n) => [n.id, n]));
  const node = (id: NodeId): CellNode => byId.get(id)!;
  const glyphs = placeGlyphs(cell, detail, node);
  const outputs = shownOutputs(cell);
  const ports = framePorts(cell, outputs);
  const edges = wire(cell, detail, node, glyphs, outputs);
  const { nodes, edges: marked } = markLanes(cell, node, glyphs, edges);
  return {
    cell: cell.name,
    title: cell.title,
    detail,
    steps: options.steps,
    initialTime: options.initialTime,
    ports,
    nodes,
    edges: marked,
  };
}

/** (2) The ports on the step frame: states west (in) and east (out), inputs south, outputs north. */
function framePorts(cell: CellGraph, outputs: readonly NodeId[]): StepPort[] {
  const ports: StepPort[] = [];
  for (const s of cell.states) ports.push({ id: `in:${s.name}`, side: 'west', name: s.name, valueOf: `${s.name}_prev`, role: 'state' });
  for (const s of cell.states) ports.push({ id: `out:${s.name}`, side: 'east', name: s.name, valueOf: s.name, role: 'state' });
  for (const i of cell.inputs) ports.push({ id: `x:${i.name}`, side: 'south', name: i.name, valueOf: i.name, role: 'input' });
  for (const e of cell.noises) ports.push({ id: `x:${e.name}`, side: 'south', name: e.name, valueOf: e.name, role: 'noise' });
  for (const p of cell.nodes) if (p.kind === 'input_prev') ports.push({ id: `x:${p.id}`, side: 'south', name: p.id, valueOf: p.id, role: 'input' });
  for (const o of outputs) ports.push({ id: `up:${o}`, side: 'north', name: o, valueOf: o, role: 'output' });
  return ports;
}

/** Wires in the order they are added, each source → target once. */
class Wires {
  readonly edges: DiagramEdge[] = [];
  private readonly seen = new Set<string>();

  add(source: string, target: string, slot: number, kind: EdgeKind, valueOf: NodeId): void {
    const id = `${source}->${target}`;
    if (this.seen.has(id)) return;
    this.seen.add(id);
    this.edges.push({ id, source, target, slot, kind, valueOf });
  }
}

/**
 * (3) Wires. A leaf becomes its frame port; anything else its owning glyph. Adds the merge
 * points (concat glyphs) to `glyphs`.
 */
function wire(cell: CellGraph, detail: Detail, node: (id: NodeId) => CellNode, glyphs: Glyph[], outputs: readonly NodeId[]): DiagramEdge[] {
  const owner = new Map<NodeId, string>();
  for (const { node: g } of glyphs) for (const m of g.covers) if (node(m).kind !== 'param' || detail === 'ops') owner.set(m, g.id);
  const sourceOf = (id: NodeId): string => {
    const n = node(renamed(cell, id));
    if (n.kind === 'state') return `in:${n.name}`;
    if (n.kind === 'input' || n.kind === 'noise') return `x:${n.name}`;
    if (n.kind === 'input_prev') return `x:${n.id}`;
    return owner.get(n.id)!;
  };
  const wires = new Wires();
  // Gates fed by the same inputs and states (x_t and h_{t-1}) share one merged wire, as in
  // the classic figures ("two lines merging is concatenation"): far fewer crossings.
  const concat = detail === 'gates' ? planConcat(glyphs, node) : new Map<string, { members: NodeId[]; feeds: Set<string> }>();
  const concatFor = new Map<string, { id: string; members: NodeId[] }>();
  for (const [id, { members, feeds }] of concat) {
    members.forEach((m, slot) => wires.add(sourceOf(m), id, slot, node(m).kind === 'state' ? 'state' : 'input', m));
    for (const g of feeds) concatFor.set(g, { id, members });
  }
  const peephole = peepholes(cell);
  for (const { node: g, inputs } of glyphs) {
    const merged = concatFor.get(g.id);
    inputs.forEach((input, slot) => {
      if (merged && input.via === null && merged.members.includes(input.id)) wires.add(merged.id, g.id, slot, 'internal', '');
      else wires.add(sourceOf(input.id), g.id, slot, inputKind(node(input.id), peephole.get(input.via ?? g.valueOf) === input.id), input.id);
    });
  }
  for (const id of concat.keys()) glyphs.push({ node: { id, glyph: 'concat', tex: '', tag: '', valueOf: '', covers: [], lane: '' }, inputs: [] });
  for (const s of cell.states) wires.add(sourceOf(s.name), `out:${s.name}`, 0, 'state', s.name);
  for (const o of outputs) wires.add(sourceOf(o), `up:${o}`, 0, 'output', o);
  return wires.edges;
}

/**
 * The kind of a wire carrying `n` into a glyph. Styled as a peephole only by the rule in
 * semantics.ts (the LSTM's c into gates fed by h), read through p ⊙ v inside a box (gates) or
 * into the ⊙ itself (ops).
 */
function inputKind(n: CellNode, isPeephole: boolean): EdgeKind {
  if (isPeephole) return 'peephole';
  if (n.kind === 'state') return 'state';
  if (n.kind === 'input' || n.kind === 'input_prev') return 'input';
  return n.kind === 'noise' ? 'noise' : 'internal';
}

/**
 * (4) Lanes: the glyphs on the path from S_{t-1} to S_t that stays inside S's own statement
 * form its straight line (the LSTM's cell-state belt); gates that merely read S are not on it.
 */
function markLanes(cell: CellGraph, node: (id: NodeId) => CellNode, glyphs: readonly Glyph[], edges: readonly DiagramEdge[]): { nodes: DiagramNode[]; edges: DiagramEdge[] } {
  const laneOf = new Map<string, string>();
  if (cell.states.length) {
    const s = cell.states[0].name;
    const ownStatement = (id: string) => {
      if (id.includes(':')) return true;
      const g = glyphs.find((x) => x.node.id === id)!.node;
      return g.glyph !== 'concat' && node(g.valueOf).statement === s;
    };
    const descendants = reach(edges, `in:${s}`, (e) => e.source, (e) => e.target, ownStatement);
    const ancestors = reach(edges, `out:${s}`, (e) => e.target, (e) => e.source, ownStatement);
    for (const g of glyphs) if (descendants.has(g.node.id) && ancestors.has(g.node.id)) laneOf.set(g.node.id, s);
    laneOf.set(`in:${s}`, s);
    laneOf.set(`out:${s}`, s);
  }
  const nodes = glyphs.map(({ node: g }) => (laneOf.has(g.id) ? { ...g, lane: laneOf.get(g.id)! } : g));
  // The belt is drawn heavier only for a state that is not the visible output and that only
  // pointwise gates touch (the LSTM's c): a stacked RNN's lower h passes through a layer box.
  const beltDrawn = cell.states.length > 1 && glyphs.every((g) => !laneOf.has(g.node.id) || g.node.glyph === 'pointwise');
  const marked = edges.map((e) =>
    beltDrawn && laneOf.has(e.source) && laneOf.has(e.target) && e.kind !== 'peephole' ? { ...e, kind: 'belt' as const } : e,
  );
  return { nodes, edges: marked };
}

/**
 * Which port inputs (x, h_prev, …) several boxes read together: each set of two or more
 * shared by two or more layer or linear boxes becomes one merge point, `concat.x.h_prev`.
 */
function planConcat(
  glyphs: readonly Glyph[],
  node: (id: NodeId) => CellNode,
): Map<string, { members: NodeId[]; feeds: Set<string> }> {
  const buckets = new Map<string, { members: NodeId[]; feeds: Set<string> }>();
  for (const { node: g, inputs } of glyphs) {
    if (g.glyph !== 'layer' && g.glyph !== 'linear') continue;
    const fromPorts = [...new Set(inputs.filter((i) => i.via === null && ['input', 'state', 'noise'].includes(node(i.id).kind)).map((i) => i.id))];
    if (fromPorts.length < 2) continue;
    const id = `concat.${fromPorts.join('.')}`;
    const bucket = buckets.get(id) ?? { members: fromPorts, feeds: new Set<string>() };
    bucket.feeds.add(g.id);
    buckets.set(id, bucket);
  }
  return new Map([...buckets].filter(([, b]) => b.feeds.size >= 2));
}

function reach(
  edges: readonly DiagramEdge[],
  start: string,
  from: (e: DiagramEdge) => string,
  to: (e: DiagramEdge) => string,
  allowed: (id: string) => boolean,
): Set<string> {
  const found = new Set<string>([start]);
  const queue = [start];
  while (queue.length) {
    const id = queue.pop()!;
    for (const e of edges) {
      if (from(e) === id && !found.has(to(e)) && allowed(to(e))) {
        found.add(to(e));
        queue.push(to(e));
      }
    }
  }
  return found;
}

/** What placing the glyphs of one cell works with. */
interface GlyphContext {
  readonly cell: CellGraph;
  readonly detail: Detail;
  readonly node: (id: NodeId) => CellNode;
  readonly labelParams: boolean;
  /** In `gates` detail a parameter expression (W - W') is a label like a parameter. */
  readonly expressions: ReadonlySet<NodeId>;
  /** Nodes already drawn by a glyph (parameters excepted: they may appear in several). */
  readonly drawn: Set<NodeId>;
  readonly glyphs: Glyph[];
}

/**
 * (1) Which glyph draws each CellGraph node. In `gates` detail an activation of an affine
 * map is one layer box and a bare affine map a linear box; a parameter belongs to every
 * box that uses it (never a value on a wire between boxes), and beside a pointwise
 * operator it is written into the operator's label, as constants are. In `ops` detail
 * every op is its own glyph and each parameter a small box wired to its users.
 */
function placeGlyphs(cell: CellGraph, detail: Detail, node: (id: NodeId) => CellNode): Glyph[] {
  const labelParams = detail === 'gates';
  const c: GlyphContext = { cell, detail, node, labelParams, expressions: labelParams ? parameterExpressions(cell) : new Set<NodeId>(), drawn: new Set(), glyphs: [] };
  // Consumers before producers, so a group claims its members before they are seen alone.
  for (const n of [...cell.nodes].reverse()) if (hasOwnGlyph(c, n)) placeGlyph(c, n);
  const glyphs = c.glyphs;
  glyphs.reverse(); // back to source order
  if (detail === 'ops') {
    // Parameters as small boxes beside the ops that use them.
    for (const p of cell.nodes.filter((n) => n.kind === 'param')) {
      glyphs.push({ node: { id: p.id, glyph: 'param', tex: symbolTex(p.id, 'param'), tag: '', valueOf: p.id, covers: [p.id], lane: '' }, inputs: [] });
    }
  }
  return glyphs;
}

function isStatementRoot(n: CellNode): boolean {
  return n.id === n.statement;
}

/** Whether `n` still needs a glyph of its own: not drawn yet, not a leaf, not a rename or a repeat. */
function hasOwnGlyph(c: GlyphContext, n: CellNode): boolean {
  if (c.drawn.has(n.id) || n.kind === 'input' || n.kind === 'state' || n.kind === 'noise' || n.kind === 'const' || n.kind === 'identity' || n.kind === 'param') return false;
  // A rename (h = c) draws nothing: its value is the renamed one's, on the same wire; x_prev is a port;
  // a repeated stack [h_prev; x] is the first one's value.
  return !(n.kind === 'copy' || n.kind === 'input_prev' || c.expressions.has(n.id) || sameValues(c.cell).has(n.id));
}

/** The glyph that draws `n` (and, for a layer or linear box, the affine parts it groups). */
function placeGlyph(c: GlyphContext, n: CellNode): void {
  const { cell, detail } = c;
  // Constants (and in gates detail parameters) beside an operator are written in its label.
  const wired = n.inputs.filter((i) => operandLabel(cell, i, c.labelParams) === null).map((id) => ({ id: renamed(cell, id), via: null }));
  const extra = extraGlyph(n, c.node);
  if (extra) return addGlyph(c, n, extra.glyph, extra.tex, [n.id], wired);
  const operator: GlyphKind = n.kind === 'matmul' ? 'matmul' : 'pointwise';
  if (detail === 'ops') {
    // A gate's activation is still drawn as its box; an activation of plain values (tanh(c)) as a function.
    if (n.kind === 'activation') return addGlyph(c, n, collectGroup(c, n.inputs[0], n.statement, false).hasParam ? 'layer' : 'function', ACTIVATION_TEX[n.fn], [n.id], wired);
    return addGlyph(c, n, operator, pointwiseTex(cell, n, false), [n.id], wired);
  }
  if (n.kind === 'activation') {
    const group = collectGroup(c, n.inputs[0], n.statement, false);
    if (group.hasParam) return addGlyph(c, n, 'layer', ACTIVATION_TEX[n.fn], [n.id, ...group.members], group.frontier);
    return addGlyph(c, n, 'function', ACTIVATION_TEX[n.fn], [n.id], wired);
  }
  if (isAffinePart(cell, n)) {
    const group = collectGroup(c, n.id, n.statement, true);
    if (group.hasParam) return addGlyph(c, n, 'linear', affineTex(cell, n.id, group.members), group.members, group.frontier);
  }
  addGlyph(c, n, operator, pointwiseTex(cell, n, true), [n.id], wired);
}

function addGlyph(c: GlyphContext, n: CellNode, glyph: GlyphKind, tex: string, members: NodeId[], inputs: Read[]): void {
  const tag = isStatementRoot(n) && (glyph === 'layer' || glyph === 'linear' || glyph === 'function') ? timedTex(n.statement) : '';
  c.glyphs.push({ node: { id: n.id, glyph, tex, tag, valueOf: n.id, covers: members, lane: '' }, inputs });
  for (const m of members) c.drawn.add(m);
}

/**
 * The affine parts of `statement` reachable from `start` (parameters, parameter expressions and
 * not yet drawn affine nodes), and the values they read from outside the group.
 */
function collectGroup(c: GlyphContext, start: NodeId, statement: string, includeStart: boolean): Group {
  const { cell, expressions } = c;
  const members: NodeId[] = [];
  const frontier: Read[] = [];
  let hasParam = false;
  const visit = (id: NodeId, via: NodeId | null, isStart: boolean) => {
    const n = c.node(id);
    const inside = (isStart && includeStart) || n.kind === 'param' || expressions.has(id) || (isAffinePart(cell, n) && !c.drawn.has(id) && n.statement === statement && !isStatementRoot(n));
    if (!inside) {
      frontier.push({ id: renamed(cell, id), via });
      return;
    }
    if (expressions.has(id) && !isStart) {
      for (const m of expressionMembers(cell, id)) if (!members.includes(m)) members.push(m);
      hasParam = true;
      return;
    }
    if (!members.includes(id)) members.push(id);
    if (n.kind === 'param') hasParam = true;
    for (const input of n.inputs) visit(input, isDiagonalProduct(cell, n) ? n.id : null, false);
  };
  visit(start, null, true);
  return { members, frontier, hasParam };
}

/** The value a rename (h = c) stands for: follow copies to the node that computes it (a repeated stack: its first). */
export function renamed(cell: CellGraph, id: NodeId): NodeId {
  const n = cell.nodes.find((x) => x.id === id)!;
  return n.kind === 'copy' ? renamed(cell, n.inputs[0]!) : (sameValues(cell).get(id) ?? id);
}
