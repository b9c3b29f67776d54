/**
 * CellGraph × detail → DiagramGraph: which glyphs one step holds and how they are wired.
 * `gates` folds each activation of an affine combination into one layer box (the
 * familiar σ / tanh boxes); `ops` draws every matmul, bias and sum. No cell-specific
 * code: the grouping rules read only node kinds.
 */
import type { CellGraph, CellNode, NodeId } from '../cell/index.js';
import { parameterTex, symbolTex } from '../cell/index.js';
import { constTex, expressionMembers, expressionTex, extraGlyph, parameterExpressions } from './extra-ops.js';
import type { Detail, DiagramEdge, DiagramGraph, DiagramNode, DiagramStep, EdgeKind, GlyphKind, StepPort } from './types.js';

const ACTIVATION_TEX: Readonly<Record<string, string>> = {
  sigmoid: '\\sigma',
  tanh: '\\tanh',
  relu: '\\mathrm{ReLU}',
  exp: '\\exp',
  softplus: '\\mathrm{softplus}',
  abs: '\\left|{\\cdot}\\right|',
  sqrt: '\\sqrt{\\cdot}',
  hardsigmoid: '\\mathrm{hardsigmoid}',
  hardsigmoid_keras2: '\\mathrm{hardsigmoid}_{\\text{Keras 2}}',
};

const NOW = '@now@';
const BEFORE = '@before@';

/** TeX of a name at a step, with a placeholder for the step's time index (filled in by atTime). */
export function timedTex(name: string): string {
  const prev = name.endsWith('_prev');
  const tex = symbolTex(prev ? name.slice(0, -'_prev'.length) : name, { time: 0 });
  // symbolTex ends with the time subscript 't}'; swap it for a placeholder.
  return `${tex.slice(0, -2)}${prev ? BEFORE : NOW}}`;
}

/** Fill the time placeholders of timedTex: `time` for the step, `previous` for the step before. */
export function atTime(tex: string, time: string, previous: string): string {
  return tex.replaceAll(BEFORE, previous).replaceAll(NOW, time);
}

const formatConst = constTex;

