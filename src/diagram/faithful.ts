/**
 * Does a drawing say what the equations say? Checks an unrolled DiagramGraph (and, when
 * given the PlacedGraph, its steps joined left to right) against the CellGraph's own
 * semantics: who computes what, who reads what. It never asks unroll how it grouped or
 * wired anything, so it catches unroll's mistakes. Returns sentences; [] when faithful.
 */
import type { CellGraph, CellNode, NodeId } from '../cell/index.js';
import { symbolTex } from '../cell/index.js';
import { constTex, expressionMembers, expressionTex, parameterExpressions } from './extra-ops.js';
import { checkOperandOrder, checkOperators } from './faithful-operators.js';
import { peepholes, sameValues, shownOutputs } from './semantics.js';
import type { DiagramEdge, DiagramGraph, DiagramNode, PlacedGraph, StepPort } from './types.js';

// A rename (h = c) is drawn as the renamed value's wire, so it needs no glyph of its own.
const LEAVES = new Set(['input', 'state', 'noise', 'const', 'identity', 'param', 'input_prev', 'copy']);
const ROOT_KINDS: Readonly<Record<string, readonly string[]>> = {
  layer: ['activation'],
  function: ['activation', 'reduce', 'min', 'max', 'clip'],
  matmul: ['matmul'],
  param: ['param'],
  pointwise: ['add', 'sub', 'mul', 'div', 'neg', 'transpose', 'pow'],
  linear: ['add', 'sub', 'mul', 'matmul'],
  concat: ['concat'],
};

/** A merge point of wires (several gates reading x and h_prev), as opposed to a stacked vector [h; x] of the cell. */
const isMergePoint = (g: DiagramNode | undefined): boolean => g?.glyph === 'concat' && g.valueOf === '';

/**
 * Every way `drawing` misrepresents `cell`, as sentences. The rules: every wire leaving a
 * glyph carries that glyph's own value; every wire into a glyph carries a value that
 * something drawn by it reads; every value a drawn node reads from outside its glyph
 * arrives on a wire (constants, and in `gates` detail parameters, are written as labels);
 * every computation is drawn exactly once; the upward outputs are the declared outputs;
 * peepholes are styled as such and nothing else is; states cross between steps; each glyph
 * shows its operation, and an ordered one (a − b, a ÷ b) its operands in order.
 */
export function checkFaithful(cell: CellGraph, drawing: DiagramGraph | PlacedGraph): string[] {
  const graph = 'graph' in drawing ? drawing.graph : drawing;
  const problems: string[] = [];
  const w = new WireEnds(cell, graph);
  problems.push(...checkPorts(cell, graph.ports));
  problems.push(...checkCoverage(cell, graph));
  problems.push(...checkWires(w, graph));
  problems.push(...checkLabels(cell, graph, w.labelParams, w.labelOf));
  problems.push(...checkOperators(cell, graph, w.labelOf));
  problems.push(...checkPeepholes(cell, graph, w.carried));
  if ('graph' in drawing) problems.push(...checkSteps(cell, drawing), ...checkOperandOrder(cell, drawing, w.value, (id) => w.labelOf(id) === null));
  return problems;
}

/** Every wire carries what its source produces and its target reads; every value a glyph or port reads arrives on a wire. */
function checkWires(w: WireEnds, graph: DiagramGraph): string[] {
  const problems: string[] = [];
  const { ports, glyphs, name } = w;
  for (const e of graph.edges) {
    for (const end of [e.source, e.target]) if (!ports.has(end) && !glyphs.has(end)) problems.push(`wire ${e.id} ends at ${end}, which is not drawn`);
    const from = w.produces(e.source);
    for (const v of w.carried(e)) {
      if (!from.has(v)) problems.push(`the wire from ${name(e.source)} into ${name(e.target)} carries ${v}, but ${name(e.source)} does not produce it`);
      else if (!w.reads(e.target).has(v)) problems.push(`the wire from ${name(e.source)} into ${name(e.target)} carries ${v}, which ${name(e.target)} does not read`);
    }
  }
  for (const id of [...glyphs.keys(), ...ports.keys()]) {
    const arriving = new Set(w.into(id).flatMap(w.carried));
    for (const v of w.reads(id)) if (!arriving.has(v)) problems.push(`${name(id)} reads ${v}, but no wire brings it`);
  }
  return problems;
}

