/**
 * DiagramGraph → PlacedGraph. elkjs lays out the structure of one step (layered,
 * orthogonal wires, fixed ports on the step frame); the steps are then repeated left
 * to right, joined by their state wires, and given their input and output terminals.
 * The only module that imports elkjs. Coordinates out are plain numbers.
 */
import { createRequire } from 'node:module';
import type { ELK, ElkExtendedEdge, ElkNode, ElkPort } from 'elkjs/lib/elk-api.js';
import { BELT_EDGE_OPTIONS, NODE_OPTIONS, ROOT_OPTIONS, stepOptions } from './elk-options.js';
import { typeset, type Label } from './labels.js';
import { measureNode, STRIP_HEIGHT, TAG_RATIO, type NodeSize } from './measure.js';
import { atTime, timedTex } from './unroll.js';
import type {
  Box,
  DiagramEdge,
  DiagramGraph,
  DiagramNode,
  PlacedEdge,
  PlacedGraph,
  PlacedNode,
  PlacedStep,
  PlacedTerminal,
  Point,
  StepPort,
} from './types.js';

export interface LayoutOptions {
  readonly fontPx: number;
  /** Width of a value strip, or null when not annotating. */
  readonly stripWidth: number | null;
  /** TeX of the title above the figure, or null. */
  readonly titleTex: string | null;
  /** Height to reserve below the figure for a legend, or 0. */
  readonly legendHeight: number;
}

const FRAME_PAD = { left: 22, right: 22, bottom: 18 };
const TERMINAL_GAP = 26; // between a frame and the input/output terminals
const STEP_GAP_MIN = 46;
const MARGIN = 14;

// elkjs is CommonJS; the bundled build runs in-process (no worker thread).
type ElkConstructor = new () => ELK;
let engine: ELK | null = null;

/** Phases: measure glyphs, lay out one step with elkjs, repeat it per step, add terminals and carries. */
export async function layout(graph: DiagramGraph, options: LayoutOptions): Promise<PlacedGraph> {
  const sizes = new Map(graph.nodes.map((n) => [n.id, measureNode(graph, n, options.fontPx, options.stripWidth)]));
  const stepLabels = graph.steps.map((s) => typeset(stepTex(s.time), options.fontPx * TAG_RATIO));
  const stepLabelH = Math.max(...stepLabels.map((l) => l.height));
  const padTop = Math.ceil(stepLabelH + 16);
  const terminalD = terminalDiameter(graph, options.fontPx);
  const placed = await layoutStep(graph, sizes, padTop, terminalD + 14);
  return compose(graph, options, sizes, placed, stepLabels);
}

/** The label of a step frame: 't-1', or 't = 3' for a traced step. */
export function stepTex(time: string): string {
  return /^\d+$/.test(time) ? `t=${time}` : time;
}

interface StepLayout {
  readonly width: number;
  readonly height: number;
  readonly nodes: ReadonlyMap<string, Box>;
  readonly ports: ReadonlyMap<string, Point>;
  readonly edges: ReadonlyMap<string, { points: Point[]; junctions: Point[] }>;
}

const nodeKey = (id: string) => `n:${id}`;
const portKey = (id: string) => `p:${id}`;

