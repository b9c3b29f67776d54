/**
 * DiagramGraph → PlacedGraph. elkjs lays out the structure of one step (layered,
 * orthogonal wires, fixed ports on the step frame); the steps are then repeated left
 * to right, joined by their state wires, and given their input and output terminals.
 * elkjs itself runs on a thread (elk-thread.ts). Coordinates out are plain numbers.
 */
import type { ElkExtendedEdge, ElkNode, ElkPort } from 'elkjs/lib/elk-api.js';
import { BELT_EDGE_OPTIONS, NODE_OPTIONS, ROOT_OPTIONS, stepOptions } from './elk-options.js';
import { compose, terminalDiameter, type StepLayout } from './compose.js';
import { elkLayout } from './elk-thread.js';
import { isOrthogonal, JUNCTION_CLEARANCE } from './geometry.js';
import { typeset } from './labels.js';
import { measureNode, TAG_RATIO, type NodeSize } from './measure.js';
import { planTiers, stackTiers } from './tiers.js';
import type { Box, DiagramEdge, DiagramGraph, DiagramNode, PlacedGraph, Point, StepPort } from './types.js';

export interface LayoutOptions {
  readonly fontPx: number;
  /** Width of a value strip, or null when not annotating. */
  readonly stripWidth: number | null;
  /** TeX of the title above the figure, or null. */
  readonly titleTex: string | null;
  /** Height to reserve below the figure for a legend, or 0. */
  readonly legendHeight: number;
  /** Draw a key to the glyphs and wires used. */
  readonly key: boolean;
}

const FRAME_PAD = { left: 22, right: 22, bottom: 18 };

/**
 * Phases: measure glyphs, lay out one step with elkjs (a cell of stacked layers: each
 * layer on its own, then stacked, see tiers.ts), repeat it per step, add terminals and carries.
 */
export async function layout(graph: DiagramGraph, options: LayoutOptions): Promise<PlacedGraph> {
  const sides = portSides(graph);
  const fedFromBelow = new Set(graph.nodes.filter((n) => sides.get(n.id)!.south.length > 0 && sides.get(n.id)!.north.length === 0).map((n) => n.id));
  const sizes = new Map(graph.nodes.map((n) => [n.id, measureNode(graph, n, options.fontPx, options.stripWidth, fedFromBelow.has(n.id))]));
  const stepLabels = graph.steps.map((s) => typeset(stepTex(s.time), options.fontPx * TAG_RATIO));
  const stepLabelH = Math.max(...stepLabels.map((l) => l.height));
  const padTop = Math.ceil(stepLabelH + 16);
  const terminalD = terminalDiameter(graph, options.fontPx);
  const tiers = planTiers(graph);
  let placed: StepLayout;
  if (tiers) {
    const layouts: StepLayout[] = [];
    for (const [k, tier] of tiers.entries()) layouts.push(await layoutAligned(tier.graph, portSides(tier.graph), sizes, k === tiers.length - 1 ? padTop : TIER_PAD_TOP, terminalD + 14));
    const stacked = stackTiers(graph, tiers, layouts);
    mergeJunctions(graph, stacked.edges as Map<string, { points: Point[]; junctions: Point[] }>);
    placed = stacked;
  } else {
    placed = await layoutAligned(graph, sides, sizes, padTop, terminalD + 14);
  }
  return compose(graph, options, sizes, placed, stepLabels);
}

/** The least distance between two states' ports: their terminals and carry labels must not touch. */
const STATE_SPACING = 30;

/** The top padding of a tier below the top one (the step's label sits only in the top tier). */
const TIER_PAD_TOP = 12;

/**
 * One step (or tier) laid out by elkjs. A state should cross from one step into the next
 * in a straight line: when elkjs put its west and east ports at different heights, lay
 * out again with both pinned to the lower one.
 */