/** What each end of a wire holds: the values it produces, and the values it must be given. */
class WireEnds {
  readonly ir: ReadonlyMap<NodeId, CellNode>;
  readonly glyphs: ReadonlyMap<string, DiagramNode>;
  readonly ports: ReadonlyMap<string, StepPort>;
  readonly labelParams: boolean;
  private readonly expressions: ReadonlySet<NodeId>;

  constructor(
    private readonly cell: CellGraph,
    private readonly graph: DiagramGraph,
  ) {
    this.ir = new Map(cell.nodes.map((n) => [n.id, n]));
    this.glyphs = new Map(graph.nodes.map((n) => [n.id, n]));
    this.ports = new Map(graph.ports.map((p) => [p.id, p]));
    this.labelParams = graph.detail === 'gates';
    this.expressions = this.labelParams ? parameterExpressions(cell) : new Set<NodeId>();
  }

  readonly value = (id: NodeId): NodeId => valueOf(this.cell, this.ir, id);

  /** An operand written in its operator's label instead of arriving on a wire. */
  readonly labelOf = (id: NodeId): string | null => operandLabelText(this.cell, this.ir.get(id)!, this.labelParams, this.expressions);

  readonly name = (id: string): string => (this.ports.has(id) ? `port ${id}` : `${this.glyphs.get(id)?.glyph ?? 'unknown'} ${id}`);

  into(id: string): DiagramEdge[] {
    return this.graph.edges.filter((e) => e.target === id);
  }

  produces(id: string): Set<NodeId> {
    const port = this.ports.get(id);
    if (port) return new Set(port.side === 'west' || port.side === 'south' ? [port.valueOf] : []);
    const g = this.glyphs.get(id);
    if (!g) return new Set();
    return new Set(isMergePoint(g) ? this.into(id).map((e) => e.valueOf) : [g.valueOf]);
  }

  /** The values a glyph's nodes read from outside it (labels excepted). */
  private externalReads(g: DiagramNode): Set<NodeId> {
    const covered = new Set(g.covers);
    const reads = new Set<NodeId>();
    for (const m of g.covers) {
      for (const i of this.ir.get(m)?.inputs ?? []) {
        const kind = this.ir.get(i)!.kind;
        if (covered.has(i) || kind === 'const' || kind === 'identity' || (kind === 'param' && this.labelParams) || this.expressions.has(i)) continue;
        reads.add(this.value(i));
      }
    }
    return reads;
  }

  reads(id: string): Set<NodeId> {
    const port = this.ports.get(id);
    if (port) return new Set(port.side === 'east' || port.side === 'north' ? [this.value(port.valueOf)] : []);
    const g = this.glyphs.get(id);
    if (!g) return new Set();
    if (!isMergePoint(g)) return this.externalReads(g);
    // A merge point delivers the whole bundle to every glyph it feeds: each must read all of it.
    const fed = this.graph.edges.filter((e) => e.source === id).map((e) => this.reads(e.target));
    return new Set([...this.produces(id)].filter((v) => fed.length > 0 && fed.every((r) => r.has(v))));
  }

  readonly carried = (e: DiagramEdge): NodeId[] => (isMergePoint(this.glyphs.get(e.source)) ? [...this.produces(e.source)] : [this.value(e.valueOf)]);
}

/** The value `id` stands for: a rename's (h = c: c's), a repeated stack's first. */
function valueOf(cell: CellGraph, ir: ReadonlyMap<NodeId, CellNode>, id: NodeId): NodeId {
  return ir.get(id)?.kind === 'copy' ? valueOf(cell, ir, ir.get(id)!.inputs[0]!) : (sameValues(cell).get(id) ?? id);
}