async function layoutStep(graph: DiagramGraph, sizes: ReadonlyMap<string, NodeSize>, padTop: number, portSpacing: number): Promise<StepLayout> {
  const isPort = new Set(graph.ports.map((p) => p.id));
  const laneOf = new Map(graph.nodes.map((n) => [n.id, n.lane]));
  const onLane = (id: string) => (isPort.has(id) ? id.startsWith('in:') || id.startsWith('out:') ? laneOf.size > 0 && graph.nodes.some((n) => n.lane === id.slice(id.indexOf(':') + 1)) : false : laneOf.get(id) !== '');
  const incoming = (id: string) => graph.edges.filter((e) => e.target === id).sort((a, b) => a.slot - b.slot);

  // Nodes in model order: belt glyphs first, so crossing minimisation keeps them on top.
  const ordered = [...graph.nodes.filter((n) => n.lane), ...graph.nodes.filter((n) => !n.lane)];
  const children: ElkNode[] = ordered.map((n) => {
    const size = sizes.get(n.id)!;
    const ports: ElkPort[] = [{ id: `${nodeKey(n.id)}:out`, x: size.width, y: size.anchorY, width: 0, height: 0, layoutOptions: { 'elk.port.side': 'EAST' } }];
    const inputs = incoming(n.id);
    const west = inputs.filter((e) => !(n.lane && !onLane(e.source)) && e.kind !== 'peephole');
    const south = inputs.filter((e) => n.lane && !onLane(e.source) && e.kind !== 'peephole');
    const north = inputs.filter((e) => e.kind === 'peephole');
    west.forEach((e, i) => {
      const y = west.length === 1 ? size.anchorY : size.anchorY + (i - (west.length - 1) / 2) * Math.min(10, (size.height - 8) / Math.max(1, west.length - 1));
      ports.push({ id: `${nodeKey(n.id)}:in:${e.id}`, x: 0, y, width: 0, height: 0, layoutOptions: { 'elk.port.side': 'WEST' } });
    });
    south.forEach((e, i) => {
      ports.push({ id: `${nodeKey(n.id)}:in:${e.id}`, x: size.width / 2 + (i - (south.length - 1) / 2) * 8, y: size.anchorY * 2, width: 0, height: 0, layoutOptions: { 'elk.port.side': 'SOUTH' } });
    });
    north.forEach((e, i) => {
      ports.push({ id: `${nodeKey(n.id)}:in:${e.id}`, x: size.width / 2 + (i - (north.length - 1) / 2) * 8, y: 0, width: 0, height: 0, layoutOptions: { 'elk.port.side': 'NORTH' } });
    });
    return { id: nodeKey(n.id), width: size.width, height: size.height, ports, layoutOptions: NODE_OPTIONS };
  });

  const framePorts: ElkPort[] = clockwise(graph.ports).map((p, index) => ({
    id: portKey(p.id),
    width: 0,
    height: 0,
    layoutOptions: { 'elk.port.side': p.side.toUpperCase(), 'elk.port.index': String(index) },
  }));
  const end = (id: string, e: DiagramEdge, asSource: boolean) =>
    isPort.has(id) ? portKey(id) : asSource ? `${nodeKey(id)}:out` : `${nodeKey(id)}:in:${e.id}`;
  const edges: ElkExtendedEdge[] = graph.edges.map((e, i) => ({
    id: `e${i}`,
    sources: [end(e.source, e, true)],
    targets: [end(e.target, e, false)],
    layoutOptions: e.kind === 'belt' || (onLane(e.source) && onLane(e.target)) ? BELT_EDGE_OPTIONS : undefined,
  }));
  const step: ElkNode = {
    id: 'step',
    layoutOptions: stepOptions({ top: padTop, left: FRAME_PAD.left, bottom: FRAME_PAD.bottom, right: FRAME_PAD.right }, portSpacing),
    ports: framePorts,
    children,
    edges,
  };
  engine ??= new (createRequire(import.meta.url)('elkjs/lib/elk.bundled.js') as ElkConstructor)();
  const root = await engine.layout({ id: 'root', layoutOptions: ROOT_OPTIONS, children: [step] });
  const laid = root.children![0];

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
  return { width: laid.width!, height: laid.height!, nodes, ports, edges: placedEdges };
}

/** ELK numbers fixed-order ports clockwise from the top-left corner. */
function clockwise(ports: readonly StepPort[]): StepPort[] {
  const side = (s: StepPort['side']) => ports.filter((p) => p.side === s);
  return [...side('north'), ...side('east'), ...side('south').reverse(), ...side('west').reverse()];
}