async function layoutAligned(graph: DiagramGraph, sides: ReadonlyMap<string, PortSides>, sizes: ReadonlyMap<string, NodeSize>, padTop: number, portSpacing: number): Promise<StepLayout> {
  const placed = await layoutStep(graph, sides, sizes, padTop, portSpacing, null);
  const states = graph.ports.filter((p) => p.side === 'west').map((p) => p.name);
  const isRead = (s: string) => graph.edges.some((e) => e.source === `in:${s}`);
  const y = (id: string) => placed.ports.get(id)!.y;
  // Where each state should cross: level on both sides, and clear of the other states.
  const wanted = states.map((s) => ({ s, y: isRead(s) ? Math.max(y(`in:${s}`), y(`out:${s}`)) : y(`out:${s}`) })).sort((a, b) => a.y - b.y);
  wanted.forEach((w, i) => {
    if (i > 0) w.y = Math.max(w.y, wanted[i - 1].y + STATE_SPACING);
  });
  const settled = wanted.every((w) => Math.abs(y(`out:${w.s}`) - w.y) < 0.5 && (!isRead(w.s) || Math.abs(y(`in:${w.s}`) - w.y) < 0.5));
  if (settled) return placeUnread(graph, placed);
  const height = Math.max(placed.height, ...wanted.map((w) => w.y + STATE_SPACING));
  const pinned = new Map(placed.ports);
  for (const p of graph.ports) if (p.side === 'south') pinned.set(p.id, { x: y(p.id) === placed.height ? placed.ports.get(p.id)!.x : placed.ports.get(p.id)!.x, y: height });
  for (const w of wanted) {
    pinned.set(`in:${w.s}`, { x: 0, y: w.y });
    pinned.set(`out:${w.s}`, { x: placed.width, y: w.y });
  }
  const second = await layoutStep(graph, sides, sizes, padTop, portSpacing, { width: placed.width, height, ports: pinned });
  // elkjs does not always honour pinned ports (a wire then ends off its port, slanted):
  // keep the second layout only when every wire is still orthogonal. compose joins
  // steps whose state ports still differ in height with a jog per state.
  return placeUnread(graph, [...second.edges.values()].every((e) => isOrthogonal(e.points)) ? second : placed);
}

/**
 * A state the step never reads has a west port elkjs places anywhere (two such ports
 * coincide): put it level with the state's east port, or as near as the other west ports allow.
 */
function placeUnread(graph: DiagramGraph, placed: StepLayout): StepLayout {
  const states = graph.ports.filter((p) => p.side === 'west').map((p) => p.name);
  const ports = new Map(placed.ports);
  for (const s of states.filter((s) => !graph.edges.some((e) => e.source === `in:${s}`))) {
    const others = states.filter((o) => o !== s).map((o) => ports.get(`in:${o}`)!.y);
    const wanted = ports.get(`out:${s}`)!.y;
    const free = (y: number) => y > 0 && y < placed.height && others.every((o) => Math.abs(o - y) >= STATE_SPACING);
    const y = [wanted, ...others.flatMap((o) => [o + STATE_SPACING, o - STATE_SPACING])].filter(free).sort((a, b) => Math.abs(a - wanted) - Math.abs(b - wanted))[0];
    if (y !== undefined) ports.set(`in:${s}`, { x: 0, y });
  }
  return { ...placed, ports };
}

/** The label of a step frame: 't-1', or 't = 3' for a traced step. */
export function stepTex(time: string): string {
  return /^\d+$/.test(time) ? `t=${time}` : time;
}

const nodeKey = (id: string) => `n:${id}`;
const portKey = (id: string) => `p:${id}`;

/** A step's frame size and port positions, fixed from an earlier layout. */
type Pinned = { width: number; height: number; ports: ReadonlyMap<string, Point> };

async function layoutStep(
  graph: DiagramGraph,
  sides: ReadonlyMap<string, PortSides>,
  sizes: ReadonlyMap<string, NodeSize>,
  padTop: number,
  portSpacing: number,
  pinned: Pinned | null,
): Promise<StepLayout> {
  // Nodes in model order: belt glyphs first, so crossing minimisation keeps them on top.
  const ordered = [...graph.nodes.filter((n) => n.lane), ...graph.nodes.filter((n) => !n.lane)];
  const children: ElkNode[] = ordered.map((n) => elkNode(n, sizes.get(n.id)!, sides.get(n.id)!));
  const step: ElkNode = {
    id: 'step',
    layoutOptions: {
      ...stepOptions({ top: padTop, left: FRAME_PAD.left, bottom: FRAME_PAD.bottom, right: FRAME_PAD.right }, portSpacing),
      ...(pinned ? { 'elk.portConstraints': 'FIXED_POS' } : {}),
    },
    ...(pinned ? { width: pinned.width, height: pinned.height } : {}),
    ports: elkFramePorts(graph, pinned),
    children,
    edges: elkEdges(graph),
  };
  const root = await elkLayout({ id: 'root', layoutOptions: ROOT_OPTIONS, children: [step] });
  return stepLayoutOf(graph, root.children![0]);
}

