/**
 * Stacked layers: a cell whose states form a chain within one step (h2 reads this
 * step's h1, and h1 never reads h2) is drawn layer above layer, as stacked-RNN figures
 * are, instead of side by side. planTiers splits one step's DiagramGraph into tiers,
 * bottom first, each a graph of its own with ports where values pass between tiers;
 * stackTiers puts the laid-out tiers on top of each other and joins the wires again.
 */
import type { StepLayout } from './compose.js';
import type { DiagramEdge, DiagramGraph, Point, StepPort } from './types.js';

/** One tier: its own graph, and for each original edge the pieces of it this tier draws. */
export interface Tier {
  readonly graph: DiagramGraph;
  /** Original edge id → the id of its piece in this tier. */
  readonly pieces: ReadonlyMap<string, string>;
}

const below = (source: string) => `below:${source}`;
const above = (source: string) => `above:${source}`;

/**
 * The tiers of one step, bottom first, or null when the step is drawn as one: fewer than
 * two groups of states, where a group is a set of states that read each other (the LSTM's
 * c and h are one group; stacked h1 and h2 are two), or groups that are not a clean stack
 * (inputs only into the bottom, outputs only from the top, each tier read by the next).
 */
export function planTiers(graph: DiagramGraph): Tier[] | null {
  const states = graph.ports.filter((p) => p.side === 'west').map((p) => p.name);
  if (states.length < 2) return null;
  const outOf = new Map<string, string[]>();
  for (const e of graph.edges) outOf.set(e.source, [...(outOf.get(e.source) ?? []), e.target]);
  const reach = (start: string): Set<string> => {
    const seen = new Set([start]);
    const queue = [start];
    while (queue.length) for (const next of outOf.get(queue.pop()!) ?? []) if (!seen.has(next)) (seen.add(next), queue.push(next));
    return seen;
  };
  const producer = (s: string) => graph.edges.find((e) => e.target === `out:${s}`)!.source;
  // S → T when T's update reads S (its previous or its new value).
  const feeds = (s: string, t: string) => reach(`in:${s}`).has(`out:${t}`) || reach(producer(s)).has(`out:${t}`);
  const groups: string[][] = [];
  for (const s of states) {
    const group = groups.find((g) => feeds(s, g[0]) && feeds(g[0], s));
    if (group) group.push(s);
    else groups.push([s]);
  }
  if (groups.length < 2) return null;
  // Bottom first: a group goes below every group it feeds (a chain, or no tiers).
  groups.sort((a, b) => (feeds(a[0], b[0]) ? -1 : feeds(b[0], a[0]) ? 1 : 0));
  for (let i = 0; i + 1 < groups.length; i++) if (!feeds(groups[i][0], groups[i + 1][0])) return null;

  const tierOfState = new Map(groups.flatMap((g, k) => g.map((s) => [s, k] as const)));
  const top = groups.length - 1;
  // A glyph sits in the lowest tier whose states it feeds; one that feeds no state sits on top.
  const tierOf = new Map<string, number>();
  for (const n of graph.nodes) {
    const fed = states.filter((s) => reach(n.id).has(`out:${s}`)).map((s) => tierOfState.get(s)!);
    tierOf.set(n.id, fed.length ? Math.min(...fed) : top);
  }
  for (const p of graph.ports) {
    if (p.role === 'state') tierOf.set(p.id, tierOfState.get(p.name)!);
    else tierOf.set(p.id, p.side === 'south' ? -1 : top + 1);
  }
  // Values only flow upward, from one tier into the next; a state's previous value stays in
  // its own tier. (A wire that would pass through a tier is not drawn stacked: elkjs routes
  // port-to-port wires poorly.)
  const westPorts = new Set(graph.ports.filter((p) => p.side === 'west').map((p) => p.id));
  for (const e of graph.edges) {
    const rise = tierOf.get(e.target)! - tierOf.get(e.source)!;
    if (rise < 0 || rise > 1 || (rise === 1 && westPorts.has(e.source))) return null;
  }
  return groups.map((_, k) => tierGraph(graph, k, top, tierOf));
}