interface Group {
  readonly members: NodeId[];
  /** Inputs from outside the group, in reading order, with whether they pass through a diagonal (peephole) product. */
  readonly frontier: { id: NodeId; diagonal: boolean }[];
  readonly hasParam: boolean;
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
 * and ports, (4) mark the state lanes (belt) and peepholes for styling and ordering.
 */
export function unroll(cell: CellGraph, options: UnrollOptions): DiagramGraph {
  const detail = options.detail ?? 'gates';
  const byId = new Map(cell.nodes.map((n) => [n.id, n]));
  const node = (id: NodeId): CellNode => byId.get(id)!;
  // In `gates` detail a parameter expression (W - W') is a label like a parameter.
  const paramExpressions = detail === 'gates' ? parameterExpressions(cell) : new Set<NodeId>();
  const isParam = (id: NodeId) => node(id).kind === 'param' || paramExpressions.has(id);
  // A rename (h = c) draws nothing: its value is the renamed one's, on the same wire.
  const renamed = (id: NodeId): NodeId => (node(id).kind === 'copy' ? renamed(node(id).inputs[0]) : id);
  const isConst = (id: NodeId) => node(id).kind === 'const';
  const isStatementRoot = (n: CellNode) => n.id === n.statement;

  // (1) glyphs. owner maps every CellGraph node to the glyph that draws it.
  const owner = new Map<NodeId, string>();
  const glyphs: { node: DiagramNode; inputs: { id: NodeId; diagonal: boolean }[] }[] = [];

  const isDiagonal = (n: CellNode) => n.kind === 'mul' && n.inputs.filter(isParam).length === 1 && n.inputs.every((i) => node(i).shape.length > 0);
  const affineMember = (n: CellNode): boolean => {
    if (n.kind === 'param') return true;
    if (n.kind === 'add' || n.kind === 'sub') return !n.inputs.some(isConst);
    if (n.kind === 'matmul') return isParam(n.inputs[0]);
    if (n.kind === 'mul') return isDiagonal(n);
    return false;
  };
  const collect = (start: NodeId, statement: string, includeStart: boolean): Group => {
    const members: NodeId[] = [];
    const frontier: { id: NodeId; diagonal: boolean }[] = [];
    let hasParam = false;
    const visit = (id: NodeId, diagonal: boolean, isStart: boolean) => {
      const n = node(id);
      const inside = (isStart && includeStart) || (affineMember(n) && !owner.has(id) && (isParam(id) || (n.statement === statement && !isStatementRoot(n))));
      if (!inside) {
        frontier.push({ id, diagonal });
        return;
      }
      if (paramExpressions.has(id)) {
        members.push(...expressionMembers(cell, id).filter((m) => !owner.has(m) && !members.includes(m)));
        hasParam = true;
        return;
      }
      members.push(id);
      if (n.kind === 'param') hasParam = true;
      const viaDiagonal = n.kind === 'mul';
      for (const input of n.inputs) visit(input, viaDiagonal, false);
    };
    visit(start, false, true);
    return { members, frontier, hasParam };
  };

  const addGlyph = (n: CellNode, glyph: GlyphKind, tex: string, members: NodeId[], inputs: { id: NodeId; diagonal: boolean }[]) => {
    const tag = isStatementRoot(n) && (glyph === 'layer' || glyph === 'linear' || glyph === 'function') ? timedTex(n.statement) : '';
    glyphs.push({ node: { id: n.id, glyph, tex, tag, valueOf: n.id, covers: members, lane: '' }, inputs });
    for (const m of members) owner.set(m, n.id);
  };

  const pointwiseTex = (n: CellNode): string => {
    const constant = n.inputs.find(isConst);
    const c = constant === undefined ? '' : formatConst((node(constant) as { value: number }).value);
    switch (n.kind) {
      case 'add':
        return c ? `+${c}` : '+';
      case 'sub':
        return c === '' ? '-' : n.inputs[0] === constant ? `${c}-` : `-${c}`;
      case 'mul':
        return c ? `\\times ${c}` : n.inputs.some((i) => node(i).shape.length === 0) ? '\\times' : '\\odot';
      case 'div':
        return c && n.inputs[1] === constant ? `\\div ${c}` : '\\div';
      case 'neg':
        return '-';
      case 'matmul':
        return '\\times';
      default:
        return n.kind;
    }
  };
  // A linear box shows its expression, with a dot where each incoming wire enters: W_{hn}\cdot + b_{hn}.
  const affineTex = (rootId: NodeId, members: readonly NodeId[]): string => {
    const inside = new Set(members);
    const render = (id: NodeId): string => {
      if (!inside.has(id)) return '{\\cdot}';
      const n = node(id);
      if (n.kind === 'param') return symbolTex(n.id, 'param');
      if (paramExpressions.has(id)) return expressionTex(cell, id);
      const [a, b] = n.inputs;
      if (n.kind === 'add') return `${render(a)}+${render(b)}`;
      if (n.kind === 'sub') return `${render(a)}-${render(b)}`;
      if (n.kind === 'matmul') return inside.has(b) ? `${render(a)}\\left(${render(b)}\\right)` : `${render(a)}{\\cdot}`;
      // A diagonal product p ⊙ (…).
      return `${render(a)}\\odot ${render(b)}`;
    };
    return render(rootId);
  };

  // Consumers before producers, so a group claims its members before they are seen alone.
  for (const n of [...cell.nodes].reverse()) {
    if (owner.has(n.id)) continue;
    if (n.kind === 'input' || n.kind === 'state' || n.kind === 'noise' || n.kind === 'const' || n.kind === 'input_prev' || n.kind === 'copy') continue;
    const plainInputs = () => n.inputs.filter((i) => !isConst(i)).map((id) => ({ id: renamed(id), diagonal: false }));
    const extra = extraGlyph(n, node);
    if (extra && !paramExpressions.has(n.id)) {
      addGlyph(n, extra.glyph, extra.tex, [n.id], plainInputs());
      continue;
    }
    if (detail === 'ops') {
      if (n.kind === 'param') continue; // drawn on demand below, once per consumer step
      // A gate's activation is still drawn as its box; an activation of plain values (tanh(c)) as a function.
      if (n.kind === 'activation') addGlyph(n, collect(n.inputs[0], n.statement, false).hasParam ? 'layer' : 'function', ACTIVATION_TEX[n.fn], [n.id], plainInputs());
      else if (n.kind === 'matmul') addGlyph(n, 'matmul', pointwiseTex(n), [n.id], plainInputs());
      else addGlyph(n, 'pointwise', pointwiseTex(n), [n.id], plainInputs());
      continue;
    }
    if (n.kind === 'activation') {
      const group = collect(n.inputs[0], n.statement, false);
      if (group.hasParam) addGlyph(n, 'layer', ACTIVATION_TEX[n.fn], [n.id, ...group.members], group.frontier);
      else addGlyph(n, 'function', ACTIVATION_TEX[n.fn], [n.id], plainInputs());
      continue;
    }
    if (n.kind !== 'param' && affineMember(n)) {
      const group = collect(n.id, n.statement, true);
      if (group.hasParam) {
        addGlyph(n, 'linear', affineTex(n.id, group.members), group.members, group.frontier);
        continue;
      }
    }
    if (n.kind === 'param' || paramExpressions.has(n.id)) {
      addGlyph(n, 'param', n.kind === 'param' ? symbolTex(n.id, 'param') : parameterTex(cell, n.id), n.kind === 'param' ? [n.id] : expressionMembers(cell, n.id), []);
      continue;
    }
    addGlyph(n, n.kind === 'matmul' ? 'matmul' : 'pointwise', pointwiseTex(n), [n.id], plainInputs());
  }
  glyphs.reverse(); // back to source order
  if (detail === 'ops') {
    // Parameters as small boxes beside the op that uses them.
    for (const p of cell.nodes.filter((n) => n.kind === 'param')) {
      glyphs.push({ node: { id: p.id, glyph: 'param', tex: symbolTex(p.id, 'param'), tag: '', valueOf: p.id, covers: [p.id], lane: '' }, inputs: [] });
    }
  }

  // (2) ports on the step frame.
  const ports: StepPort[] = [];
  const outputStates = new Set(cell.states.length ? [cell.states[cell.states.length - 1].name] : cell.outputs);
  for (const s of cell.states) ports.push({ id: `in:${s.name}`, side: 'west', name: s.name, valueOf: `${s.name}_prev`, role: 'state' });
  for (const s of cell.states) ports.push({ id: `out:${s.name}`, side: 'east', name: s.name, valueOf: s.name, role: 'state' });
  for (const i of cell.inputs) ports.push({ id: `x:${i.name}`, side: 'south', name: i.name, valueOf: i.name, role: 'input' });
  for (const e of cell.noises) ports.push({ id: `x:${e.name}`, side: 'south', name: e.name, valueOf: e.name, role: 'noise' });
  for (const p of cell.nodes) if (p.kind === 'input_prev') ports.push({ id: `x:${p.id}`, side: 'south', name: p.id, valueOf: p.id, role: 'input' });
  for (const o of outputStates) ports.push({ id: `up:${o}`, side: 'north', name: o, valueOf: o, role: 'output' });

  // (3) wires. A leaf becomes its frame port; anything else its owning glyph.
  const sourceOf = (id: NodeId): string => {
    const n = node(renamed(id));
    if (n.kind === 'state') return `in:${n.name}`;
    if (n.kind === 'input' || n.kind === 'noise') return `x:${n.name}`;
    if (n.kind === 'input_prev') return `x:${n.id}`;
    id = n.id;
    return owner.get(id) ?? id;
  };
  const edges: DiagramEdge[] = [];
  const seen = new Set<string>();
  const addEdge = (source: string, target: string, slot: number, kind: EdgeKind, valueOf: NodeId) => {
    const id = `${source}->${target}`;
    if (seen.has(id)) return;
    seen.add(id);
    edges.push({ id, source, target, slot, kind, valueOf });
  };
  // Gates fed by the same inputs and states (x_t and h_{t-1}) share one merged wire, as in
  // the classic figures ("two lines merging is concatenation"): far fewer crossings.
  const concat = detail === 'gates' ? planConcat(glyphs, node) : new Map<string, { members: NodeId[]; feeds: Set<string> }>();
  const concatFor = new Map<string, { id: string; members: NodeId[] }>();
  for (const [id, { members, feeds }] of concat) {
    members.forEach((m, slot) => addEdge(sourceOf(m), id, slot, node(m).kind === 'state' ? 'state' : 'input', m));
    for (const g of feeds) concatFor.set(g, { id, members });
  }
  for (const { node: g, inputs } of glyphs) {
    const merged = concatFor.get(g.id);
    inputs.forEach((input, slot) => {
      if (merged && !input.diagonal && merged.members.includes(input.id)) {
        addEdge(merged.id, g.id, slot, 'internal', '');
        return;
      }
      const source = sourceOf(input.id);
      const n = node(input.id);
      // A peephole is a value multiplied by a diagonal weight (p ⊙ c): inside a gate box in
      // `gates` detail, or as its own ⊙ in `ops` detail.
      const peephole = (input.diagonal && g.glyph === 'layer') || (isDiagonal(node(g.valueOf)) && !isParam(input.id));
      const kind: EdgeKind = peephole ? 'peephole' : n.kind === 'state' ? 'state' : n.kind === 'input' || n.kind === 'input_prev' ? 'input' : n.kind === 'noise' ? 'noise' : 'internal';
      addEdge(source, g.id, slot, kind, input.id);
    });
  }
  if (detail === 'ops') {
    for (const { node: g } of glyphs) {
      const n = node(g.valueOf);
      if (n.kind === 'param') continue;
      n.inputs.forEach((input, slot) => {
        if (isParam(input)) addEdge(input, g.id, slot, 'internal', input);
      });
    }
  }
  for (const id of concat.keys()) glyphs.push({ node: { id, glyph: 'concat', tex: '', tag: '', valueOf: '', covers: [], lane: '' }, inputs: [] });
  for (const s of cell.states) addEdge(sourceOf(s.name), `out:${s.name}`, 0, 'state', s.name);
  for (const o of outputStates) addEdge(sourceOf(o), `up:${o}`, 0, 'output', o);

  // (4) lanes: the glyphs on the path from S_{t-1} to S_t that stays inside S's own
  // statement form its straight line (the LSTM's cell-state belt); gates that merely
  // read S are not on it.
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
  // The belt is drawn heavier only for a state that is not the visible output (the LSTM's c).
  const beltDrawn = cell.states.length > 1;
  const marked = edges.map((e) =>
    beltDrawn && laneOf.has(e.source) && laneOf.has(e.target) && e.kind !== 'peephole' ? { ...e, kind: 'belt' as const } : e,
  );

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

/**
 * Which port inputs (x, h_prev, …) several boxes read together: each set of two or more
 * shared by two or more layer or linear boxes becomes one merge point, `concat.x.h_prev`.
 */
function planConcat(
  glyphs: readonly { node: DiagramNode; inputs: readonly { id: NodeId; diagonal: boolean }[] }[],
  node: (id: NodeId) => CellNode,
): Map<string, { members: NodeId[]; feeds: Set<string> }> {
  const buckets = new Map<string, { members: NodeId[]; feeds: Set<string> }>();
  for (const { node: g, inputs } of glyphs) {
    if (g.glyph !== 'layer' && g.glyph !== 'linear') continue;
    const fromPorts = [...new Set(inputs.filter((i) => !i.diagonal && ['input', 'state', 'noise'].includes(node(i.id).kind)).map((i) => i.id))];
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