/** A glyph as an elk node: one port out (east), one port in per wire, on the side sides.ts chose. */
function elkNode(n: DiagramNode, size: NodeSize, sides: PortSides): ElkNode {
  // Wires attach to the glyph itself (a circle may sit inside a box widened for its value strip).
  const g = size.glyph;
  const ports: ElkPort[] = [{ id: `${nodeKey(n.id)}:out`, x: g.x + g.width, y: size.anchorY, width: 0, height: 0, layoutOptions: { 'elk.port.side': 'EAST' } }];
  const { west, south, north } = sides;
  west.forEach((e, i) => {
    const y = west.length === 1 ? size.anchorY : size.anchorY + (i - (west.length - 1) / 2) * Math.min(10, (g.height - 8) / Math.max(1, west.length - 1));
    ports.push({ id: `${nodeKey(n.id)}:in:${e.id}`, x: g.x, y, width: 0, height: 0, layoutOptions: { 'elk.port.side': 'WEST' } });
  });
  south.forEach((e, i) => {
    ports.push({ id: `${nodeKey(n.id)}:in:${e.id}`, x: g.x + g.width / 2 + (i - (south.length - 1) / 2) * 8, y: g.y + g.height, width: 0, height: 0, layoutOptions: { 'elk.port.side': 'SOUTH' } });
  });
  north.forEach((e, i) => {
    ports.push({ id: `${nodeKey(n.id)}:in:${e.id}`, x: g.x + g.width / 2 + (i - (north.length - 1) / 2) * 8, y: g.y, width: 0, height: 0, layoutOptions: { 'elk.port.side': 'NORTH' } });
  });
  return { id: nodeKey(n.id), width: size.width, height: size.height, ports, layoutOptions: NODE_OPTIONS };
}

/** The step frame's ports in clockwise order, at their pinned places if any. */
function elkFramePorts(graph: DiagramGraph, pinned: Pinned | null): ElkPort[] {
  return clockwise(graph.ports).map((p, index) => ({
    id: portKey(p.id),
    width: 0,
    height: 0,
    ...(pinned ? { x: pinned.ports.get(p.id)!.x, y: pinned.ports.get(p.id)!.y } : {}),
    layoutOptions: { 'elk.port.side': p.side.toUpperCase(), 'elk.port.index': String(index) },
  }));
}

/** The wires as elk edges, port to port; wires along the state lane (the belt) kept straight. */
function elkEdges(graph: DiagramGraph): ElkExtendedEdge[] {
  const isPort = new Set(graph.ports.map((p) => p.id));
  const laneOf = new Map(graph.nodes.map((n) => [n.id, n.lane]));
  const laneState = graph.nodes.find((n) => n.lane)?.lane ?? '';
  const onLane = (id: string) => (isPort.has(id) ? laneState !== '' && (id === `in:${laneState}` || id === `out:${laneState}`) : laneOf.get(id) !== '');
  const end = (id: string, e: DiagramEdge, asSource: boolean) =>
    isPort.has(id) ? portKey(id) : asSource ? `${nodeKey(id)}:out` : `${nodeKey(id)}:in:${e.id}`;
  return graph.edges.map((e, i) => ({
    id: `e${i}`,
    sources: [end(e.source, e, true)],
    targets: [end(e.target, e, false)],
    layoutOptions: e.kind === 'belt' || (onLane(e.source) && onLane(e.target)) ? BELT_EDGE_OPTIONS : undefined,
  }));
}