/** Exactly the frame ports the cell implies: a west and an east port per state, inputs below, declared outputs above. */
function checkPorts(cell: CellGraph, ports: readonly StepPort[]): string[] {
  const expected = [
    ...cell.states.flatMap((s) => [`in:${s.name} west ${s.name}_prev`, `out:${s.name} east ${s.name}`]),
    ...[...cell.inputs, ...cell.noises].map((i) => `x:${i.name} south ${i.name}`),
    ...cell.nodes.filter((n) => n.kind === 'input_prev').map((n) => `x:${n.id} south ${n.id}`),
    ...shownOutputs(cell).map((o) => `up:${o} north ${o}`),
  ];
  const drawn = ports.map((p) => `${p.id} ${p.side} ${p.valueOf}`);
  return [
    ...expected.filter((p) => !drawn.includes(p)).map((p) => `the port ${p.split(' ')[0]} (${p.split(' ')[1]}, carrying ${p.split(' ')[2]}) is missing`),
    ...drawn.filter((p) => !expected.includes(p)).map((p) => `the port ${p.split(' ')[0]} (${p.split(' ')[1]}, carrying ${p.split(' ')[2]}) does not belong to the cell`),
  ];
}

/** Each computation drawn by exactly one glyph whose shape fits it; a glyph's parts all feed its value. */
function checkCoverage(cell: CellGraph, graph: DiagramGraph): string[] {
  const problems: string[] = [];
  const ir = new Map(cell.nodes.map((n) => [n.id, n]));
  const count = new Map<NodeId, number>();
  // In gates detail a parameter expression (W - W') is a label wherever it is used, like a parameter.
  const expressions = graph.detail === 'gates' ? parameterExpressions(cell) : new Set<NodeId>();
  const labels = new Set([...expressions].flatMap((id) => expressionMembers(cell, id)));
  for (const g of graph.nodes) {
    if (isMergePoint(g)) continue;
    for (const m of g.covers) count.set(m, (count.get(m) ?? 0) + 1);
    const root = ir.get(g.valueOf);
    if (!root) {
      problems.push(`${g.glyph} ${g.id} shows ${g.valueOf}, which the cell does not compute`);
      continue;
    }
    const same = sameValues(cell).get(g.valueOf);
    if (same !== undefined) problems.push(`${g.glyph} ${g.id} draws ${g.valueOf} apart from ${same}, the same stack`);
    if (!g.covers.includes(g.valueOf)) problems.push(`${g.glyph} ${g.id} shows ${g.valueOf} but does not draw it`);
    if (!ROOT_KINDS[g.glyph].includes(root.kind)) problems.push(`${g.glyph} ${g.id} draws ${g.valueOf}, a ${root.kind} node`);
    for (const m of g.covers) {
      const n = ir.get(m);
      if (!n) problems.push(`${g.glyph} ${g.id} draws ${m}, which the cell does not have`);
      else if (m !== g.valueOf && !g.covers.some((o) => ir.get(o)?.inputs.includes(m))) problems.push(`${g.glyph} ${g.id} draws ${m}, which does not feed its value ${g.valueOf}`);
      else if (n.kind === 'activation' && m !== g.valueOf) problems.push(`${g.glyph} ${g.id} hides the activation ${m} inside it`);
    }
  }
  for (const n of cell.nodes) {
    const times = count.get(n.id) ?? 0;
    if (!LEAVES.has(n.kind) && !labels.has(n.id) && !sameValues(cell).has(n.id) && times !== 1) problems.push(`${n.id} is drawn ${times === 0 ? 'by no glyph' : `by ${times} glyphs`}`);
    if (n.kind === 'param' && graph.detail === 'ops' && !graph.nodes.some((g) => g.glyph === 'param' && g.valueOf === n.id)) problems.push(`parameter ${n.id} has no box in ops detail`);
  }
  return problems;
}

/** A parameter or constant written as a label must be in the glyph's text (a layer box stands for its affine map). */
/** An operand written in its operator's label instead of arriving on a wire, as that label writes it; null for a wired one. */
function operandLabelText(cell: CellGraph, n: CellNode, labelParams: boolean, expressions: ReadonlySet<NodeId>): string | null {
  if (n.kind === 'const') return constTex(n.value);
  if (n.kind === 'identity') return 'I';
  if (labelParams && n.kind === 'param') return symbolTex(n.id, 'param');
  return labelParams && expressions.has(n.id) ? expressionTex(cell, n.id) : null;
}