function compose(
  graph: DiagramGraph,
  options: LayoutOptions,
  sizes: ReadonlyMap<string, NodeSize>,
  step: StepLayout,
  stepLabels: readonly Label[],
): PlacedGraph {
  const fontPx = options.fontPx;
  const stateIns = graph.ports.filter((p) => p.side === 'west');
  const stateOuts = graph.ports.filter((p) => p.side === 'east');
  const inputs = graph.ports.filter((p) => p.side === 'south');
  const outputs = graph.ports.filter((p) => p.side === 'north');
  const previous = (i: number) => (i === 0 ? graph.initialTime : graph.steps[i - 1].time);
  // Carry labels (h_{t-1} between steps) decide how wide the gaps must be.
  const carryLabel = (name: string, time: string) => typeset(stateTex(name, time), fontPx * TAG_RATIO);
  const carryWidths = graph.steps.flatMap((s) => stateOuts.map((p) => carryLabel(p.name, s.time).width));
  const initialWidths = stateIns.map((p) => typeset(stateTex(p.name, graph.initialTime), fontPx).width);
  const strip = options.stripWidth;
  const gap = Math.ceil(Math.max(STEP_GAP_MIN, ...carryWidths.map((w) => w + 24), strip === null ? 0 : strip + 16));
  const leftRoom = stateIns.length ? Math.ceil(Math.max(...initialWidths, strip ?? 0) + 30) : 0;

  const terminalLabel = (name: string, time: string) => typeset(stateTex(name, time), fontPx);
  const terminalD = terminalDiameter(graph, fontPx);
  const stripRoom = strip === null ? 0 : STRIP_HEIGHT + 6;

  const titleLabel = options.titleTex ? typeset(options.titleTex, fontPx * 1.05) : null;
  const titleRoom = titleLabel ? Math.ceil(titleLabel.height + 16) : 0;
  const top = MARGIN + titleRoom + (outputs.length ? terminalD + TERMINAL_GAP + stripRoom : 0);
  const left = MARGIN + leftRoom;

  const steps: PlacedStep[] = [];
  const nodes: PlacedNode[] = [];
  const edges: PlacedEdge[] = [];
  const terminals: PlacedTerminal[] = [];
  const centred = (label: Label, box: Box, y?: number): Box => ({
    x: box.x + (box.width - label.width) / 2,
    y: y ?? box.y + (box.height - label.height) / 2,
    width: label.width,
    height: label.height,
  });

  graph.steps.forEach((s, i) => {
    const ox = left + i * (step.width + gap);
    const oy = top;
    const label = stepLabels[i];
    steps.push({ index: i, time: s.time, x: ox, y: oy, width: step.width, height: step.height, labelBox: { x: ox + 12, y: oy + 8, width: label.width, height: label.height } });
    for (const n of graph.nodes) {
      const b = step.nodes.get(n.id)!;
      const size = sizes.get(n.id)!;
      const box = { x: ox + b.x, y: oy + b.y, width: b.width, height: b.height };
      nodes.push(placeNode(n, i, box, size, strip));
    }
    for (const e of graph.edges) {
      const route = step.edges.get(e.id);
      if (!route) continue;
      const shift = (p: Point) => ({ x: ox + p.x, y: oy + p.y });
      edges.push({
        key: `${i}:${e.id}`,
        step: i,
        kind: e.kind,
        valueOf: e.valueOf,
        valueStep: i,
        source: `${i}:${e.source}`,
        target: `${i}:${e.target}`,
        points: route.points.map(shift),
        junctions: route.junctions.map(shift),
        label: null,
        stripBox: null,
      });
    }
    // Inputs enter from below, outputs leave upward, each through its frame port.
    for (const p of [...inputs, ...outputs]) {
      const port = step.ports.get(p.id)!;
      const tLabel = terminalLabel(p.name, s.time);
      const below = p.side === 'south';
      const cx = ox + port.x;
      const ty = below ? oy + step.height + TERMINAL_GAP : oy - TERMINAL_GAP - terminalD;
      const box = { x: cx - terminalD / 2, y: ty, width: terminalD, height: terminalD };
      const role = p.role === 'noise' ? 'noise' : below ? 'input' : 'output';
      terminals.push({
        key: `${i}:${p.id}:terminal`,
        role,
        tex: tLabel.tex,
        valueOf: p.valueOf,
        valueStep: i,
        ...box,
        labelBox: centred(tLabel, box),
        stripBox: strip === null ? null : { x: cx - strip / 2, y: below ? ty + terminalD + 5 : ty - 5 - STRIP_HEIGHT, width: strip, height: STRIP_HEIGHT },
      });
      const from = below ? { x: cx, y: ty } : { x: cx, y: oy + port.y };
      const to = below ? { x: cx, y: oy + port.y } : { x: cx, y: ty + terminalD };
      edges.push({
        key: `${i}:${p.id}:terminal`,
        step: -1,
        kind: p.role === 'noise' ? 'input' : below ? 'input' : 'output',
        valueOf: p.valueOf,
        valueStep: i,
        source: below ? `${i}:${p.id}:terminal` : `${i}:${p.id}`,
        target: below ? `${i}:${p.id}` : `${i}:${p.id}:terminal`,
        points: [from, to],
        junctions: [],
        label: null,
        stripBox: null,
      });
    }
  });

  // States: from the initial terminal into step 0, between steps, and out of the last step.
  for (const p of stateIns) {
    const port = step.ports.get(p.id)!;
    const y = top + port.y;
    const label = typeset(stateTex(p.name, graph.initialTime), fontPx);
    const box = { x: MARGIN, y: y - label.height / 2 - 4, width: Math.ceil(label.width + 4), height: Math.ceil(label.height + 8) };
    terminals.push({ key: `initial:${p.name}`, role: 'state-in', tex: label.tex, valueOf: p.valueOf, valueStep: 0, ...box, labelBox: centred(label, box), stripBox: strip === null ? null : { x: MARGIN, y: box.y + box.height + 3, width: strip, height: STRIP_HEIGHT } });
    edges.push(stateEdge(`initial:${p.name}`, `0:${p.id}`, p, [{ x: box.x + box.width + 2, y }, { x: left, y }], 0, null, null));
  }
  graph.steps.forEach((s, i) => {
    const ox = left + i * (step.width + gap);
    for (const p of stateOuts) {
      const port = step.ports.get(p.id)!;
      const y = top + port.y;
      const x0 = ox + step.width;
      if (i < graph.steps.length - 1) {
        const inPort = step.ports.get(`in:${p.name}`)!;
        const x1 = x0 + gap;
        const y1 = top + inPort.y;
        const label = carryLabel(p.name, s.time);
        const points = y1 === y ? [{ x: x0, y }, { x: x1, y }] : [{ x: x0, y }, { x: x0 + gap / 2, y }, { x: x0 + gap / 2, y: y1 }, { x: x1, y: y1 }];
        const labelBox = { x: x0 + (gap - label.width) / 2, y: Math.min(y, y1) - label.height - 4, width: label.width, height: label.height };
        const stripBox = strip === null ? null : { x: x0 + (gap - strip) / 2, y: Math.max(y, y1) + 4, width: strip, height: STRIP_HEIGHT };
        edges.push(stateEdge(`${i}:${p.id}`, `${i + 1}:in:${p.name}`, p, points, i, { tex: label.tex, box: labelBox }, stripBox));
      } else {
        const label = typeset(stateTex(p.name, s.time), fontPx);
        const box = { x: x0 + 30, y: y - label.height / 2 - 4, width: Math.ceil(label.width + 4), height: Math.ceil(label.height + 8) };
        terminals.push({ key: `final:${p.name}`, role: 'state-out', tex: label.tex, valueOf: p.valueOf, valueStep: i, ...box, labelBox: centred(label, box), stripBox: strip === null ? null : { x: box.x, y: box.y + box.height + 3, width: strip, height: STRIP_HEIGHT } });
        edges.push(stateEdge(`${i}:${p.id}`, `final:${p.name}`, p, [{ x: x0, y }, { x: box.x - 2, y }], i, null, null));
      }
    }
  });

  const stepsRight = left + graph.steps.length * step.width + (graph.steps.length - 1) * gap;
  const rightRoom = stateOuts.length ? Math.max(...terminals.filter((t) => t.role === 'state-out').map((t) => t.x + Math.max(t.width, strip ?? 0))) - stepsRight : 0;
  const contentRight = stepsRight + Math.max(0, rightRoom);
  const bottom = top + step.height + (inputs.length ? TERMINAL_GAP + terminalD + stripRoom : 0);
  const legend = options.legendHeight ? { x: MARGIN, y: bottom + 12, width: Math.min(260, contentRight - MARGIN), height: options.legendHeight } : null;
  const width = Math.ceil(Math.max(contentRight, titleLabel ? MARGIN + titleLabel.width : 0, legend ? legend.x + legend.width : 0) + MARGIN);
  const height = Math.ceil((legend ? legend.y + legend.height : bottom) + MARGIN);
  const title = titleLabel && options.titleTex ? { tex: options.titleTex, box: { x: (width - titleLabel.width) / 2, y: MARGIN, width: titleLabel.width, height: titleLabel.height } } : null;
  void previous;
  return { graph, width, height, steps, nodes, edges, terminals, title, legend };
}