/** The laid-out step read back: boxes, port centres and wire routes by the diagram's ids. */
function stepLayoutOf(graph: DiagramGraph, laid: ElkNode): StepLayout {
  const nodes = new Map<string, Box>();
  for (const c of laid.children ?? []) nodes.set(c.id.slice(2), { x: c.x!, y: c.y!, width: c.width!, height: c.height! });
  const ports = new Map<string, Point>();
  for (const p of laid.ports ?? []) ports.set(p.id.slice(2), { x: p.x! + (p.width ?? 0) / 2, y: p.y! + (p.height ?? 0) / 2 });
  const placedEdges = new Map<string, { points: Point[]; junctions: Point[] }>();
  for (const e of (laid.edges ?? []) as ElkExtendedEdge[]) {
    const section = e.sections?.[0];
    if (!section) continue;
    const points = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint].map((p) => ({ x: p.x, y: p.y }));
    placedEdges.set(graph.edges[Number(e.id.slice(1))].id, { points, junctions: (e.junctionPoints ?? []).map((p) => ({ x: p.x, y: p.y })) });
  }
  mergeJunctions(graph, placedEdges);
  return { width: laid.width!, height: laid.height!, nodes, ports, edges: placedEdges };
}

/**
 * elkjs reports a fan-out's junction on each edge of the fan, sometimes a few px apart:
 * drawn as they come, the dots pile on one another. Keep one dot per copy point of a
 * value (dots of one source closer than JUNCTION_CLEARANCE are one point).
 */
function mergeJunctions(graph: DiagramGraph, edges: Map<string, { points: Point[]; junctions: Point[] }>): void {
  const kept = new Map<string, Point[]>();
  for (const e of graph.edges) {
    const route = edges.get(e.id);
    if (!route) continue;
    const dots = kept.get(e.source) ?? [];
    route.junctions = route.junctions.filter((j) => {
      if (dots.some((d) => Math.hypot(d.x - j.x, d.y - j.y) < JUNCTION_CLEARANCE)) return false;
      dots.push(j);
      return true;
    });
    kept.set(e.source, dots);
  }
}

interface PortSides {
  readonly west: DiagramEdge[];
  readonly south: DiagramEdge[];
  readonly north: DiagramEdge[];
}

/**
 * Which side each incoming wire enters each glyph by (node id → sides): a glyph on the
 * state's lane takes the lane from the west and everything else from below; peepholes
 * come from above. Worked out once per figure; both layout passes read it.
 */
function portSides(graph: DiagramGraph): Map<string, PortSides> {
  const laneState = graph.nodes.find((x) => x.lane)?.lane ?? '';
  const onLane = (id: string) =>
    id.startsWith('in:') || id.startsWith('out:') ? laneState !== '' && id.slice(id.indexOf(':') + 1) === laneState : graph.nodes.find((x) => x.id === id)?.lane !== '' && graph.nodes.some((x) => x.id === id);
  return new Map(
    graph.nodes.map((n) => {
      const inputs = graph.edges.filter((e) => e.target === n.id).sort((a, b) => a.slot - b.slot);
      // − and ÷ read their operands top to bottom (first above second). On the lane that holds
      // when the lane brings the first operand; when it brings the second (h = a − h_prev), both
      // enter from the west in operand order, or a − h_prev would look like h_prev − a.
      const ordered = n.glyph === 'pointwise' && (n.tex === '-' || n.tex === '\\div') && inputs.length === 2 && !onLane(inputs[0]!.source);
      const lane = n.lane && !ordered;
      const sides: PortSides = {
        west: inputs.filter((e) => !(lane && !onLane(e.source)) && e.kind !== 'peephole'),
        south: inputs.filter((e) => lane && !onLane(e.source) && e.kind !== 'peephole'),
        north: inputs.filter((e) => e.kind === 'peephole'),
      };
      return [n.id, sides];
    }),
  );
}

/** ELK numbers fixed-order ports clockwise from the top-left corner. */
function clockwise(ports: readonly StepPort[]): StepPort[] {
  const side = (s: StepPort['side']) => ports.filter((p) => p.side === s);
  return [...side('north'), ...side('east'), ...side('south').reverse(), ...side('west').reverse()];
}