function checkLabels(cell: CellGraph, graph: DiagramGraph, labelParams: boolean, labelOf: (id: NodeId) => string | null): string[] {
  const problems: string[] = [];
  const ir = new Map(cell.nodes.map((n) => [n.id, n]));
  for (const g of graph.nodes) {
    if (g.glyph === 'layer' || g.glyph === 'concat') continue;
    const shown = new Set<CellNode>();
    for (const m of g.covers) {
      const n = ir.get(m);
      if (n?.kind === 'param') shown.add(n);
      for (const i of n?.inputs ?? []) {
        const input = ir.get(i)!;
        if (input.kind === 'const' || input.kind === 'identity' || (input.kind === 'param' && labelParams)) shown.add(input);
      }
    }
    for (const n of shown) {
      // A parameter a box covers is in its label even where parameters are not labels of operators (ops detail).
      const text = labelOf(n.id) ?? symbolTex(n.id, 'param');
      if (!g.tex.includes(text)) problems.push(`${g.glyph} ${g.id} uses ${n.kind === 'param' ? n.id : n.kind === 'identity' ? 'the identity I' : `the constant ${text}`} but its label ${g.tex} does not show it`);
    }
  }
  return problems;
}

/** Peephole styling exactly where the rule in semantics.ts puts a peephole, and nowhere else. */
function checkPeepholes(cell: CellGraph, graph: DiagramGraph, carried: (e: DiagramEdge) => NodeId[]): string[] {
  const peep = peepholes(cell);
  const problems: string[] = [];
  for (const e of graph.edges) {
    const target = graph.nodes.find((g) => g.id === e.target);
    const values = carried(e);
    const isPeephole = !!target && values.length === 1 && target.covers.some((d) => peep.get(d) === values[0]);
    if (isPeephole && e.kind !== 'peephole') problems.push(`the wire ${e.id} carries ${values[0]} into a peephole but is drawn as ${e.kind}`);
    if (!isPeephole && e.kind === 'peephole') problems.push(`the wire ${e.id} is drawn as a peephole, but ${values.join(', ')} is not a peephole connection of ${e.target}`);
  }
  return problems;
}

/** In the placed figure: every step drawn whole, each state carried from step to step, inputs and outputs at every step. */
function checkSteps(cell: CellGraph, placed: PlacedGraph): string[] {
  const problems: string[] = [];
  const { graph } = placed;
  const count = graph.steps.length;
  const edges = new Map(placed.edges.map((e) => [`${e.source}->${e.target}`, e]));
  const expectEdge = (source: string, target: string, value: NodeId, what: string) => {
    const e = edges.get(`${source}->${target}`);
    if (!e) problems.push(`${what} is not drawn (no wire ${source} → ${target})`);
    else if (e.valueOf !== value) problems.push(`${what} carries ${e.valueOf}, expected ${value}`);
  };
  if (cell.states.length === 0 && count !== 1) problems.push(`a cell without state is drawn at ${count} steps`);
  for (let i = 0; i < count; i++) {
    for (const g of graph.nodes) if (!placed.nodes.some((n) => n.key === `${i}:${g.id}`)) problems.push(`step ${i} does not draw ${g.id}`);
    for (const e of graph.edges) expectEdge(`${i}:${e.source}`, `${i}:${e.target}`, e.valueOf, `step ${i}'s wire ${e.id}`);
    for (const s of cell.states) {
      if (i === 0) expectEdge(`initial:${s.name}`, `0:in:${s.name}`, `${s.name}_prev`, `the initial ${s.name}`);
      if (i + 1 < count) expectEdge(`${i}:out:${s.name}`, `${i + 1}:in:${s.name}`, s.name, `state ${s.name} from step ${i} into step ${i + 1}`);
      else expectEdge(`${i}:out:${s.name}`, `final:${s.name}`, s.name, `the final ${s.name}`);
    }
    for (const x of [...cell.inputs, ...cell.noises]) expectEdge(`${i}:x:${x.name}:terminal`, `${i}:x:${x.name}`, x.name, `input ${x.name} at step ${i}`);
    for (const o of shownOutputs(cell)) expectEdge(`${i}:up:${o}`, `${i}:up:${o}:terminal`, o, `output ${o} at step ${i}`);
  }
  return problems;
}