const stateTex = (name: string, time: string) => atTime(timedTex(name), time, time);

/** Inputs (below) and outputs (above) are circles of one size, large enough for every label. */
function terminalDiameter(graph: DiagramGraph, fontPx: number): number {
  const ends = graph.ports.filter((p) => p.side === 'south' || p.side === 'north');
  const labels = graph.steps.flatMap((s) => ends.map((p) => typeset(stateTex(p.name, s.time), fontPx)));
  return Math.ceil(Math.max(30, ...labels.map((l) => Math.hypot(l.width, l.height) + 6)));
}

function stateEdge(source: string, target: string, p: StepPort, points: Point[], valueStep: number, label: PlacedEdge['label'], stripBox: Box | null): PlacedEdge {
  return { key: `${source}->${target}`, step: -1, kind: 'state', valueOf: p.valueOf, valueStep, source, target, points, junctions: [], label, stripBox };
}

function placeNode(n: DiagramNode, step: number, box: Box, size: NodeSize, strip: number | null): PlacedNode {
  const label = size.labels[step];
  const tag = size.tags[step];
  const stripH = strip === null ? 0 : STRIP_HEIGHT + 4;
  const round = n.glyph === 'pointwise' || n.glyph === 'matmul';
  const glyphH = round ? size.anchorY * 2 : box.height - stripH;
  const contentH = label.height + (tag ? tag.height + 3 : 0);
  const y0 = box.y + (glyphH - contentH) / 2;
  const labelBox = { x: box.x + (box.width - label.width) / 2, y: y0, width: label.width, height: label.height };
  const tagBox = tag ? { x: box.x + (box.width - tag.width) / 2, y: y0 + label.height + 3, width: tag.width, height: tag.height } : null;
  const stripBox = strip === null ? null : { x: box.x + (box.width - strip) / 2, y: box.y + box.height - STRIP_HEIGHT - (round ? 0 : 5), width: strip, height: STRIP_HEIGHT };
  return { key: `${step}:${n.id}`, step, node: n, labelTex: label.tex, tagTex: tag?.tex ?? '', ...box, labelBox, tagBox, stripBox };
}