function tierGraph(graph: DiagramGraph, k: number, top: number, tierOf: ReadonlyMap<string, number>): Tier {
  const ports: StepPort[] = [];
  const edges: DiagramEdge[] = [];
  const pieces = new Map<string, string>();
  const added = new Set<string>();
  const port = (id: string, side: StepPort['side'], e: DiagramEdge) => {
    if (added.has(id)) return;
    added.add(id);
    ports.push({ id, side, name: id, valueOf: e.valueOf, role: side === 'south' ? 'input' : 'output' });
  };
  const piece = (e: DiagramEdge, source: string, target: string) => {
    const id = `${source}->${target}`;
    pieces.set(e.id, id);
    if (!edges.some((x) => x.id === id)) edges.push({ ...e, id, source, target });
  };
  // A step port in this tier keeps its id: states here, inputs at the bottom, outputs on top.
  const own = (id: string) => tierOf.get(id) === k || (tierOf.get(id) === -1 && k === 0) || (tierOf.get(id) === top + 1 && k === top);
  for (const p of graph.ports) if (own(p.id)) ports.push(p);
  for (const e of graph.edges) {
    const from = tierOf.get(e.source)!;
    const to = tierOf.get(e.target)!;
    if (from > k || to < k) continue;
    const source = own(e.source) ? e.source : below(e.source);
    const target = own(e.target) ? e.target : above(e.source);
    if (!own(e.source)) port(source, 'south', e);
    if (!own(e.target)) port(target, 'north', e);
    piece(e, source, target);
  }
  const nodes = graph.nodes.filter((n) => tierOf.get(n.id) === k);
  return { graph: { ...graph, ports, nodes, edges }, pieces };
}

/** Space between two tiers: room for the links' horizontal runs. */
const LINK_ROOM = 14;
const LINK_SPACING = 8;

/**
 * The tiers' layouts (bottom first) stacked into one step: tier k+1 above tier k, every
 * state port on the frame (an east port moved out to the widest tier's edge), and each
 * original edge's route joined from its pieces and the links between tiers.
 */
export function stackTiers(graph: DiagramGraph, tiers: readonly Tier[], layouts: readonly StepLayout[]): StepLayout {
  const width = Math.max(...layouts.map((l) => l.width));
  const linksAbove = tiers.map((t) => t.graph.ports.filter((p) => p.id.startsWith('above:')).length);
  // y offset of each tier: the top tier at 0.
  const offsets: number[] = [];
  let y = 0;
  for (let k = tiers.length - 1; k >= 0; k--) {
    offsets[k] = y;
    y += layouts[k].height + (k > 0 ? LINK_ROOM + LINK_SPACING * linksAbove[k - 1] : 0);
  }
  const height = y;
  const shift = (k: number) => (p: Point): Point => ({ x: p.x, y: p.y + offsets[k] });
  const nodes = new Map(tiers.flatMap((t, k) => t.graph.nodes.map((n) => {
    const b = layouts[k].nodes.get(n.id)!;
    return [n.id, { ...b, y: b.y + offsets[k] }] as const;
  })));
  const ports = new Map<string, Point>();
  for (const p of graph.ports) {
    const k = tiers.findIndex((t) => t.graph.ports.some((q) => q.id === p.id));
    const at = shift(k)(layouts[k].ports.get(p.id)!);
    ports.set(p.id, p.side === 'east' ? { x: width, y: at.y } : at);
  }
  // The run of each link between tier k (its north port) and tier k+1 (its south port).
  const links = new Map<string, Point[]>();
  tiers.forEach((t, k) => {
    t.graph.ports.filter((p) => p.id.startsWith('above:')).forEach((p, index) => {
      const from = shift(k)(layouts[k].ports.get(p.id)!);
      const to = shift(k + 1)(layouts[k + 1].ports.get(below(p.id.slice('above:'.length)))!);
      const run = from.y - LINK_ROOM / 2 - LINK_SPACING * index;
      links.set(`${k}:${p.id.slice('above:'.length)}`, from.x === to.x ? [from, to] : [from, { x: from.x, y: run }, { x: to.x, y: run }, to]);
    });
  });
  const edges = new Map<string, { points: Point[]; junctions: Point[] }>();
  for (const e of graph.edges) {
    const points: Point[] = [];
    const junctions: Point[] = [];
    tiers.forEach((t, k) => {
      const id = t.pieces.get(e.id);
      const route = id === undefined ? undefined : layouts[k].edges.get(id);
      if (!route) return;
      points.push(...route.points.map(shift(k)));
      junctions.push(...route.junctions.map(shift(k)));
      const link = links.get(`${k}:${e.source}`);
      if (link && id!.endsWith(`->${above(e.source)}`)) points.push(...link);
    });
    if (e.target.startsWith('out:')) points.push({ x: width, y: points[points.length - 1].y });
    edges.set(e.id, { points: points.filter((p, i) => i === 0 || p.x !== points[i - 1].x || p.y !== points[i - 1].y), junctions });
  }
  return { width, height, nodes, ports, edges };
}
